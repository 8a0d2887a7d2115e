import { GraphQLError } from "graphql";
import { type ClassType, ArgsType, Field, Int, ObjectType } from "type-graphql";
import type { ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { RawEntityReader } from "../db/hydrate.js";
import { queryAndParametersReusingSql, rawManyReusingSql } from "../db/reused-sql.js";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field()
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: "1 to 100; default 50" })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: "1 to 100" })
  last?: number | null;

  @Field(() => String, { nullable: true })
  before?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/**
 * A page of rows. `totalCount` runs its COUNT only when a client selects it, and the edges'
 * cursors are encoded only when a client selects edges (a `nodes` page needs none).
 */
export class Page<T> {
  #edges: Edge<T>[] | undefined;

  constructor(
    readonly nodes: T[],
    readonly pageInfo: PageInfo,
    private readonly cursorOf: (node: T) => string,
    private readonly count: () => Promise<number>,
  ) {}

  get edges(): Edge<T>[] {
    this.#edges ??= this.nodes.map((node) => ({ node, cursor: this.cursorOf(node) }));
    return this.#edges;
  }

  get totalCount(): Promise<number> {
    return this.count();
  }
}

/** The Relay connection type for one node type: `${name}Connection` with `${name}Edge`. */
export function ConnectionType<T extends object>(nodeType: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field()
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionClass {
    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => [nodeType])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: "Rows matching the filter, all pages together" })
    totalCount!: number;
  }
  return ConnectionClass;
}

/** A to-one join of a page's query: `entity` as `alias` `on` a condition, read into `property`. */
export interface PageJoin<T> {
  property: keyof T & string;
  entity: ClassType<ObjectLiteral>;
  alias: string;
  on: string;
  /** Only these properties of the joined entity (a partial one, its primary key among them); absent: the whole row. */
  columns?: readonly string[];
}

/** One column of a stable ordering; the last one of an ordering must be unique (the id). */
export interface SortKey<T> {
  /** Qualified column, e.g. "list.nameKey". */
  column: string;
  value: (row: T) => string | number;
  descending?: boolean;
}

function badArgs(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), "utf8").toString("base64url");
}

function decodeCursor(cursor: string, length: number): (string | number)[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(values) && values.length === length && values.every((v) => typeof v === "string" || typeof v === "number")) {
      return values as (string | number)[];
    }
  } catch {
    // fall through: any undecodable cursor is the same client mistake
  }
  throw badArgs("The cursor is not one this connection returned");
}

/** What a page's query reads besides its nodes' own rows. */
export interface PageOptions<T> {
  /**
   * To-one joins for the page's query only (e.g. a relation the client selected; the count
   * never needs them): each joined entity, or null, lands on its node's `property`.
   */
  joins?: PageJoin<T>[];
  /**
   * Only these properties of each node (partial entities; the sort keys' among them), for a
   * client whose selection these columns answer. Absent: whole rows.
   */
  columns?: readonly string[];
}

/**
 * Keyset pagination over a query builder: `first`/`after` forwards, `last`/`before` backwards,
 * ordered by `sort` (whose last key is unique, so the order is stable and a cursor is exact).
 */
export async function paginate<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, args: PageArgs, sort: SortKey<T>[], options: PageOptions<T> = {}): Promise<Page<T>> {
  const plan = pagePlan(args, sort);
  const prepared = preparePage(query, plan, options);
  let total: Promise<number> | undefined;
  return finishPage(plan, prepared.readAll(await rawManyReusingSql(prepared.page)), () => (total ??= prepared.counted.getCount()));
}

/** The largest number of parents whose pages one statement reads (SQLite unions at most 500 SELECTs). */
export const MAX_PAGES_PER_STATEMENT = 100;

/**
 * The same page (the same arguments, sort and reads) of one query per parent, e.g. the first 10
 * lists of each of 100 servers: one statement for all the pages, and one for all their
 * totalCounts when a client selects it, instead of one of each per parent. The statement is a
 * UNION ALL of each parent's own keyset query, so each part reads its parent's index range up to
 * its limit, as it would alone. Pages come back in the order of `queries`.
 */
export async function paginateEach<T extends ObjectLiteral>(queries: SelectQueryBuilder<T>[], args: PageArgs, sort: SortKey<T>[], options: PageOptions<T> = {}): Promise<Page<T>[]> {
  const plan = pagePlan(args, sort);
  if (queries.length === 0) return [];
  if (queries.length > MAX_PAGES_PER_STATEMENT) throw new Error(`paginateEach reads at most ${MAX_PAGES_PER_STATEMENT} pages at once`);
  if (queries.length === 1) return [await paginate(queries[0]!, args, sort, options)];
  const prepared = queries.map((query) => preparePage(query, plan, options));
  const dataSource = queries[0]!.connection;
  const escape = (name: string) => dataSource.driver.escape(name);

  const parts = prepared.map((one, index) => ({ index, sqlAndParameters: queryAndParametersReusingSql(one.page) }));
  // Each part's rows keep their order only inside its own derived table: the union is ordered again.
  const order = [`${escape(BATCH_INDEX)} ASC`, ...sort.map((key) => `${escape(prepared[0]!.node.keyOf(sortProperty(key, queries[0]!)))} ${!key.descending !== plan.backwards ? "ASC" : "DESC"}`)];
  const raws: Record<string, unknown>[] = await dataSource.query(unionSql(parts, escape, `ORDER BY ${order.join(", ")}`), parts.flatMap((part) => part.sqlAndParameters[1]));
  const rowsByPage = prepared.map(() => [] as T[]);
  for (const raw of raws) rowsByPage[Number(raw[BATCH_INDEX])]!.push(prepared[0]!.readOne(raw));

  let totals: Promise<number[]> | undefined;
  const countAll = async () => {
    const countParts = prepared.map((one, index) => ({ index, sqlAndParameters: queryAndParametersReusingSql(one.counted.clone().select("COUNT(*)", "page_count").orderBy()) }));
    const rows: Record<string, unknown>[] = await dataSource.query(unionSql(countParts, escape, ""), countParts.flatMap((part) => part.sqlAndParameters[1]));
    const counts = prepared.map(() => 0);
    for (const row of rows) counts[Number(row[BATCH_INDEX])] = Number(row.page_count);
    return counts;
  };
  return rowsByPage.map((rows, index) => finishPage(plan, rows, async () => (await (totals ??= countAll()))[index]!));
}

const BATCH_INDEX = "batch_index";

function unionSql(parts: { index: number; sqlAndParameters: [string, unknown[]] }[], escape: (name: string) => string, tail: string): string {
  const selects = parts.map(({ index, sqlAndParameters: [sql] }) => `SELECT ${index} AS ${escape(BATCH_INDEX)}, part${index}.* FROM (${sql}) part${index}`);
  return `${selects.join(" UNION ALL ")} ${tail}`.trimEnd();
}

/** The property a sort key orders by, which must be a column of the query's main alias. */
function sortProperty<T extends ObjectLiteral>(key: SortKey<T>, query: SelectQueryBuilder<T>): string {
  const [alias, property] = key.column.split(".");
  if (alias !== query.alias || !property) throw new Error(`Sort key ${key.column} is not a column of ${query.alias}`);
  return property;
}

interface PagePlan<T> {
  args: PageArgs;
  sort: SortKey<T>[];
  backwards: boolean;
  size: number;
}

function pagePlan<T>(args: PageArgs, sort: SortKey<T>[]): PagePlan<T> {
  const { first, last, before } = args;
  if (first != null && last != null) throw badArgs("Pass first or last, not both");
  for (const [name, size] of [["first", first], ["last", last]] as const) {
    if (size != null && (size < 1 || size > MAX_PAGE_SIZE)) throw badArgs(`${name} must be from 1 to ${MAX_PAGE_SIZE}`);
  }
  const backwards = last != null || (before != null && first == null);
  const size = (backwards ? last : first) ?? DEFAULT_PAGE_SIZE;
  return { args, sort, backwards, size };
}

/** One page's query (one row beyond the page, to tell whether more follow), its count and its reader. */
function preparePage<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, plan: PagePlan<T>, options: PageOptions<T>) {
  const { after, before } = plan.args;
  const counted = query.clone();
  const page = query.clone();
  const node = RawEntityReader.forMainAlias(page, options.columns);
  const joins = (options.joins ?? []).map((join) => {
    page.leftJoin(join.entity, join.alias, join.on);
    const reader = new RawEntityReader<ObjectLiteral>(page as SelectQueryBuilder<ObjectLiteral>, page.connection.getMetadata(join.entity), join.alias, join.columns);
    reader.selectInto(page as SelectQueryBuilder<ObjectLiteral>);
    return { property: join.property, reader };
  });
  if (after != null) page.andWhere(...keysetCondition(plan.sort, decodeCursor(after, plan.sort.length), "after"));
  if (before != null) page.andWhere(...keysetCondition(plan.sort, decodeCursor(before, plan.sort.length), "before"));
  for (const [index, key] of plan.sort.entries()) {
    const ascending = !key.descending !== plan.backwards;
    if (index === 0) page.orderBy(key.column, ascending ? "ASC" : "DESC");
    else page.addOrderBy(key.column, ascending ? "ASC" : "DESC");
  }
  // LIMIT, not take(): with joins take() costs a second query to find the page's ids first.
  page.limit(plan.size + 1);
  const readOne = (raw: Record<string, unknown>): T => {
    const row = node.read(raw)!;
    for (const join of joins) (row as ObjectLiteral)[join.property] = join.reader.read(raw);
    return row;
  };
  return { page, counted, node, readOne, readAll: (raws: Record<string, unknown>[]) => raws.map(readOne) };
}

/** The page of `rows` (in the query's order, one beyond the page when more follow). */
function finishPage<T>(plan: PagePlan<T>, rows: T[], count: () => Promise<number>): Page<T> {
  const { after, before } = plan.args;
  const hasMore = rows.length > plan.size;
  const pageRows = rows.slice(0, plan.size);
  if (plan.backwards) pageRows.reverse();

  const cursorOf = (node: T) =>
    encodeCursor(
      plan.sort.map((key) => {
        const value = key.value(node);
        if (value === undefined) throw new Error(`The page's columns leave out its sort key ${key.column}`);
        return value;
      }),
    );
  const firstRow = pageRows[0];
  const lastRow = pageRows.at(-1);
  const pageInfo = Object.assign(new PageInfo(), {
    hasNextPage: plan.backwards ? before != null : hasMore,
    hasPreviousPage: plan.backwards ? hasMore : after != null,
    startCursor: firstRow === undefined ? null : cursorOf(firstRow),
    endCursor: lastRow === undefined ? null : cursorOf(lastRow),
  });
  return new Page(pageRows, pageInfo, cursorOf, count);
}

/** (k1 > v1) OR (k1 = v1 AND k2 > v2) OR …, with each comparison flipped for descending keys. */
function keysetCondition<T>(sort: SortKey<T>[], values: (string | number)[], side: "after" | "before"): [string, Record<string, unknown>] {
  const parameters: Record<string, unknown> = {};
  // The same names on every request, so a query's text (and its reused SQL) is the same too.
  const names = values.map((value, index) => {
    const name = `page_${side}_${index}`;
    parameters[name] = value;
    return name;
  });
  const alternatives = sort.map((key, index) => {
    const greater = (side === "after") !== Boolean(key.descending);
    const equalities = sort.slice(0, index).map((prefix, i) => `${prefix.column} = :${names[i]}`);
    return `(${[...equalities, `${key.column} ${greater ? ">" : "<"} :${names[index]}`].join(" AND ")})`;
  });
  return [`(${alternatives.join(" OR ")})`, parameters];
}
