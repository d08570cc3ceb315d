// What a request selects beneath the field being resolved, for resolvers that can skip work nobody asked for.
import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** Per field node and name: a parsed document is reused across requests (the parser cache), so this is too. */
const answers = new WeakMap<FieldNode, Map<string, boolean>>();

/**
 * Whether a field called `name` is selected anywhere beneath the field being resolved: at any depth, under any alias,
 * through fragment spreads and inline fragments. `@skip` and `@include` are not evaluated, so a field they may leave
 * out counts as selected: a wrong "yes" only costs work, a wrong "no" would answer without what was asked for.
 */
export function selectsBelow(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, name: string): boolean {
  for (const node of info.fieldNodes) {
    let known = answers.get(node);
    if (!known) answers.set(node, (known = new Map()));
    let found = known.get(name);
    if (found === undefined) {
      found = node.selectionSet !== undefined && selects(node.selectionSet, name, info.fragments, new Set());
      known.set(name, found);
    }
    if (found) return true;
  }
  return false;
}

function selects(set: SelectionSetNode, name: string, fragments: Record<string, FragmentDefinitionNode>, spread: Set<string>): boolean {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === name) return true;
      if (selection.selectionSet && selects(selection.selectionSet, name, fragments, spread)) return true;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (selects(selection.selectionSet, name, fragments, spread)) return true;
    } else {
      const fragmentName = selection.name.value;
      // Validation refuses fragment cycles; the set only keeps a fragment spread twice from being walked twice.
      if (spread.has(fragmentName)) continue;
      spread.add(fragmentName);
      const fragment = fragments[fragmentName];
      // An unknown fragment cannot be answered anyway; counted as selecting, the safe side.
      if (!fragment || selects(fragment.selectionSet, name, fragments, spread)) return true;
    }
  }
  return false;
}
