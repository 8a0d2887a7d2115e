import mysql from "mysql2";
import type { ListManagerSource, Row } from "./source.js";

/**
 * A ListManager MySQL database. Streams use mysql2's row stream, which pauses the MySQL
 * connection when the agent stops pulling, so a 100,000-list result is never held in memory.
 */
export class MysqlSource implements ListManagerSource {
  readonly dialect = "mysql" as const;
  private readonly pool: mysql.Pool;

  constructor(url: string) {
    // dateStrings: DATETIME values stay as written (UTC by ListManager's convention), not shifted
    // by this process's time zone.
    this.pool = mysql.createPool({ uri: url, dateStrings: true, connectionLimit: 8, charset: "utf8mb4" });
  }

  async first(sql: string, params: unknown[] = []): Promise<Row | undefined> {
    const [rows] = await this.pool.promise().query(sql, params);
    return (rows as Row[])[0];
  }

  async *stream(sql: string, params: unknown[] = []): AsyncGenerator<Row> {
    const connection = await new Promise<mysql.PoolConnection>((resolve, reject) =>
      this.pool.getConnection((error, conn) => (error ? reject(error) : resolve(conn))),
    );
    let finished = false;
    try {
      for await (const row of connection.query(sql, params).stream({ highWaterMark: 64 })) yield row as Row;
      finished = true;
    } finally {
      // A stream left early still has rows on the wire: drop that connection instead of reusing it.
      if (finished) connection.release();
      else connection.destroy();
    }
  }

  async close(): Promise<void> {
    await this.pool.promise().end();
  }
}
