import { escape as mysqlEscape } from "mysql2";
import type { EntityManager, EntityTarget, ObjectLiteral } from "typeorm";
import { isLoadDataRefused, loadDataAllowed, loadRows, setLoadDataAllowed, tsvText } from "./load-data.js";
import { instantParameter } from "./columns.js";

/** What a row whose unique key already exists does. */
export type OnConflict =
  /** Fail, like a plain INSERT. */
  | { kind: "error" }
  /** Keep the existing row and skip this one (INSERT IGNORE / ON CONFLICT DO NOTHING). */
  | { kind: "ignore" }
  /**
   * Overwrite `update` (properties) of the row whose `key` (properties of a unique index) matches;
   * the properties of `updateWhere` only where the existing row meets its condition, else they
   * keep their value.
   */
  | { kind: "update"; key: readonly string[]; update: readonly string[]; updateWhere?: ConditionalUpdate };

/**
 * Properties a conflicting row takes only where `when` holds: SQL built from the existing row's
 * column of each property it names (`column`) and the incoming row's value (`incoming`). These
 * come first in the SET list, so that the columns of the other properties are read before they are
 * written (MySQL reads a column assigned earlier in the list as its new value); a condition naming
 * one of its own properties must have only that one.
 */
export interface ConditionalUpdate {
  properties: readonly string[];
  when: (column: (property: string) => string, incoming: (property: string) => string) => string;
}

export interface BulkInsertOptions {
  /**
   * On MySQL, send plain inserts ({ kind: "error" }) as LOAD DATA LOCAL INFILE when the server
   * allows it (load-data.ts): 40 % less of the database's CPU. The price: a chunk the database
   * refuses in part (a duplicate key, a value its column cannot hold) fails after its other rows
   * were written, where an INSERT writes none of them. For rows that count only once published
   * (a validation run's), or inside a transaction, which then rolls back whole.
   */
  loadData?: boolean;
}

/** Rows per statement: under SQLite's 32,766 bound parameters for the widest table, and a short statement on MySQL. */
export const BULK_CHUNK = 500;

/**
 * Inserts `rows` of `entity` with multi-row INSERT statements built here and sent with
 * manager.query, `chunk` rows at a time. TypeORM's insert builder spends more time building a
 * 500-row statement (metadata walks, parameter renaming, returning-id handling) than the database
 * spends running it; validation, sync and log import write hundreds of thousands of rows this way.
 * With `loadData` (validation), MySQL gets LOAD DATA LOCAL statements instead where it allows
 * them (load-data.ts); what follows is about the INSERT statements.
 *
 * Rows are keyed by entity property; every row must have the same properties (the first row's).
 * Values are converted as TypeORM would for these column types: a Date becomes the UTC
 * 'YYYY-MM-DD HH:MM:SS.SSS' text on SQLite (mysql2 sends it itself, in the connection's UTC
 * time zone), a boolean 0 or 1, a simple-json value its JSON. Column transformers are applied.
 * No generated ids are read back.
 *
 * On MySQL each value is escaped here, by mysql2's own escape, into the statement's text: bound
 * as 9,000 parameters, mysql2 scans the whole statement for each placeholder and formats the
 * same Date again for every row (together 6 % of a 100,000-finding validation's CPU).
 *
 * Not as prepared statements, though MariaDB spends a quarter less CPU on rows it need not parse
 * from text (2.0 s against 2.7 s for 100,000 validation_error rows, on an Intel Xeon; LOAD DATA
 * took 1.1 s against text's 1.8 s on an AMD EPYC). mysql2 keeps each prepared
 * statement's parameter definitions on every pooled connection that prepared it, about 200 bytes
 * a parameter: statements of 2,000 rows took a fleet validation's peak memory from 245 to 355 MB.
 * Statements of 250 rows, eight to a chunk, kept it flat but made validations slower (A/B against
 * text, 2026-11-27: 1.06-1.20 before a sync, 1.09-1.24 after): mysql2 sends a connection's next
 * statement from the reply to the one before, one turn of an event loop the comparison keeps busy
 * per statement instead of one per chunk.
 */
export async function bulkInsert<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, rows: readonly Partial<T>[], onConflict: OnConflict = { kind: "error" }, chunk = BULK_CHUNK, options: BulkInsertOptions = {}): Promise<void> {
  if (rows.length === 0) return;
  const metadata = manager.connection.getMetadata(entity);
  const mysql = manager.connection.options.type === "mysql";
  const quote = (name: string) => (mysql ? `\`${name}\`` : `"${name}"`);
  const column = (property: string) => {
    const found = metadata.findColumnWithPropertyName(property);
    if (!found) throw new Error(`${metadata.name} has no column for property "${property}"`);
    return found;
  };
  const properties = Object.keys(rows[0]!);
  const columns = properties.map(column);
  const head = `${mysql && onConflict.kind === "ignore" ? "INSERT IGNORE" : "INSERT"} INTO ${quote(metadata.tableName)} (${columns.map((c) => quote(c.databaseName)).join(", ")}) VALUES `;
  const tail = conflictClause(onConflict, mysql, (property) => quote(column(property).databaseName));
  const placeholders = `(${properties.map(() => "?").join(", ")})`;
  const literal = mysql ? mysqlLiteral(String((manager.connection.options as { timezone?: string }).timezone ?? "local")) : undefined;
  // Decided once per column, not once per value.
  const converters = columns.map(({ transformer, type }) => {
    const transform = transformer && !Array.isArray(transformer) ? transformer : undefined;
    const json = type === "simple-json";
    return (value: unknown) => toDriverValue(transform ? transform.to(value) : value, json, mysql);
  });
  const width = properties.length;
  /** Column i of a row (of the chunk at `offset`) as the driver takes it. */
  const driverValue = (row: Partial<T>, i: number, offset: number): unknown => {
    const value: unknown = (row as ObjectLiteral)[properties[i]!];
    if (value === undefined) throw new Error(`${metadata.name} row ${offset} has no "${properties[i]}" (every row needs the first row's properties)`);
    return converters[i]!(value);
  };

  const load = literal && options.loadData && onConflict.kind === "error" ? loadData(manager, quote(metadata.tableName), columns.map((c) => quote(c.databaseName)).join(", "), literal) : undefined;

  for (let offset = 0; offset < rows.length; offset += chunk) {
    const slice = rows.slice(offset, offset + chunk);
    if (load && loadDataAllowed(manager.connection)) {
      const text = load.lines(slice, (row, i) => driverValue(row, i, offset), width);
      // Undefined: a value LOAD DATA text cannot carry as INSERT would; the chunk goes as an INSERT
      // (its values converted again: converters are pure).
      if (text !== undefined && (await load.send(text, slice.length))) continue;
    }
    if (literal) {
      const tuples: string[] = [];
      for (const row of slice) {
        let tuple = "(";
        for (let i = 0; i < width; i++) tuple += (i === 0 ? "" : ", ") + literal(driverValue(row, i, offset));
        tuples.push(`${tuple})`);
      }
      await manager.query(`${head}${tuples.join(", ")}${tail}`);
    } else {
      const parameters: unknown[] = [];
      for (const row of slice) {
        for (let i = 0; i < width; i++) parameters.push(driverValue(row, i, offset));
      }
      await manager.query(`${head}${Array(slice.length).fill(placeholders).join(", ")}${tail}`, parameters);
    }
  }
}

/** Sends a chunk's LOAD DATA text; false when the server refused LOAD DATA LOCAL (nothing written: the chunk goes as an INSERT, and so do later ones). */
function loadData(manager: EntityManager, table: string, columns: string, literal: (value: unknown) => string) {
  return {
    /** The rows as LOAD DATA lines: NULL as \\N, an instant as the text mysql2 would send; undefined for a value of another kind (a Buffer, a bigint, an invalid date, an infinite number). */
    lines<R>(rows: readonly R[], value: (row: R, column: number) => unknown, width: number): string | undefined {
      let text = "";
      for (const row of rows) {
        for (let i = 0; i < width; i++) {
          const field = loadField(value(row, i), literal);
          if (field === undefined) return undefined;
          text += i === 0 ? field : `\t${field}`;
        }
        text += "\n";
      }
      return text;
    },
    async send(text: string, rows: number): Promise<boolean> {
      let result;
      try {
        result = await loadRows(manager, table, columns, text);
      } catch (error) {
        if (!isLoadDataRefused(error)) throw error;
        setLoadDataAllowed(manager.connection, false);
        console.warn(`[db] the database refused LOAD DATA LOCAL (${(error as Error).message}); writing rows as INSERT statements`);
        return false;
      }
      if (result.affectedRows !== rows || result.warningStatus > 0) {
        throw new Error(`LOAD DATA into ${table} wrote ${result.affectedRows} of ${rows} rows, with ${result.warningStatus} warnings (a duplicate key, or a value its column cannot hold)`);
      }
      return true;
    },
  };
}

function loadField(value: unknown, literal: (value: unknown) => string): string | undefined {
  if (value === null) return "\\N";
  if (typeof value === "string") return tsvText(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : literal(value).slice(1, -1);
  return undefined;
}

/**
 * A simple-json column's value already serialized, for a caller that needed the JSON text itself
 * (validation digests it): bulkInsert sends the text as it is instead of serializing again.
 */
export class JsonText {
  constructor(readonly json: string) {}
}

/** A value as MySQL literal text, escaped by mysql2 as it would bind it; the same instant as the last (a chunk's rows share theirs) is formatted once. */
function mysqlLiteral(timezone: string): (value: unknown) => string {
  let lastTime = Number.NaN;
  let lastText = "";
  return (value) => {
    if (value === null) return "NULL";
    if (typeof value === "number") return Number.isFinite(value) ? String(value) : mysqlEscape(value);
    if (value instanceof Date) {
      const time = value.getTime();
      if (time !== lastTime) {
        lastTime = time;
        lastText = mysqlEscape(value, false, timezone);
      }
      return lastText;
    }
    return mysqlEscape(value as Parameters<typeof mysqlEscape>[0], false, timezone);
  };
}

function conflictClause(onConflict: OnConflict, mysql: boolean, quoted: (property: string) => string): string {
  if (onConflict.kind === "error") return "";
  if (onConflict.kind === "ignore") return mysql ? "" : " ON CONFLICT DO NOTHING";
  const incoming = (p: string) => (mysql ? `VALUES(${quoted(p)})` : `excluded.${quoted(p)}`);
  const guarded = onConflict.updateWhere;
  const when = guarded ? guarded.when(quoted, incoming) : "";
  const sets = [
    ...(guarded?.properties ?? []).map((p) => `${quoted(p)} = CASE WHEN ${when} THEN ${incoming(p)} ELSE ${quoted(p)} END`),
    ...onConflict.update.map((p) => `${quoted(p)} = ${incoming(p)}`),
  ].join(", ");
  if (mysql) return ` ON DUPLICATE KEY UPDATE ${sets}`;
  return ` ON CONFLICT (${onConflict.key.map(quoted).join(", ")}) DO UPDATE SET ${sets}`;
}

function toDriverValue(value: unknown, json: boolean, mysql: boolean): unknown {
  if (value === null) return null;
  if (json) return value instanceof JsonText ? value.json : JSON.stringify(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return mysql ? value : instantParameter(value);
  return value;
}
