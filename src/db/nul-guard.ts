// PostgreSQL text cannot hold U+0000, nor a lone UTF-16 surrogate (no UTF-8 encoding): a value carrying one fails
// deep in the driver ("invalid byte sequence") and would surface as an internal error. This Kysely plugin looks at
// every value a query is about to send, whatever path it came by (a decoded cursor or node id, a token's jti, a
// mutation argument), and refuses it as bad input before anything is sent, so the caller hears INVALID_INPUT and
// the transaction around it rolls back.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { InputError } from '../errors.ts';

export const NUL_MESSAGE = 'NUL characters (U+0000) and unpaired surrogates are not accepted';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function valueHasNul(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.includes('\u0000') || LONE_SURROGATE.test(value);
  if (Array.isArray(value) && depth < 8) return value.some((item) => valueHasNul(item, depth + 1));
  return false;
}

/** Whether any parameter in an operation node tree (values, value lists, raw SQL parameters) holds text PostgreSQL cannot store. */
export function nodeHasNul(node: unknown, depth = 0): boolean {
  if (node === null || typeof node !== 'object' || depth > 200) return false;
  if (Array.isArray(node)) return node.some((item) => nodeHasNul(item, depth + 1));
  const kind = (node as { kind?: unknown }).kind;
  if (kind === 'ValueNode') return valueHasNul((node as { value: unknown }).value, 0);
  if (kind === 'PrimitiveValueListNode') return valueHasNul((node as { values: unknown }).values, 0);
  for (const key in node) {
    const child = (node as Record<string, unknown>)[key];
    if (child !== null && typeof child === 'object' && nodeHasNul(child, depth + 1)) return true;
  }
  return false;
}

export class NulGuardPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (nodeHasNul(args.node)) throw new InputError(NUL_MESSAGE);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
