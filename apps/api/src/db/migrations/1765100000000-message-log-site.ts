import { type MigrationInterface, type QueryRunner, TableColumn } from "typeorm";

/**
 * message_log.siteId: billing's site of the site the hosting server's log names for the message
 * (Site_), resolved by name key when the row is imported. Usage by customer bills a whole-site
 * owner for the messages sent from its site on the day they were sent; before, it followed the
 * list's current site, so a list moved to another site took its past messages along. Rows already
 * imported get theirs here, one UPDATE per server (about 8 s per 500,000 rows on MariaDB, once);
 * a row whose site billing does not have keeps none, and its list's current site stands in as
 * before. The name key is the one of this migration's time (ASCII letters folded), as billing's
 * site keys were written with it.
 */
const SITES_PER_UPDATE = 1000;

/** @listbill/protocol's nameKey as this migration shipped: ASCII capitals folded, nothing else. */
const nameKey = (name: string) => name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

export class MessageLogSite1765100000000 implements MigrationInterface {
  name = "MessageLogSite1765100000000";

  async up(runner: QueryRunner): Promise<void> {
    // MySQL commits an ALTER TABLE at once: after a failure further down, the column stays and
    // the migration runs again on the next start.
    if (!(await runner.hasColumn("message_log", "siteId"))) {
      await runner.addColumn("message_log", new TableColumn({ name: "siteId", type: "int", isNullable: true }));
    }
    const named: { serverId: number | string; siteName: string }[] = await runner.query("SELECT DISTINCT serverId, siteName FROM message_log WHERE siteName IS NOT NULL");
    const sites: { id: number | string; serverId: number | string; nameKey: string }[] = named.length ? await runner.query("SELECT id, serverId, nameKey FROM site") : [];
    const siteIds = new Map(sites.map((site) => [`${site.serverId}:${site.nameKey}`, Number(site.id)]));
    const byServer = new Map<number, [string, number][]>();
    for (const row of named) {
      const siteId = siteIds.get(`${row.serverId}:${nameKey(row.siteName)}`);
      if (siteId === undefined) continue;
      const pairs = byServer.get(Number(row.serverId)) ?? [];
      pairs.push([row.siteName, siteId]);
      byServer.set(Number(row.serverId), pairs);
    }
    // At most SITES_PER_UPDATE names a statement: SQLite binds at most 32,766 parameters.
    for (const [serverId, all] of byServer) {
      for (let offset = 0; offset < all.length; offset += SITES_PER_UPDATE) {
        const pairs = all.slice(offset, offset + SITES_PER_UPDATE);
        await runner.query(`UPDATE message_log SET siteId = CASE siteName ${pairs.map(() => "WHEN ? THEN ?").join(" ")} END WHERE serverId = ? AND siteName IN (${pairs.map(() => "?").join(", ")}) AND siteId IS NULL`, [
          ...pairs.flat(),
          serverId,
          ...pairs.map(([name]) => name),
        ]);
      }
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn("message_log", "siteId");
  }
}
