// Keyset (seek) reads over lists ordered by (timestamp, id), in either direction. Every paged list in the service is
// such a list, so one helper serves them all: a window between two positions, read from its start or from its end,
// with the order flipped and a LIMIT, so a page never costs more than the rows it returns (plus one).
import { sql, type Expression, type SqlBool } from 'kysely';

/** A position in a list ordered by (timestamp, id). */
export interface KeysetKey {
  at: Date;
  id: string;
}

/** One end of a window: the rows beyond `key`, and the key's own row too when `inclusive`. */
export interface KeysetBound {
  key: KeysetKey;
  inclusive: boolean;
}

/**
 * A read from a list, in the list's own order: the rows following `after` and preceding `before` (either may be
 * absent), at most `limit` of them, taken from the start of that window or, with `fromEnd`, from its end. Rows come
 * back in read order: the list's order from the start, the reverse from the end (the caller turns that small page).
 */
export interface KeysetRead {
  after: KeysetBound | null;
  before: KeysetBound | null;
  fromEnd: boolean;
  limit: number;
}

/** The direction a list runs in: newest first (`desc`) or oldest first (`asc`), on both key columns. */
export type ListOrder = 'asc' | 'desc';

/** The part of a Kysely select builder a keyset read needs. */
interface Seekable<Q> {
  where(expression: Expression<SqlBool>): Q;
  orderBy(expression: Expression<unknown>, direction: 'asc' | 'desc'): Q;
  limit(limit: number): Q;
}

/** A read of everything from the start, for callers that page forward from the top. */
export function readFromStart(limit: number, after: KeysetKey | null = null): KeysetRead {
  return { after: after ? { key: after, inclusive: false } : null, before: null, fromEnd: false, limit };
}

/**
 * Narrows `query` to the window and orders and limits it for the read. `columns` are the (timestamp, id) columns
 * the list is ordered by; a row value comparison on them uses the (…, timestamp, id) index in both directions.
 */
export function seek<Q extends Seekable<Q>>(query: Q, columns: readonly [string, string], order: ListOrder, read: KeysetRead): Q {
  const row = sql`(${sql.ref(columns[0])}, ${sql.ref(columns[1])})`;
  const key = (bound: KeysetBound) => sql`(${bound.key.at}, ${bound.key.id})`;
  // In an ascending list the rows following a key are the greater ones; in a descending list, the smaller ones.
  const following = order === 'asc' ? '>' : '<';
  const preceding = order === 'asc' ? '<' : '>';
  const operator = (base: string, bound: KeysetBound) => sql.raw(bound.inclusive ? `${base}=` : base);
  let narrowed = query;
  if (read.after) narrowed = narrowed.where(sql<SqlBool>`${row} ${operator(following, read.after)} ${key(read.after)}`);
  if (read.before) narrowed = narrowed.where(sql<SqlBool>`${row} ${operator(preceding, read.before)} ${key(read.before)}`);
  const direction: 'asc' | 'desc' = read.fromEnd ? (order === 'asc' ? 'desc' : 'asc') : order;
  return narrowed.orderBy(sql.ref(columns[0]), direction).orderBy(sql.ref(columns[1]), direction).limit(read.limit);
}
