import { BILLED_MEMBER_STATUSES } from "@listbill/protocol";
import { countedMemberTypes, listManagerSchema as s, trueFlags } from "./listmanager-schema.js";

export type Dialect = "sqlite" | "mysql";

/** What a lists stream carries of each list's members: nothing, counts by status, or the billed ones. */
export type ListMembers = "none" | "counts" | "billed";

/** Count columns of member-count rows, in this order: one per counted status, then all members. */
export const memberCountColumns = [...countedMemberTypes.map((type) => `count_${type}`), "count_total"] as const;

/** The SQLite function the SQLite source registers as @listbill/protocol's nameKey. */
export const SQLITE_NAME_KEY_FUNCTION = "listbill_name_key";

/**
 * SQL for the agent's commands. Names are streamed in @listbill/protocol's name-key order
 * (ASCII letters folded, compared by code point), which each engine must reproduce exactly:
 * SQLite calls nameKey itself and compares UTF-8 bytes; MySQL folds A-Z with REPLACE (always
 * case-sensitive, unlike LOWER, which folds non-ASCII letters too) and compares the result as
 * binary, i.e. by UTF-8 bytes, without the trailing-space padding of a _bin collation.
 */
export class ListManagerQueries {
  constructor(private readonly dialect: Dialect) {}

  serverInfo(): string {
    const c = s.config;
    return `SELECT ${this.q(c.version)} AS version, ${this.q(c.serverName)} AS serverName FROM ${this.q(c.table)} LIMIT 1`;
  }

  /** How many lists a lists stream will send: lets the billing server report progress. */
  listCount(): string {
    return `SELECT COUNT(*) AS n FROM ${this.q(s.lists.table)}`;
  }

  loggingEnabled(): string {
    const c = s.config;
    return `SELECT ${this.flag(this.q(c.loggingEnabled))} AS enabled FROM ${this.q(c.table)} LIMIT 1`;
  }

  sites(): string {
    const t = s.sites;
    return `SELECT ${this.q(t.id)} AS id, ${this.q(t.name)} AS name, ${this.q(t.hostName)} AS hostName, ${this.q(t.title)} AS title
      FROM ${this.q(t.table)} ORDER BY ${this.orderByName(this.q(t.name))}`;
  }

  /**
   * Every list in name-key order, with its member counts by status ("counts"), or its billed
   * members as the column `billed` ("billed"), or neither.
   */
  lists(members: ListMembers): string {
    return this.namedLists(members, undefined).sql;
  }

  /**
   * lists(members), or with `keys` only the lists whose name key is one of them, their members
   * counted alone (see namedMembers): the statement and its parameters.
   */
  namedLists(members: ListMembers, keys: readonly string[] | undefined): { sql: string; params: unknown[] } {
    const l = s.lists;
    const t = s.topics;
    const col = (name: string) => `l.${this.q(name)}`;
    const counts = members === "counts" ? `, ${this.countColumns("c")}` : members === "billed" ? `, COALESCE(c.${this.q("billed")}, 0) AS ${this.q("billed")}` : "";
    const named = keys ? this.namedMembers(keys) : "";
    const aggregate = members === "counts" ? this.memberAggregate(named) : members === "billed" ? this.billedAggregate(named) : null;
    const join = aggregate ? `LEFT JOIN (${aggregate}) c ON c.list = ${col(l.name)}` : "";
    const sql = `SELECT ${col(l.id)} AS id, ${col(l.name)} AS name, t.${this.q(t.site)} AS site, ${col(l.topic)} AS topic,
        ${col(l.description)} AS description, ${col(l.created)} AS created, ${this.flag(col(l.disabled))} AS disabled,
        COALESCE(${col(l.maxMembers)}, 0) AS maxMembers${counts}
      FROM ${this.q(l.table)} l
      LEFT JOIN ${this.q(t.table)} t ON t.${this.q(t.name)} = ${col(l.topic)}
      ${join}
      ${keys ? `WHERE ${this.keyIn(col(l.name), keys)}` : ""}
      ORDER BY ${this.orderByName(col(l.name))}`;
    const keyParams = keys ? this.keyParams(keys) : [];
    // The aggregate's parameters come first in the text, then the WHERE's: the same keys both.
    return { sql, params: aggregate && keys ? [...keyParams, ...keyParams] : keyParams };
  }

  /** Every list name, in name-key order. */
  listNames(): string {
    const name = `l.${this.q(s.lists.name)}`;
    return `SELECT ${name} AS name FROM ${this.q(s.lists.table)} l ORDER BY ${this.orderByName(name)}`;
  }

  /**
   * Member counts of the lists named in a JSON array (the one parameter), one row per name in
   * array order, columns as memberCountColumns: SQLite only. With the members_ (List_,
   * MemberType_) index each count is an index seek and a step over just the entries it counts;
   * without it each would read all of members_ (see ListManagerCommands.perListCounter).
   */
  memberCountsOfNamedLists(): string {
    const m = s.members;
    const count = (type: string | null) => {
      const ofType = type === null ? "" : ` AND ${this.q(m.status)} = '${type}'`;
      return `(SELECT COUNT(*) FROM ${this.q(m.table)} WHERE ${this.q(m.list)} = j.value${ofType})`;
    };
    const counts = [...countedMemberTypes.map(count), count(null)].map((sql, position) => `${sql} AS ${this.q(memberCountColumns[position])}`);
    return `SELECT ${counts.join(", ")} FROM json_each(?) j ORDER BY j.key`;
  }

  /**
   * Billed members of the lists named in a JSON array, as memberCountsOfNamedLists: one count
   * with two seeks into the members_ (List_, MemberType_) index, where the counts by status take
   * seven (0.6 s against 1.4 s for 100,000 lists of the bench's fixture).
   */
  billedMembersOfNamedLists(): string {
    const m = s.members;
    return `SELECT (SELECT COUNT(*) FROM ${this.q(m.table)} WHERE ${this.q(m.list)} = j.value AND ${this.q(m.status)} IN (${this.billedStatuses()})) AS ${this.q("billed")}
      FROM json_each(?) j ORDER BY j.key`;
  }

  /** Every list, with zero counts for a list without members. */
  memberCounts(): string {
    const l = s.lists;
    return `SELECT l.${this.q(l.name)} AS name, ${this.countColumns("c")}
      FROM ${this.q(l.table)} l LEFT JOIN (${this.memberAggregate()}) c ON c.list = l.${this.q(l.name)}
      ORDER BY ${this.orderByName(`l.${this.q(l.name)}`)}`;
  }

  /** Parameters: afterId, limit. */
  logEntries(): string {
    const g = s.log;
    return `SELECT ${this.q(g.id)} AS id, ${this.q(g.created)} AS created, ${this.q(g.list)} AS list, ${this.q(g.site)} AS site,
        ${this.q(g.byteCount)} AS byteCount, ${this.q(g.recipientCount)} AS recipientCount, ${this.q(g.outmailId)} AS outmailId,
        ${this.q(g.subsetId)} AS subsetId, ${this.q(g.source)} AS source, ${this.q(g.title)} AS title
      FROM ${this.q(g.table)} WHERE ${this.q(g.id)} > ? ORDER BY ${this.q(g.id)} ASC LIMIT ?`;
  }

  /**
   * Per-list member counts by status, aggregated by the database (one row per list). The inner
   * query is a plain COUNT(*) grouped by (list, status), which both engines answer by scanning the
   * members_ (List_, MemberType_) index in order with no per-member expression (see
   * listManagerIndexes in listmanager-schema.ts); only its rows, about eight per list, are pivoted
   * by status. Summing CASE expressions over every member cost 2× (SQLite) to 4× (MySQL) as much.
   */
  private memberAggregate(named = ""): string {
    const m = s.members;
    const type = this.q("type");
    const n = this.q("n");
    const sums = [...countedMemberTypes.map((name) => `SUM(CASE WHEN ${type} = '${name}' THEN ${n} ELSE 0 END)`), `SUM(${n})`]
      .map((sum, position) => `${sum} AS ${this.q(memberCountColumns[position])}`);
    const byStatus = `SELECT ${this.q(m.list)} AS list, ${this.q(m.status)} AS ${type}, COUNT(*) AS ${n} FROM ${this.q(m.table)} ${named ? `WHERE ${named}` : ""} GROUP BY ${this.q(m.list)}, ${this.q(m.status)}`;
    return `SELECT g.list AS list, ${sums.join(", ")} FROM (${byStatus}) g GROUP BY g.list`;
  }

  /** Per-list billed members, for a scan of every list (one row per list with any). */
  private billedAggregate(named = ""): string {
    const m = s.members;
    return `SELECT ${this.q(m.list)} AS list, COUNT(*) AS ${this.q("billed")} FROM ${this.q(m.table)} WHERE ${this.q(m.status)} IN (${this.billedStatuses()})${named ? ` AND ${named}` : ""} GROUP BY ${this.q(m.list)}`;
  }

  /**
   * Members of the named lists only (a condition on members_): each list's members are then
   * reached through the members_ (List_, MemberType_) index, not by a scan of every member.
   */
  private namedMembers(keys: readonly string[]): string {
    const l = s.lists;
    return `${this.q(s.members.list)} IN (SELECT ${this.q(l.name)} FROM ${this.q(l.table)} WHERE ${this.keyIn(this.q(l.name), keys)})`;
  }

  /**
   * A name column's key is one of `keys`. SQLite binds them, as one JSON array (keyParams). MySQL
   * compares UTF-8 bytes with hexadecimal literals: no text a client sent is ever spliced into the
   * statement, whatever the server's sql_mode makes of backslash escapes.
   */
  private keyIn(column: string, keys: readonly string[]): string {
    if (this.dialect === "sqlite") return `${SQLITE_NAME_KEY_FUNCTION}(${column}) IN (SELECT value FROM json_each(?))`;
    return `${this.utf8Bytes(this.foldAscii(column))} IN (${keys.map((key) => `X'${Buffer.from(key, "utf8").toString("hex")}'`).join(", ")})`;
  }

  /** The parameters of one keyIn: SQLite's JSON array of the keys; none for MySQL. */
  private keyParams(keys: readonly string[]): unknown[] {
    return this.dialect === "sqlite" ? [JSON.stringify(keys)] : [];
  }

  private billedStatuses(): string {
    return BILLED_MEMBER_STATUSES.map((status) => `'${status}'`).join(", ");
  }

  private countColumns(alias: string): string {
    return memberCountColumns.map((column) => `COALESCE(${alias}.${this.q(column)}, 0) AS ${this.q(column)}`).join(", ");
  }

  private orderByName(column: string): string {
    if (this.dialect === "sqlite") return `${SQLITE_NAME_KEY_FUNCTION}(${column}), ${column}`;
    return `${this.utf8Bytes(this.foldAscii(column))}, ${this.utf8Bytes(column)}`;
  }

  /**
   * MySQL: a text expression as its UTF-8 bytes, compared without collation or padding: code
   * point order, whatever the column's character set (a latin1 column's own bytes would not be).
   */
  private utf8Bytes(text: string): string {
    return `CAST(CONVERT(${text} USING utf8mb4) AS BINARY)`;
  }

  /** MySQL: the column with A-Z folded to a-z and nothing else, as nameKey folds. */
  private foldAscii(column: string): string {
    let folded = column;
    for (let code = 65; code <= 90; code++) {
      folded = `REPLACE(${folded}, '${String.fromCharCode(code)}', '${String.fromCharCode(code + 32)}')`;
    }
    return folded;
  }

  private flag(column: string): string {
    return `CASE WHEN ${column} IN (${trueFlags.map((f) => `'${f}'`).join(", ")}) THEN 1 ELSE 0 END`;
  }

  private q(identifier: string): string {
    return this.dialect === "mysql" ? `\`${identifier}\`` : `"${identifier}"`;
  }
}
