import type { GraphQLResolveInfo, SelectionSetNode } from "graphql";

/**
 * The names of the fields a connection field selects on its nodes, under `nodes { … }` or
 * `edges { node { … } }`, then down `path` (e.g. ["server"] for the fields of each node's
 * server), through fragments too. @skip and @include are not evaluated: a field they leave out
 * counts as selected, which costs a join or a column, never an answer.
 */
export function nodeSelection(info: GraphQLResolveInfo, path: readonly string[] = []): Set<string> {
  const found = new Set<string>();
  const visit = (selections: SelectionSetNode | undefined, rest: readonly string[]): void => {
    for (const selection of selections?.selections ?? []) {
      if (selection.kind === "InlineFragment") visit(selection.selectionSet, rest);
      else if (selection.kind === "FragmentSpread") visit(info.fragments[selection.name.value]?.selectionSet, rest);
      else if (rest.length === 0) found.add(selection.name.value);
      else if (selection.name.value === rest[0]) visit(selection.selectionSet, rest.slice(1));
    }
  };
  for (const field of info.fieldNodes) {
    visit(field.selectionSet, ["nodes", ...path]);
    visit(field.selectionSet, ["edges", "node", ...path]);
  }
  return found;
}

/**
 * The entity properties (columns) that answer `fields`, by a map from each GraphQL field an
 * entity answers from its own columns to the columns it reads; null when a field is not in the
 * map (a field resolver, a computed getter): then the whole row is needed. `__typename` reads
 * nothing.
 */
export function columnsFor(fields: ReadonlySet<string>, columnFields: Readonly<Record<string, readonly string[]>>, always: readonly string[] = []): string[] | null {
  const columns = new Set(always);
  for (const field of fields) {
    if (field === "__typename") continue;
    const needs = Object.hasOwn(columnFields, field) ? columnFields[field] : undefined;
    if (!needs) return null;
    for (const column of needs) columns.add(column);
  }
  return [...columns];
}
