import type { GraphQLResolveInfo, SelectionSetNode } from "graphql";

/**
 * Which of `names` a connection field selects on its nodes, under `nodes { … }` or
 * `edges { node { … } }`, through fragments too. @skip and @include are not evaluated: a field
 * they leave out counts as selected, which costs a join, never an answer.
 */
export function nodeFieldsSelected<N extends string>(info: GraphQLResolveInfo, names: readonly N[]): Set<N> {
  const wanted = new Set<string>(names);
  const found = new Set<N>();
  const visit = (selections: SelectionSetNode | undefined, path: readonly string[]): void => {
    for (const selection of selections?.selections ?? []) {
      if (selection.kind === "InlineFragment") visit(selection.selectionSet, path);
      else if (selection.kind === "FragmentSpread") visit(info.fragments[selection.name.value]?.selectionSet, path);
      else if (path.length === 0) {
        if (wanted.has(selection.name.value)) found.add(selection.name.value as N);
      } else if (selection.name.value === path[0]) visit(selection.selectionSet, path.slice(1));
    }
  };
  for (const field of info.fieldNodes) {
    visit(field.selectionSet, ["nodes"]);
    visit(field.selectionSet, ["edges", "node"]);
  }
  return found;
}
