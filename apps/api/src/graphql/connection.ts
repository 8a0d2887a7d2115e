import { GraphQLError } from "graphql";
import { type ClassType, ArgsType, Field, Int, ObjectType } from "type-graphql";
import type { ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { RawEntityReader } from "../db/hydrate.js";
import { rawManyReusingSql } from "../db/reused-sql.js";

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

/**
 * Keyset pagination over a query builder: `first`/`after` forwards, `last`/`before` backwards,
 * ordered by `sort` (whose last key is unique, so the order is stable and a cursor is exact).
 */
export async function paginate<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  args: PageArgs,
  sort: SortKey<T>[],
  options: {
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
  } = {},
): Promise<Page<T>> {
  const { first, last, after, before } = args;
  if (first != null && last != null) throw badArgs("Pass first or last, not both");
  for (const [name, size] of [["first", first], ["last", last]] as const) {
    if (size != null && (size < 1 || size > MAX_PAGE_SIZE)) throw badArgs(`${name} must be from 1 to ${MAX_PAGE_SIZE}`);
  }
  const backwards = last != null || (before != null && first == null);
  const size = (backwards ? last : first) ?? DEFAULT_PAGE_SIZE;
  const counted = query.clone();

  const page = query.clone();
  const node = RawEntityReader.forMainAlias(page, options.columns);
  const joins = (options.joins ?? []).map((join) => {
    page.leftJoin(join.entity, join.alias, join.on);
    const reader = new RawEntityReader<ObjectLiteral>(page as SelectQueryBuilder<ObjectLiteral>, page.connection.getMetadata(join.entity), join.alias, join.columns);
    reader.selectInto(page as SelectQueryBuilder<ObjectLiteral>);
    return { property: join.property, reader };
  });
  if (after != null) page.andWhere(...keysetCondition(sort, decodeCursor(after, sort.length), "after"));
  if (before != null) page.andWhere(...keysetCondition(sort, decodeCursor(before, sort.length), "before"));
  for (const [index, key] of sort.entries()) {
    const ascending = !key.descending !== backwards;
    if (index === 0) page.orderBy(key.column, ascending ? "ASC" : "DESC");
    else page.addOrderBy(key.column, ascending ? "ASC" : "DESC");
  }
  // LIMIT, not take(): with joins take() costs a second query to find the page's ids first.
  const rows = (await rawManyReusingSql(page.limit(size + 1))).map((raw: Record<string, unknown>) => {
    const row = node.read(raw)!;
    for (const join of joins) (row as ObjectLiteral)[join.property] = join.reader.read(raw);
    return row;
  });
  const hasMore = rows.length > size;
  const pageRows = rows.slice(0, size);
  if (backwards) pageRows.reverse();

  const cursorOf = (node: T) =>
    encodeCursor(
      sort.map((key) => {
        const value = key.value(node);
        if (value === undefined) throw new Error(`The page's columns leave out its sort key ${key.column}`);
        return value;
      }),
    );
  const firstRow = pageRows[0];
  const lastRow = pageRows.at(-1);
  const pageInfo = Object.assign(new PageInfo(), {
    hasNextPage: backwards ? before != null : hasMore,
    hasPreviousPage: backwards ? hasMore : after != null,
    startCursor: firstRow === undefined ? null : cursorOf(firstRow),
    endCursor: lastRow === undefined ? null : cursorOf(lastRow),
  });
  let total: Promise<number> | undefined;
  return new Page(pageRows, pageInfo, cursorOf, () => (total ??= counted.getCount()));
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
