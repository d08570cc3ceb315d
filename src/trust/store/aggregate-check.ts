// The aggregates audit: recompute every maintained aggregate row from the stored receipts that still count (the same
// receiptDeltas the ingest path applies) and compare with what the tables hold; and the repair: rebuild the tables
// from scratch in one transaction. `credence recompute --check` and `--rebuild` run these.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { ReceiptRow } from '../../db/schema.ts';
import { columnName, receiptDeltas, type AggregateDelta } from '../engine/evidence.ts';
import { DEFAULT_TRUST_PARAMS, type AggregateParams } from '../engine/params.ts';
import { AGGREGATE_TABLES, addToAggregates, bumpPlatformSetEpoch, receiptEvidence, type AggregateTableSpec } from './aggregate.repository.ts';

/** A pair's first/last hour columns: LEAST/GREATEST state rather than sums (src/trust/engine/evidence.ts). */
const SPAN_COLUMNS = ['first_hour', 'last_hour', 'econ_first_hour', 'econ_last_hour'] as const;

/** Float sums agree when they differ by less than this share of the magnitudes that went into them. */
export const RELATIVE_TOLERANCE = 1e-9;
const ABSOLUTE_TOLERANCE = 1e-9;
const PAGE = 5_000;
const RECEIPT_COLUMNS = [
  'receipt_id', 'subject_did', 'counterparty_did', 'platform_did', 'action_category', 'action_type', 'outcome',
  'value_usd', 'occurred_at', 'confidence', 'escrow_verified', 'revoked_at',
] as const;

export interface AggregateDifference {
  table: string;
  key: Array<string | number>;
  kind: 'missing' | 'unexpected' | 'value';
  column?: string;
  stored?: number | null;
  expected?: number | null;
}

export interface AggregateCheck {
  receipts: number;
  revoked: number;
  tables: Record<string, { stored: number; expected: number; differences: number }>;
  /** All differences found (count) and the first ones in full. */
  differenceCount: number;
  differences: AggregateDifference[];
}

interface ExpectedRow {
  key: Array<string | number>;
  sums: Map<string, number>;
  /** Σ |contribution| per column, revoked receipts included (they were added once and subtracted once). */
  magnitude: Map<string, number>;
  spans?: Record<(typeof SPAN_COLUMNS)[number], number | null>;
  /** Rows only revoked receipts ever touched are not expected to exist. */
  live: boolean;
}

type Row = Record<string, unknown>;

async function* receiptPages(db: Db, revoked: 'any' | 'live'): AsyncGenerator<Array<ReceiptRow & { revoked_at: Date | null }>> {
  let after: string | null = null;
  for (;;) {
    let query = db.selectFrom('receipts').select([...RECEIPT_COLUMNS]).orderBy('receipt_id').limit(PAGE);
    if (after !== null) query = query.where('receipt_id', '>', after);
    if (revoked === 'live') query = query.where('revoked_at', 'is', null);
    const rows = (await query.execute()) as unknown as Array<ReceiptRow & { revoked_at: Date | null }>;
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.receipt_id;
  }
}

function keyOf(spec: AggregateTableSpec, source: Record<string, unknown>, columnName: (k: string) => string): Array<string | number> {
  return spec.keys.map((k) => source[columnName(k)] as string | number);
}

async function expectedAggregates(db: Db, params: AggregateParams) {
  const specs = new Map(AGGREGATE_TABLES.map((spec) => [spec.table as string, spec]));
  const expected = new Map<string, Map<string, ExpectedRow>>(AGGREGATE_TABLES.map((spec) => [spec.table, new Map()]));
  let receipts = 0;
  let revoked = 0;
  for await (const page of receiptPages(db, 'any')) {
    for (const row of page) {
      const live = row.revoked_at === null;
      if (live) receipts += 1;
      else revoked += 1;
      for (const delta of receiptDeltas(receiptEvidence(row), 1, params)) {
        const spec = specs.get(delta.table);
        if (!spec) throw new Error(`receiptDeltas wrote to ${delta.table}, which aggregate.repository.ts does not list`);
        accumulate(expected.get(delta.table)!, spec, delta, live);
      }
    }
  }
  return { expected, receipts, revoked };
}

function accumulate(rows: Map<string, ExpectedRow>, spec: AggregateTableSpec, delta: AggregateDelta, live: boolean): void {
  const key = keyOf(spec, delta.key as Record<string, unknown>, (k) => k);
  const id = JSON.stringify(key);
  let row = rows.get(id);
  if (!row) {
    row = { key, sums: new Map(spec.sums.map((c) => [c, 0])), magnitude: new Map(spec.sums.map((c) => [c, 0])), live: false };
    rows.set(id, row);
  }
  const add = delta.add as unknown as Record<string, number>;
  for (const column of spec.sums) {
    const value = add[column] ?? 0;
    row.magnitude.set(column, row.magnitude.get(column)! + Math.abs(value) * (live ? 1 : 2));
    if (live) row.sums.set(column, row.sums.get(column)! + value);
  }
  if (!live) return;
  row.live = true;
  if ('hour' in delta) {
    const spans = (row.spans ??= { first_hour: delta.hour, last_hour: delta.hour, econ_first_hour: null, econ_last_hour: null });
    spans.first_hour = Math.min(spans.first_hour!, delta.hour);
    spans.last_hour = Math.max(spans.last_hour!, delta.hour);
    if (delta.econHour !== null) {
      spans.econ_first_hour = spans.econ_first_hour === null ? delta.econHour : Math.min(spans.econ_first_hour, delta.econHour);
      spans.econ_last_hour = spans.econ_last_hour === null ? delta.econHour : Math.max(spans.econ_last_hour, delta.econHour);
    }
  }
}

function close(stored: number, expected: number, magnitude: number): boolean {
  const scale = Math.max(Math.abs(stored), Math.abs(expected), magnitude);
  return Math.abs(stored - expected) <= RELATIVE_TOLERANCE * scale + ABSOLUTE_TOLERANCE;
}

/**
 * Compares every aggregate table with a from-scratch recomputation, in one repeatable-read snapshot (so ingest
 * running meanwhile cannot make a consistent database look inconsistent). Keeps the first `keep` differences.
 */
export async function checkAggregates(database: Db, options: { params?: AggregateParams; keep?: number } = {}): Promise<AggregateCheck> {
  const params = options.params ?? DEFAULT_TRUST_PARAMS.aggregate;
  const keep = options.keep ?? 100;
  return database
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (db) => {
      const { expected, receipts, revoked } = await expectedAggregates(db, params);
      const result: AggregateCheck = { receipts, revoked, tables: {}, differenceCount: 0, differences: [] };
      const report = (difference: AggregateDifference) => {
        result.differenceCount += 1;
        result.tables[difference.table]!.differences += 1;
        if (result.differences.length < keep) result.differences.push(difference);
      };

      for (const spec of AGGREGATE_TABLES) {
        const rows = expected.get(spec.table)!;
        const live = [...rows.values()].filter((row) => row.live);
        result.tables[spec.table] = { stored: 0, expected: live.length, differences: 0 };
        const stored = (await sql<Row>`select * from ${sql.table(spec.table)}`.execute(db)).rows;
        result.tables[spec.table]!.stored = stored.length;
        const seen = new Set<string>();
        for (const row of stored) {
          const key = keyOf(spec, row, columnName);
          const id = JSON.stringify(key);
          const want = rows.get(id);
          if (!want?.live) {
            report({ table: spec.table, key, kind: 'unexpected' });
            continue;
          }
          seen.add(id);
          for (const column of spec.sums) {
            const have = Number(row[columnName(column)]);
            const should = want.sums.get(column)!;
            if (!close(have, should, want.magnitude.get(column)!)) {
              report({ table: spec.table, key, kind: 'value', column: columnName(column), stored: have, expected: should });
            }
          }
          if (want.spans) {
            for (const column of SPAN_COLUMNS) {
              const have = row[column] === null || row[column] === undefined ? null : Number(row[column]);
              if (have !== want.spans[column]) report({ table: spec.table, key, kind: 'value', column, stored: have, expected: want.spans[column] });
            }
          }
        }
        for (const [id, want] of rows) {
          if (want.live && !seen.has(id)) report({ table: spec.table, key: want.key, kind: 'missing' });
        }
      }
      return result;
    });
}

export interface AggregateRebuild {
  receipts: number;
  /** Rows per table before and after. */
  tables: Record<string, { before: number; after: number }>;
}

/**
 * Empties every aggregate table and adds the receipts that count back, in one transaction that holds off receipt
 * writes meanwhile (SHARE ROW EXCLUSIVE on receipts: reads go on, ingest and revocation wait).
 */
export async function rebuildAggregates(database: Db, params: AggregateParams = DEFAULT_TRUST_PARAMS.aggregate): Promise<AggregateRebuild> {
  return database.transaction().execute(async (db) => {
    await sql`lock table receipts in share row exclusive mode`.execute(db);
    const tables: AggregateRebuild['tables'] = {};
    for (const spec of AGGREGATE_TABLES) {
      const before = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(spec.table)}`.execute(db);
      tables[spec.table] = { before: before.rows[0]!.n, after: 0 };
      await sql`delete from ${sql.table(spec.table)}`.execute(db);
    }
    // Rows may vanish for DIDs that no receipt names any more: make every instance reload what it holds.
    await bumpPlatformSetEpoch(db);
    let receipts = 0;
    for await (const page of receiptPages(db, 'live')) {
      receipts += page.length;
      await addToAggregates(db, page, params);
    }
    for (const spec of AGGREGATE_TABLES) {
      const after = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(spec.table)}`.execute(db);
      tables[spec.table]!.after = after.rows[0]!.n;
    }
    return { receipts, tables };
  });
}

/** One line per difference, for people. */
export function describeDifference(difference: AggregateDifference): string {
  const key = difference.key.join(' | ');
  if (difference.kind === 'missing') return `${difference.table} [${key}]: row missing`;
  if (difference.kind === 'unexpected') return `${difference.table} [${key}]: row present without receipts that count`;
  return `${difference.table} [${key}] ${difference.column}: stored ${difference.stored}, expected ${difference.expected}`;
}
