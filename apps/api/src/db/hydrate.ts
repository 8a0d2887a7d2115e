import type { EntityMetadata, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import type { ColumnMetadata } from "typeorm/metadata/ColumnMetadata.js";

/**
 * Reads one entity's columns out of raw rows: the query selects each column under a short alias
 * of its own, and each value is converted by the driver's own prepareHydratedValue, exactly as
 * getMany() would. What it skips is TypeORM's generic result transformer (grouping rows by
 * primary key, resolving join attributes, building aliases per row): with a lists page's servers
 * and owners joined, TypeORM took a quarter of the request's CPU, most of it there. Flat
 * entities only: every listbill entity keeps its relations as id columns.
 */
export class RawEntityReader<T extends ObjectLiteral> {
  readonly #metadata: EntityMetadata;
  readonly #columns: { key: string; column: ColumnMetadata }[];
  readonly #driver: SelectQueryBuilder<ObjectLiteral>["connection"]["driver"];

  constructor(
    query: SelectQueryBuilder<ObjectLiteral>,
    metadata: EntityMetadata,
    /** The alias the entity goes by in the query. */
    private readonly alias: string,
    /**
     * Only these properties (the primary key among them): a partial entity, for a client that
     * selected only fields these columns answer. Never to be cached or primed as a whole row.
     */
    properties?: readonly string[],
  ) {
    this.#metadata = metadata;
    if (metadata.relations.length || metadata.embeddeds.length) throw new Error(`${metadata.name} is not flat: RawEntityReader reads columns only`);
    const columns = metadata.columns.map((column, index) => ({ key: `${alias}__${index}`, column }));
    this.#columns = properties ? columns.filter(({ column }) => properties.includes(column.propertyName)) : columns;
    if (properties) {
      const unknown = properties.filter((property) => !this.#columns.some(({ column }) => column.propertyName === property));
      if (unknown.length) throw new Error(`${metadata.name} has no column for ${unknown.join(", ")}`);
      if (!this.#columns.some(({ column }) => column.isPrimary)) throw new Error(`a partial ${metadata.name} must include its primary key`);
    }
    this.#driver = query.connection.driver;
  }

  /** A reader of the query's main entity, selected alone: the query's own selection is replaced. */
  static forMainAlias<E extends ObjectLiteral>(query: SelectQueryBuilder<E>, properties?: readonly string[]): RawEntityReader<E> {
    const reader = new RawEntityReader<E>(query as SelectQueryBuilder<ObjectLiteral>, query.expressionMap.mainAlias!.metadata, query.alias, properties);
    query.select([]);
    reader.selectInto(query as SelectQueryBuilder<ObjectLiteral>);
    return reader;
  }

  /** Adds this entity's columns to the query's selection. */
  selectInto(query: SelectQueryBuilder<ObjectLiteral>): void {
    for (const { key, column } of this.#columns) query.addSelect(`${this.alias}.${column.propertyName}`, key);
  }

  /** The raw row's key (the column alias) of one of the entity's properties this reader selects. */
  keyOf(property: string): string {
    const found = this.#columns.find(({ column }) => column.propertyName === property);
    if (!found) throw new Error(`${this.#metadata.name}.${property} is not among the columns read`);
    return found.key;
  }

  /** The entity of a row, or null when its primary key is null (a left join that found nothing). */
  read(row: Record<string, unknown>): T | null {
    const entity = this.#metadata.create() as T;
    let found = false;
    for (const { key, column } of this.#columns) {
      const value = this.#driver.prepareHydratedValue(row[key], column);
      if (column.isPrimary && value !== null && value !== undefined) found = true;
      (entity as ObjectLiteral)[column.propertyName] = value;
    }
    return found ? entity : null;
  }
}
