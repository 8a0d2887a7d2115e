import { Readable } from "node:stream";
import type mysql from "mysql2/promise";

/**
 * The raw write's bare LOAD DATA LOCAL INFILE, as the API writes validation findings where the
 * server allows it (apps/api/src/db/load-data.ts): rows as tab-separated text that mysql2 streams
 * to the server, no SQL around them to parse.
 */

/** Whether the server's local_infile lets a client load rows (else the raw write sends INSERT statements, as the API does). */
export async function loadAllowed(connection: mysql.Connection | mysql.Pool): Promise<boolean> {
  const [rows] = (await connection.query("SELECT @@GLOBAL.local_infile AS allowed").catch(() => [[]])) as unknown as [{ allowed: number | string }[]];
  return Number(rows[0]?.allowed) === 1;
}

/** Rows as LOAD DATA lines: NULL as \N, a Date as UTC 'YYYY-MM-DD HH:MM:SS.SSS', text with backslash, tab, newline, CR and NUL escaped. */
export function loadLines(rows: readonly (readonly unknown[])[]): string {
  let lines = "";
  for (const row of rows) lines += `${row.map(loadField).join("\t")}\n`;
  return lines;
}

function loadField(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  if (value instanceof Date) return value.toISOString().replace("T", " ").replace("Z", "");
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value).replace(/[\\\t\n\r\0]/g, (character) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0" })[character]!);
}

/** Loads `lines` (from loadLines) into `columns` of `table` in one statement; every row must go in without a warning. */
export async function rawLoad(connection: mysql.Connection | mysql.PoolConnection, table: string, columns: readonly string[], lines: string, rows: number): Promise<void> {
  const buffer = Buffer.from(lines, "utf8");
  const sql = `LOAD DATA LOCAL INFILE 'rows' INTO TABLE ${table} CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${columns.map((name) => `\`${name}\``).join(", ")})`;
  const [result] = (await connection.query({ sql, infileStreamFactory: () => Readable.from(pieces(buffer)) } as Parameters<typeof connection.query>[0])) as unknown as [{ affectedRows: number; warningStatus: number }];
  if (result.affectedRows !== rows || result.warningStatus) throw new Error(`raw LOAD DATA into ${table} wrote ${result.affectedRows} of ${rows} rows, ${result.warningStatus} warnings`);
}

/** In packets under max_allowed_packet. */
function* pieces(buffer: Buffer): Generator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += 64 * 1024) yield buffer.subarray(offset, offset + 64 * 1024);
}
