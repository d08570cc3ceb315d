// The SQL a keyset read compiles to: a row-value comparison on the (timestamp, id) columns, the order flipped when
// reading from the end of the window, and the limit the caller asked for.
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DatabaseSchema } from '../../../src/db/schema.ts';
import { seek, type KeysetRead } from '../../../src/db/keyset.ts';

// Compiles only: no connection is ever made.
const db = new Kysely<DatabaseSchema>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (kysely) => new PostgresIntrospector(kysely),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const key = { at: new Date('2026-11-01T10:00:00.000Z'), id: 'r5' };
const other = { at: new Date('2026-10-01T10:00:00.000Z'), id: 'r1' };

function compile(order: 'asc' | 'desc', read: KeysetRead) {
  const query = db.selectFrom('receipts').select('receipt_id').where('subject_did', '=', 'did:key:z6Mk');
  const compiled = seek(query, ['occurred_at', 'receipt_id'], order, read).compile();
  return { sql: compiled.sql.replace(/\s+/g, ' '), parameters: compiled.parameters };
}

describe('seek', () => {
  it.each([
    ['desc', { after: { key, inclusive: false }, before: null, fromEnd: false, limit: 3 }, '("occurred_at", "receipt_id") < ($2, $3)', 'order by "occurred_at" desc, "receipt_id" desc limit $4'],
    ['desc', { after: null, before: { key, inclusive: false }, fromEnd: true, limit: 3 }, '("occurred_at", "receipt_id") > ($2, $3)', 'order by "occurred_at" asc, "receipt_id" asc limit $4'],
    ['asc', { after: { key, inclusive: false }, before: null, fromEnd: false, limit: 3 }, '("occurred_at", "receipt_id") > ($2, $3)', 'order by "occurred_at" asc, "receipt_id" asc limit $4'],
    ['asc', { after: null, before: { key, inclusive: false }, fromEnd: true, limit: 3 }, '("occurred_at", "receipt_id") < ($2, $3)', 'order by "occurred_at" desc, "receipt_id" desc limit $4'],
    ['desc', { after: null, before: { key, inclusive: true }, fromEnd: true, limit: 1 }, '("occurred_at", "receipt_id") >= ($2, $3)', 'order by "occurred_at" asc, "receipt_id" asc limit $4'],
    ['asc', { after: { key, inclusive: true }, before: null, fromEnd: false, limit: 1 }, '("occurred_at", "receipt_id") >= ($2, $3)', 'order by "occurred_at" asc, "receipt_id" asc limit $4'],
  ] as const)('%s list, %j', (order, read, condition, tail) => {
    const { sql, parameters } = compile(order, read);
    expect(sql).toContain(`where "subject_did" = $1 and ${condition}`);
    expect(sql.endsWith(tail)).toBe(true);
    expect(parameters).toEqual(['did:key:z6Mk', key.at, key.id, read.limit]);
  });

  it('bounds a window on both sides, and reads all of it with neither', () => {
    const both = compile('desc', { after: { key, inclusive: false }, before: { key: other, inclusive: false }, fromEnd: true, limit: 4 });
    expect(both.sql).toContain('("occurred_at", "receipt_id") < ($2, $3) and ("occurred_at", "receipt_id") > ($4, $5)');
    expect(both.sql.endsWith('order by "occurred_at" asc, "receipt_id" asc limit $6')).toBe(true);
    const neither = compile('desc', { after: null, before: null, fromEnd: false, limit: 21 });
    expect(neither.sql).toBe('select "receipt_id" from "receipts" where "subject_did" = $1 order by "occurred_at" desc, "receipt_id" desc limit $2');
  });
});
