// Relay cursor connections, both directions, per the Relay Cursor Connections spec's pagination algorithm: the edges
// between `after` and `before`, then the first `first` of them, then the last `last` of those. The repositories
// read each page as a keyset query from whichever end the arguments ask for, so no page reads the list before it.
import type { KeysetKey, KeysetRead } from '../db/keyset.ts';
import { InputError } from '../errors.ts';
import { decodeCursor, encodeCursor, type CursorList } from './connection-cursor.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export interface Connection<Row> {
  edges: Array<{ cursor: string; node: Row }>;
  pageInfo: { startCursor: string | null; endCursor: string | null; hasPreviousPage: boolean; hasNextPage: boolean };
}

export interface KeysetList<Row> {
  /** Names the list inside its cursors. */
  list: CursorList;
  /** One keyset read of the list (with the caller's filters applied), rows in read order. */
  read(read: KeysetRead): Promise<Row[]>;
  /** A row's position: what its cursor holds. */
  keyOf(row: Row): KeysetKey;
}

function pageSize(value: number | null | undefined, argument: 'first' | 'last'): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    throw new InputError(`${argument} must be between 0 and ${MAX_PAGE_SIZE}`, argument);
  }
  return value;
}

/** Validates and decodes connection arguments; every refusal is INVALID_INPUT naming the argument. */
export function parseConnectionArgs(list: CursorList, args: ConnectionArgs) {
  let first = pageSize(args.first, 'first');
  let last = pageSize(args.last, 'last');
  const after = args.after == null ? null : decodeCursor(list, args.after, 'after');
  const before = args.before == null ? null : decodeCursor(list, args.before, 'before');
  // Without first or last, a page holds DEFAULT_PAGE_SIZE edges: the ones nearest `before` when only `before` is
  // given (walking back), otherwise the first ones.
  if (first === null && last === null) {
    if (before && !after) last = DEFAULT_PAGE_SIZE;
    else first = DEFAULT_PAGE_SIZE;
  }
  return { first, last, after, before };
}

export async function resolveKeysetConnection<Row>(args: ConnectionArgs, source: KeysetList<Row>): Promise<Connection<Row>> {
  const { first, last, after, before } = parseConnectionArgs(source.list, args);
  const window = {
    after: after ? { key: after, inclusive: false } : null,
    before: before ? { key: before, inclusive: false } : null,
  };
  // Rows before the window start / after its end: one indexed row at most, asked only when the spec's own rule
  // (more edges than `last` / than `first`) does not decide the flag.
  const anyAtOrBefore = async (key: KeysetKey) =>
    (await source.read({ after: null, before: { key, inclusive: true }, fromEnd: true, limit: 1 })).length > 0;
  const anyAtOrAfter = async (key: KeysetKey) =>
    (await source.read({ after: { key, inclusive: true }, before: null, fromEnd: false, limit: 1 })).length > 0;

  let page: Row[];
  let hasPreviousPage: boolean;
  let hasNextPage: boolean;
  if (first !== null) {
    // From the start of the window; one row more than the larger size says whether the window holds more.
    const size = Math.max(first, last ?? 0);
    const [rows, earlier] = await Promise.all([
      source.read({ ...window, fromEnd: false, limit: size + 1 }),
      last === null && after ? anyAtOrBefore(after) : Promise.resolve(false),
    ]);
    page = rows.slice(0, first);
    if (last !== null) page = page.slice(Math.max(page.length - last, 0));
    hasNextPage = rows.length > first;
    hasPreviousPage = last !== null ? rows.length > last : earlier;
  } else {
    // From the end of the window (last/before): the flipped order read, turned back to the list's order.
    const size = last!;
    const [rows, later] = await Promise.all([
      source.read({ ...window, fromEnd: true, limit: size + 1 }),
      before ? anyAtOrAfter(before) : Promise.resolve(false),
    ]);
    page = rows.slice(0, size).reverse();
    hasPreviousPage = rows.length > size;
    hasNextPage = later;
  }

  const edges = page.map((node) => ({ cursor: encodeCursor(source.list, source.keyOf(node)), node }));
  return {
    edges,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasPreviousPage,
      hasNextPage,
    },
  };
}
