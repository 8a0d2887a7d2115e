import { Column, type ColumnOptions } from "typeorm";

/**
 * Column shapes shared by every entity, so that both databases store them alike:
 * UTC instants with millisecond precision, calendar dates as 'YYYY-MM-DD' strings.
 */
export function InstantColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ type: "datetime", precision: 3, ...options });
}

export function CalendarDateColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ type: "date", ...options });
}

/** An instant column's value as the drivers return it: a Date from MySQL, UTC text from SQLite. */
export function instantOf(value: Date | string | null): Date | null {
  if (value === null || value instanceof Date) return value;
  return new Date(`${value.replace(" ", "T")}Z`);
}

/** An instant as a query parameter, written as instant columns hold it on both databases: UTC, 'YYYY-MM-DD HH:MM:SS.SSS'. */
export function instantParameter(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

/** Lower-cased copy of a name: the case-insensitive unique key and the sort key. */
export function nameKeyOf(name: string): string {
  return name.trim().toLowerCase();
}
