import { type HostingList, type HostingListMemberCounts, type HostingLogEntry, type HostingSite, type MemberCounts, type ServerInfo, nameKey } from "@listbill/protocol";
import { countedMemberTypes, listManagerSchema } from "./listmanager-schema.js";
import { type ListMembers, ListManagerQueries, memberCountColumns } from "./listmanager-queries.js";
import type { OpenedSource, Row } from "./sources/source.js";
import type { SqliteSource } from "./sources/sqlite-source.js";
import { SQLITE_WORKER_THREADS } from "./sources/sqlite-workers.js";

export const PRODUCT = "ListManager";

/** A statement with its parameters. */
type Statement = { sql: string; params: unknown[] };

// Lists per member-count statement on a worker thread (about 10 ms of SQLite's time), and
// statements under way at once: two per thread, so none waits while the next is handed out.
const COUNT_BATCH = 1000;
const COUNT_BATCHES_AHEAD = 2 * SQLITE_WORKER_THREADS;

/** The agent's commands over one ListManager database: SQL in, protocol records out. */
export class ListManagerCommands {
  private readonly queries: ListManagerQueries;

  constructor(private readonly source: OpenedSource) {
    this.queries = new ListManagerQueries(source.dialect);
  }

  async serverInfo(): Promise<ServerInfo> {
    const row = await this.source.first(this.queries.serverInfo());
    const lists = await this.source.first(this.queries.listCount());
    return { product: PRODUCT, version: text(row?.version) ?? "unknown", serverName: text(row?.serverName) ?? "", listCount: int(lists?.n ?? 0) };
  }

  async loggingEnabled(): Promise<boolean> {
    const row = await this.source.first(this.queries.loggingEnabled());
    return Number(row?.enabled ?? 0) === 1;
  }

  async *sites(): AsyncGenerator<HostingSite> {
    for await (const row of this.source.stream(this.queries.sites())) {
      yield { id: int(row.id), name: String(row.name), hostName: text(row.hostName), title: text(row.title) };
    }
  }

  /**
   * Every list in name-key order, with what it was asked of each list's members; with `names`,
   * only the lists whose name key is one of theirs (the others' members are not counted).
   */
  async *lists(members: ListMembers, names?: readonly string[]): AsyncGenerator<HostingList> {
    const q = this.queries;
    const keys = names && [...new Set(names.map(nameKey))];
    if (members === "none") {
      const { sql, params } = q.namedLists("none", keys);
      for await (const row of this.source.stream(sql, params)) yield hostingList(row);
      return;
    }
    const byStatus = members === "counts";
    const rows = byStatus
      ? this.counted(q.namedLists("none", keys), q.memberCountsOfNamedLists(), q.namedLists("counts", keys), memberCountColumns)
      : this.counted(q.namedLists("none", keys), q.billedMembersOfNamedLists(), q.namedLists("billed", keys), ["billed"]);
    for await (const { row, values } of rows) {
      const list = hostingList(row);
      if (byStatus) list.memberCounts = memberCounts(values);
      else list.billedMembers = int(values[0]);
      yield list;
    }
  }

  async *memberCounts(): AsyncGenerator<HostingListMemberCounts> {
    for await (const { row, values } of this.counted({ sql: this.queries.listNames(), params: [] }, this.queries.memberCountsOfNamedLists(), { sql: this.queries.memberCounts(), params: [] }, memberCountColumns)) {
      yield { list: String(row.name), counts: memberCounts(values) };
    }
  }

  async *logEntries(afterId: number, limit: number): AsyncGenerator<HostingLogEntry> {
    for await (const row of this.source.stream(this.queries.logEntries(), [afterId, limit])) {
      const created = isoUtc(row.created);
      if (!created) throw new Error(`log_ row ${String(row.id)} has an unreadable creation date`);
      yield {
        id: int(row.id),
        created,
        list: text(row.list),
        site: text(row.site),
        byteCount: int(row.byteCount),
        recipientCount: int(row.recipientCount),
        outmailId: nullableInt(row.outmailId),
        subsetId: nullableInt(row.subsetId),
        source: text(row.source),
        title: text(row.title),
      };
    }
  }

  /**
   * Each list's row with its count values: the rows of `lists` counted list by list with
   * `countSql` on worker threads, or the rows of `scan`, which carry the `columns`.
   */
  private async *counted(lists: Statement, countSql: string, scan: Statement, columns: readonly string[]): AsyncGenerator<{ row: Row; values: readonly unknown[] }> {
    const counter = await this.perListCounter(countSql);
    if (counter) {
      yield* countedOnWorkers(this.source.stream(lists.sql, lists.params), counter, countSql);
      return;
    }
    for await (const row of this.source.stream(scan.sql, scan.params)) yield { row, values: columns.map((column) => row[column]) };
  }

  /**
   * The SQLite source, when member counts should be counted list by list on its worker threads:
   * that is, when the plan of `countSql` reads members_ only by seeks into a covering
   * index. Without the members_ (List_, MemberType_) index each count would read all of members_,
   * so the lists stream then counts with one grouped scan instead (as MySQL always does: the
   * scan runs in the database server's process, beside the agent, and per-list counting took
   * MariaDB 1.5× as long). Asked on every stream, since an index may come or go while the agent
   * runs; planning takes about a millisecond.
   */
  private async perListCounter(countSql: string): Promise<SqliteSource | undefined> {
    if (this.source.dialect !== "sqlite") return undefined;
    const members = listManagerSchema.members.table;
    const reads: string[] = [];
    for await (const step of this.source.stream(`EXPLAIN QUERY PLAN ${countSql}`, ["[]"])) {
      const detail = String(step.detail);
      const [verb, table] = detail.split(" ", 2);
      if ((verb === "SCAN" || verb === "SEARCH") && table === members) reads.push(detail);
    }
    const seeksOnly = reads.length > 0 && reads.every((detail) => detail.startsWith(`SEARCH ${members} USING COVERING INDEX `));
    return seeksOnly ? this.source : undefined;
  }
}

function hostingList(row: Row): HostingList {
  return {
    id: int(row.id),
    name: String(row.name),
    site: text(row.site),
    topic: text(row.topic),
    description: text(row.description),
    created: isoUtc(row.created),
    disabled: int(row.disabled) === 1,
    maxMembers: Math.max(0, int(row.maxMembers)),
  };
}

/**
 * Counts from the values of memberCountColumns. "other" is every member of another status, NULL
 * included: the total less those counted. MySQL returns SUM() as a DECIMAL string; the value was
 * still computed by the database.
 */
function memberCounts(values: readonly unknown[]): MemberCounts {
  const result = { other: 0 } as MemberCounts;
  let counted = 0;
  countedMemberTypes.forEach((type, position) => (counted += result[type] = int(values[position])));
  result.other = int(values[countedMemberTypes.length]) - counted;
  return result;
}

/**
 * `rows` (each with a list name) with the values of `countSql` for them, counted on the source's worker
 * threads a few batches ahead while earlier rows are sent. Counts are read a moment after the
 * list rows, by other connections: as current as the lists themselves, not of one snapshot.
 */
async function* countedOnWorkers(rows: AsyncGenerator<Row>, source: SqliteSource, countSql: string): AsyncGenerator<{ row: Row; values: readonly unknown[] }> {
  const ahead: Array<{ rows: Row[]; counts: Promise<unknown[][]> }> = [];
  let exhausted = false;
  // Threads start while the first rows are read (SQLite sorts every list before the first).
  source.startWorkers();
  try {
    for (;;) {
      while (!exhausted && ahead.length < COUNT_BATCHES_AHEAD) {
        const batch: Row[] = [];
        while (batch.length < COUNT_BATCH) {
          const next = await rows.next();
          if (next.done) {
            exhausted = true;
            break;
          }
          batch.push(next.value);
        }
        if (batch.length === 0) break;
        const counts = source.valuesOnWorker(countSql, [JSON.stringify(batch.map((row) => String(row.name)))]);
        // A batch still ahead when the consumer leaves is never awaited; its failure is moot.
        counts.catch(() => undefined);
        ahead.push({ rows: batch, counts });
      }
      const batch = ahead.shift();
      if (!batch) return;
      const counts = await batch.counts;
      for (const [index, row] of batch.rows.entries()) yield { row, values: counts[index]! };
    }
  } finally {
    await rows.return(undefined);
  }
}

function int(value: unknown): number {
  const number = Number(value ?? 0);
  return Number.isFinite(number) ? Math.trunc(number) : 0;
}

function nullableInt(value: unknown): number | null {
  return value === null || value === undefined ? null : int(value);
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

// ListManager's own spelling of a time, in UTC.
const PLAIN_TIME = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** "YYYY-MM-DD HH:MM:SS" (SQLite text, MySQL DATETIME as a string) read as UTC. */
function isoUtc(value: unknown): string | null {
  // A plain time that names a real instant is what Date would print, spelled differently: one
  // regular expression instead of a Date each, for every list of a stream.
  const plain = typeof value === "string" ? PLAIN_TIME.exec(value) : null;
  if (plain && isRealInstant(Number(plain[1]), Number(plain[2]), Number(plain[3]), Number(plain[4]), Number(plain[5]), Number(plain[6]))) {
    return `${plain[1]}-${plain[2]}-${plain[3]}T${plain[4]}:${plain[5]}:${plain[6]}.000Z`;
  }
  if (value === null || value === undefined || value === "") return null;
  const raw = value instanceof Date ? value.toISOString() : String(value).trim();
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw.replace(" ", "T")}Z`;
  const date = new Date(withZone);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

// Date rolls what is not (February 30th, 24:00:00) over into the next month or day.
function isRealInstant(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}
