import { type QueryRunner, TableForeignKey, type TableColumnOptions } from "typeorm";

/** Column builders that differ only by driver: key collation and datetime precision. */
export function columnKit(runner: QueryRunner) {
  const mysql = runner.connection.options.type === "mysql";
  return {
    id: (): TableColumnOptions => ({ name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" }),
    /** A 64-bit id for tables that grow without bound; SQLite's INTEGER PRIMARY KEY already is one. */
    bigId: (): TableColumnOptions => ({ name: "id", type: mysql ? "bigint" : "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" }),
    string: (name: string, length: number): TableColumnOptions => ({ name, type: "varchar", length: String(length) }),
    /** Lower-cased key compared byte by byte on both databases, so sort order and cursors agree. */
    key: (name: string, length: number): TableColumnOptions => ({
      name,
      type: "varchar",
      length: String(length),
      ...(mysql ? { collation: "utf8mb4_bin", charset: "utf8mb4" } : {}),
    }),
    bool: (name: string, value: boolean): TableColumnOptions => ({ name, type: "boolean", default: value ? 1 : 0 }),
    instant: (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: "datetime",
      ...(mysql ? { precision: 3 } : {}),
      isNullable: nullable,
    }),
  };
}

export function fk(column: string, table: string): TableForeignKey {
  return new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ["id"] });
}
