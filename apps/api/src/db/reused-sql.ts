import { LRUCache } from "lru-cache";
import type { DataSource, ObjectLiteral, SelectQueryBuilder } from "typeorm";

/**
 * SQL text that TypeORM generated for a query shape, by the shape's key: a page of lists with its
 * servers and owners joined selects about forty columns, and building that text (resolving and
 * escaping each column, scanning the selection once per column) was a tenth of the request's CPU.
 * The text is the same for every request of the shape; only the parameters differ, and they are
 * bound afresh each time by TypeORM's own escapeQueryWithParameters. Kept per data source: each
 * database quotes and limits in its own dialect.
 */
const textsBySource = new WeakMap<DataSource, LRUCache<string, string>>();

/**
 * `query.getRawMany()`, with SQL text generated earlier for a query of the same shape, or
 * generated now and kept. Only plain shapes are keyed: a main entity table; string selections,
 * entity joins and conditions; no extra FROM tables, grouping, locking, CTEs, skip/take or
 * sub-queries. Anything else builds its SQL as usual. The builder is left as it was.
 */
export async function rawManyReusingSql<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): Promise<Record<string, unknown>[]> {
  return withReusedSql(query, () => query.getRawMany());
}

/**
 * `query.getQueryAndParameters()`, with the SQL text reused as rawManyReusingSql does: for the
 * statement that unions the pages of many parents (connection.ts), whose parts differ only in
 * their parameters.
 */
export function queryAndParametersReusingSql<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): [string, unknown[]] {
  return withReusedSql(query, () => query.getQueryAndParameters());
}

function withReusedSql<T extends ObjectLiteral, R>(query: SelectQueryBuilder<T>, use: () => R): R {
  // A raw read selects only what was asked: the text must be generated that way too.
  query.expressionMap.queryEntity = false;
  const key = shapeKey(query);
  if (key === null) return use();
  let texts = textsBySource.get(query.connection);
  if (!texts) textsBySource.set(query.connection, (texts = new LRUCache<string, string>({ max: 500 })));
  let sql = texts.get(key);
  if (sql === undefined) {
    sql = query.getQuery();
    texts.set(key, sql);
  }
  const text = sql;
  // For this one use only: getQueryAndParameters() asks getQuery() for the text, then binds.
  query.getQuery = () => text;
  const restore = () => delete (query as { getQuery?: unknown }).getQuery;
  let result: R;
  try {
    result = use();
  } catch (error) {
    restore();
    throw error;
  }
  if (result instanceof Promise) return result.finally(restore) as R;
  restore();
  return result;
}

/** Everything in the builder that its SQL text depends on, or null for a shape not covered. */
export function shapeKey(query: SelectQueryBuilder<ObjectLiteral>): string | null {
  const map = query.expressionMap;
  const main = map.mainAlias;
  if (map.queryType !== "select" || !main?.hasMetadata || main.subQuery || map.subQuery) return null;
  if (map.groupBys.length || map.havings.length || map.commonTableExpressions.length || map.lockMode !== undefined) return null;
  if (map.skip !== undefined || map.take !== undefined || map.selectDistinct || map.selectDistinctOn.length || map.relationIdAttributes.length) return null;
  if (map.comment || map.useIndex || map.maxExecutionTime || map.timeTravel || map.options.length || map.extraAppendedAndWhereCondition) return null;
  // By name: a clone copies the aliases but keeps the main alias object.
  if (map.aliases.some((alias) => alias.type === "from" && alias.name !== main.name)) return null;
  const parts: string[] = [main.metadata.tablePath, main.name, String(map.withDeleted), String(map.aliasNamePrefixingEnabled)];
  for (const select of map.selects) {
    if (typeof select.selection !== "string") return null;
    parts.push(`s:${select.selection}>${select.aliasName ?? ""}`);
  }
  for (const join of map.joinAttributes) {
    // An entity class only: a sub-query join is a function too, but its SQL is not in the key.
    if (typeof join.entityOrProperty !== "function" || !join.metadata || join.alias.subQuery || join.mapToProperty || join.isMappingMany !== undefined || typeof join.condition !== "string") return null;
    parts.push(`j:${join.direction}:${join.metadata?.tablePath}:${join.alias.name}:${join.condition}`);
  }
  for (const where of map.wheres) {
    if (typeof where.condition !== "string") return null;
    parts.push(`w:${where.type}:${where.condition}`);
  }
  for (const [column, order] of Object.entries(map.orderBys)) {
    parts.push(`o:${column}:${typeof order === "string" ? order : `${order.order}:${order.nulls ?? ""}`}`);
  }
  parts.push(`l:${map.limit ?? ""}:${map.offset ?? ""}`);
  return parts.join("\n");
}
