import Sqlite from "better-sqlite3";
import mysql from "mysql2/promise";
import { apiSqliteFile } from "./api-process.js";
import { loadAllowed, loadLines, rawLoad } from "./raw-load.js";

/** Rows per statement, as the API's validation writes them (FLUSH_EVERY in apps/api/src/validation/tally.ts). */
const ROWS_PER_STATEMENT = 2000;
/**
 * Statements in flight at once on MySQL: two a server, up to four. A validation keeps one in
 * flight; two let a two-core database insert two at a time (1.4 s instead of 2.5 s for 100,000
 * rows here), so the limit is what the database can take, not what listbill asks of it. More
 * than four gain nothing on two cores.
 */
export const inFlight = (servers: number) => Math.min(4, 2 * servers);
const COPY = "bench_raw_write";

export interface RawWriteFigures {
  rows: number;
  /** Bytes of the rows' values: on MySQL as LOAD DATA text (or SQL text, where the server refuses LOAD DATA LOCAL); on SQLite, their text and 8 a number, without the statement around them. */
  bytes: number;
  wallMs: number;
}

/** A run's rows as the database returns them, id left out, columns in `columns` order. */
type Row = unknown[];

/**
 * The physical limit of a validation's writes: the rows the last run of each server wrote, read
 * back and written again by a bare driver into an empty copy of validation_error (the same
 * columns, indexes and foreign keys), in statements of the same 2,000 rows. On MySQL, as the API
 * writes them where the server's local_infile allows it: LOAD DATA LOCAL INFILE statements whose
 * rows mysql2 streams as tab-separated text (about 40 % less of the database's CPU than the same
 * rows as a multi-row INSERT, which it sends where local_infile is off), as many at once as the
 * database can use (inFlight); on SQLite, better-sqlite3 binds them to one prepared statement.
 * Only the writing is timed. Run while no API process is up; every server of the database is the
 * benchmark's.
 */
export async function rawWriteOfLastRuns(dataDir: string, mysqlUrl: string | undefined): Promise<RawWriteFigures> {
  return mysqlUrl ? rawWriteMysql(mysqlUrl) : rawWriteSqlite(apiSqliteFile(dataDir));
}

const LAST_RUNS = "SELECT MAX(id) AS id FROM validation_run GROUP BY serverId ORDER BY serverId";

async function rawWriteMysql(url: string): Promise<RawWriteFigures> {
  const connect = () => mysql.createConnection({ uri: url, dateStrings: true, supportBigNumbers: true, trace: false });
  const first = await connect();
  const connections = [first];
  try {
    await first.query(`DROP TABLE IF EXISTS ${COPY}`);
    await first.query(`CREATE TABLE ${COPY} LIKE validation_error`);
    // LIKE copies columns and indexes, not foreign keys: the same ones, under names of their own.
    const [[created]] = (await first.query("SHOW CREATE TABLE validation_error")) as unknown as [{ "Create Table": string }[]];
    const foreignKeys = [...created!["Create Table"].matchAll(/CONSTRAINT `[^`]+` (FOREIGN KEY .*?)(?:,?\n)/g)].map((match) => match[1]!);
    if (foreignKeys.length) await first.query(`ALTER TABLE ${COPY} ${foreignKeys.map((key) => `ADD ${key}`).join(", ")}`);
    const columns = withoutId(((await first.query("SHOW COLUMNS FROM validation_error"))[0] as { Field: string }[]).map((row) => row.Field));
    const head = `INSERT INTO ${COPY} (${columns.map((name) => `\`${name}\``).join(", ")}) VALUES `;
    // As the API: LOAD DATA LOCAL where the server allows it, else INSERT statements.
    const allowed = await loadAllowed(first);
    // Every server's rows in statements of ROWS_PER_STATEMENT, taken in turn by the connections.
    const chunks: Row[][] = [];
    const [runs] = (await first.query(LAST_RUNS)) as unknown as [{ id: number }[]];
    for (const run of runs) {
      const [rows] = await first.query({ sql: `SELECT ${columns.map((name) => `\`${name}\``).join(", ")} FROM validation_error WHERE runId = ? ORDER BY id`, rowsAsArray: true, values: [run.id] });
      chunks.push(...chunked(rows as Row[]));
    }
    while (connections.length < inFlight(runs.length)) connections.push(await connect());
    let bytes = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      connections.map(async (connection) => {
        for (let chunk = next++; chunk < chunks.length; chunk = next++) {
          if (!allowed) {
            const values = chunks[chunk]!.map((row) => `(${row.map((value) => mysql.escape(value as Parameters<typeof mysql.escape>[0])).join(", ")})`).join(", ");
            bytes += values.length;
            await connection.query(head + values);
            continue;
          }
          const lines = loadLines(chunks[chunk]!);
          bytes += lines.length;
          await rawLoad(connection, COPY, columns, lines, chunks[chunk]!.length);
        }
      }),
    );
    const wallMs = performance.now() - started;
    return { rows: chunks.reduce((sum, rows) => sum + rows.length, 0), bytes, wallMs };
  } finally {
    await first.query(`DROP TABLE IF EXISTS ${COPY}`).catch(() => undefined);
    await Promise.all(connections.map((connection) => connection.end()));
  }
}

async function rawWriteSqlite(file: string): Promise<RawWriteFigures> {
  const database = new Sqlite(file, { fileMustExist: true });
  // As the API opens it (apps/api/src/db/data-source.ts): the copy's foreign keys are checked too.
  database.pragma("foreign_keys = ON");
  try {
    database.exec(`DROP TABLE IF EXISTS ${COPY}`);
    // The table's own CREATE TABLE and CREATE INDEX statements, renamed.
    const schema = database.prepare("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'validation_error' AND sql IS NOT NULL ORDER BY type DESC").all() as { type: string; name: string; sql: string }[];
    for (const { type, name, sql } of schema) {
      const renamed = type === "table" ? sql.replace(/^CREATE TABLE "?validation_error"?/, `CREATE TABLE "${COPY}"`) : sql.replace(`"${name}"`, `"${COPY}_${name}"`).replace(/ON "?validation_error"?/, `ON "${COPY}"`);
      if (renamed === sql) throw new Error(`cannot copy ${type} ${name}: ${sql}`);
      database.exec(renamed);
    }
    const columns = withoutId((database.prepare("PRAGMA table_info(validation_error)").all() as { name: string }[]).map((row) => row.name));
    const read = database.prepare(`SELECT ${columns.map((name) => `"${name}"`).join(", ")} FROM validation_error WHERE runId = ? ORDER BY id`).raw(true);
    const rows: Row[] = [];
    for (const run of database.prepare(LAST_RUNS).all() as { id: number }[]) {
      for (const row of read.all(run.id) as Row[]) rows.push(row);
    }
    const insert = (count: number) => database.prepare(`INSERT INTO "${COPY}" (${columns.map((name) => `"${name}"`).join(", ")}) VALUES ${Array(count).fill(`(${columns.map(() => "?").join(", ")})`).join(", ")}`);
    const full = insert(ROWS_PER_STATEMENT);
    let bytes = 0;
    const started = performance.now();
    for (const chunk of chunked(rows)) {
      const values = chunk.flat();
      for (const value of values) bytes += value === null ? 0 : typeof value === "string" ? value.length : 8;
      (chunk.length === ROWS_PER_STATEMENT ? full : insert(chunk.length)).run(values);
    }
    return { rows: rows.length, bytes, wallMs: performance.now() - started };
  } finally {
    database.exec(`DROP TABLE IF EXISTS ${COPY}`);
    database.close();
  }
}

function withoutId(names: string[]): string[] {
  const columns = names.filter((name) => name !== "id");
  if (columns.length === 0) throw new Error("validation_error has no columns");
  return columns;
}

/** Rows in statements of ROWS_PER_STATEMENT. */
function chunked(rows: Row[]): Row[][] {
  const chunks: Row[][] = [];
  for (let offset = 0; offset < rows.length; offset += ROWS_PER_STATEMENT) chunks.push(rows.slice(offset, offset + ROWS_PER_STATEMENT));
  return chunks;
}
