import type { HostingList, HostingListMemberCounts, HostingLogEntry, HostingSite, MemberCounts, ServerInfo } from "@listbill/protocol";
import { countedMemberTypes } from "./listmanager-schema.js";
import { ListManagerQueries } from "./listmanager-queries.js";
import type { ListManagerSource, Row } from "./sources/source.js";

export const PRODUCT = "ListManager";

/** The agent's commands over one ListManager database: SQL in, protocol records out. */
export class ListManagerCommands {
  private readonly queries: ListManagerQueries;

  constructor(private readonly source: ListManagerSource & { dialect: "sqlite" | "mysql" }) {
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

  async *lists(withMemberCounts: boolean): AsyncGenerator<HostingList> {
    for await (const row of this.source.stream(this.queries.lists(withMemberCounts))) {
      const list: HostingList = {
        id: int(row.id),
        name: String(row.name),
        site: text(row.site),
        topic: text(row.topic),
        description: text(row.description),
        created: isoUtc(row.created),
        disabled: int(row.disabled) === 1,
        maxMembers: Math.max(0, int(row.maxMembers)),
      };
      if (withMemberCounts) list.memberCounts = counts(row);
      yield list;
    }
  }

  async *memberCounts(): AsyncGenerator<HostingListMemberCounts> {
    for await (const row of this.source.stream(this.queries.memberCounts())) {
      yield { list: String(row.name), counts: counts(row) };
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
}

// MySQL returns SUM() as a DECIMAL string; the value was still computed by the database.
function counts(row: Row): MemberCounts {
  const result = { other: int(row.count_other) } as MemberCounts;
  for (const type of countedMemberTypes) result[type] = int(row[`count_${type}`]);
  return result;
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

/** "YYYY-MM-DD HH:MM:SS" (SQLite text, MySQL DATETIME as a string) read as UTC. */
function isoUtc(value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  const raw = value instanceof Date ? value.toISOString() : String(value).trim();
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw.replace(" ", "T")}Z`;
  const date = new Date(withZone);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
