import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from "typeorm";

/**
 * A log epoch per server. A hosting server's log_ can start its LogID_ again from 1 (ListManager
 * reinstalled or restored from a backup, the host name pointed at a replacement machine). Billing
 * imported by LogID_ above its high-water mark, and message_log was unique on (serverId,
 * remoteLogId): the new log's rows were skipped until their ids passed the old mark, and those
 * that collided with an old row were dropped as duplicates, so their usage went unbilled.
 *
 * server.logEpoch counts the log's restarts that an operator confirmed (fixing a LOG_RESTARTED
 * validation error); message_log rows carry the epoch they were imported in, and the unique key
 * becomes (serverId, logEpoch, remoteLogId). Every row so far is of epoch 0.
 */
export class MessageLogEpoch1765300000000 implements MigrationInterface {
  name = "MessageLogEpoch1765300000000";

  async up(runner: QueryRunner): Promise<void> {
    // Each ALTER commits at once on MySQL: a step done before a failure is not done again.
    if (!(await runner.hasColumn("server", "logEpoch"))) await runner.addColumn("server", new TableColumn({ name: "logEpoch", type: "int", default: 0 }));
    if (!(await runner.hasColumn("message_log", "logEpoch"))) await runner.addColumn("message_log", new TableColumn({ name: "logEpoch", type: "int", default: 0 }));
    const table = await runner.getTable("message_log");
    if (!table?.indices.some((index) => index.name === "UQ_message_log_server_epoch_remote")) {
      await runner.createIndex("message_log", new TableIndex({ name: "UQ_message_log_server_epoch_remote", columnNames: ["serverId", "logEpoch", "remoteLogId"], isUnique: true }));
    }
    if (table?.indices.some((index) => index.name === "UQ_message_log_server_remote")) await runner.dropIndex("message_log", "UQ_message_log_server_remote");
  }

  async down(runner: QueryRunner): Promise<void> {
    // A server in a later epoch has rows of it (they would break the old unique key) or will
    // have (its new rows would be dropped as duplicates of old ones): going down refuses rather
    // than lose usage. Epochs only grow, so no row is of a later epoch than its server; the
    // server table says it without reading every imported message.
    const restarted = (await runner.query("SELECT COUNT(*) AS n FROM server WHERE logEpoch <> 0")) as { n: number | string }[];
    if (Number(restarted[0]?.n ?? 0) > 0) throw new Error("a server's message log was restarted (logEpoch above 0): going below MessageLogEpoch1765300000000 would lose its usage");
    await runner.createIndex("message_log", new TableIndex({ name: "UQ_message_log_server_remote", columnNames: ["serverId", "remoteLogId"], isUnique: true }));
    await runner.dropIndex("message_log", "UQ_message_log_server_epoch_remote");
    // Not runner.dropColumn: on SQLite it rebuilds the table, which the foreign keys to server refuse.
    await runner.query("ALTER TABLE message_log DROP COLUMN logEpoch");
    await runner.query("ALTER TABLE server DROP COLUMN logEpoch");
  }
}
