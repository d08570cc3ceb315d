// The database mirror of src/trust/engine/evidence.ts: each receipt's deltas become UPSERTs in the same transaction that
// stores (or revokes) it, and trust reads load the rows back. Rows are merged per key and written in key order,
// so concurrent batches lock aggregate rows in one order and cannot deadlock on each other.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { ReceiptRow } from '../../db/schema.ts';
import {
  AGGREGATE_COLUMNS,
  AGGREGATE_TABLE_NAMES,
  columnName,
  receiptDeltas,
  type AgentPlatformRow,
  type AggregateDelta,
  type AggregateTable,
  type PairRow,
} from '../engine/evidence.ts';
import { DEFAULT_TRUST_PARAMS, type AggregateParams } from '../engine/params.ts';
import type { ReceiptEvidence } from '../engine/types.ts';

const snake = columnName;
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

interface TableSpec {
  table: AggregateTable;
  keys: readonly string[];
  sums: readonly string[];
  /** The count that says whether a row still holds evidence after a revocation. */
  presence: string;
}

// Derived from the one declaration in src/trust/engine/evidence.ts: the SQL below writes exactly the declared columns.
const TABLES = Object.fromEntries(
  (Object.keys(AGGREGATE_COLUMNS) as AggregateTable[]).map((table) => {
    const { keys, sums, presence } = AGGREGATE_COLUMNS[table];
    const spec: TableSpec = { table, keys, sums, presence };
    return [table, spec];
  }),
) as Record<AggregateTable, TableSpec>;

/** Rows per INSERT statement: keeps the bound parameters well under PostgreSQL's 65,535. */
const ROWS_PER_STATEMENT = 500;
/** Version rows per statement (one parameter each). */
const VERSIONS_PER_STATEMENT = 2_000;

export function receiptEvidence(row: ReceiptRow): ReceiptEvidence {
  return {
    receiptId: row.receipt_id,
    subjectDid: row.subject_did,
    counterpartyDid: row.counterparty_did,
    platformDid: row.platform_did,
    actionCategory: row.action_category as ReceiptEvidence['actionCategory'],
    actionType: row.action_type,
    outcome: row.outcome,
    valueUsd: Number(row.value_usd),
    occurredAt: new Date(row.occurred_at),
    confidence: row.confidence,
    escrowVerified: row.escrow_verified,
  };
}

interface MergedRow {
  key: Record<string, string | number>;
  add: Record<string, number>;
  firstHour?: number;
  lastHour?: number;
  econFirstHour?: number | null;
  econLastHour?: number | null;
}

function mergeDeltas(deltas: readonly AggregateDelta[]): Map<AggregateDelta['table'], MergedRow[]> {
  const byTable = new Map<AggregateDelta['table'], Map<string, MergedRow>>();
  for (const delta of deltas) {
    const spec = TABLES[delta.table];
    const key = delta.key as Record<string, string | number>;
    const id = spec.keys.map((k) => key[k]).join('\n');
    let rows = byTable.get(delta.table);
    if (!rows) byTable.set(delta.table, (rows = new Map()));
    let merged = rows.get(id);
    if (!merged) {
      merged = { key, add: Object.fromEntries(spec.sums.map((c) => [c, 0])) };
      rows.set(id, merged);
    }
    const add = delta.add as unknown as Record<string, number>;
    for (const column of spec.sums) merged.add[column]! += add[column] ?? 0;
    if (delta.table === 'trust_pair') {
      merged.firstHour = Math.min(merged.firstHour ?? delta.hour, delta.hour);
      merged.lastHour = Math.max(merged.lastHour ?? delta.hour, delta.hour);
      if (delta.econHour !== null) {
        merged.econFirstHour = Math.min(merged.econFirstHour ?? delta.econHour, delta.econHour);
        merged.econLastHour = Math.max(merged.econLastHour ?? delta.econHour, delta.econHour);
      }
    }
  }
  const sorted = new Map<AggregateDelta['table'], MergedRow[]>();
  for (const [table, rows] of byTable) {
    sorted.set(table, [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row));
  }
  return sorted;
}

/** The SQL type of a key column: hours are integers, every other key is text (sums are all double precision). */
const keyType = (key: string) => (key === 'hour' ? 'int4' : 'text');

/**
 * One INSERT … ON CONFLICT DO UPDATE adding `rows` (at most ROWS_PER_STATEMENT) to a table's sums; it returns, per
 * row, whether it was inserted rather than updated (xmax = 0). The rows travel as one array per column (unnest), so
 * the statement's text and its parameter count do not depend on how many rows there are: building and compiling a
 * statement with a parameter per cell was the largest share of a receipt write's own CPU after the signature checks.
 * unnest hands the rows over in array order, so they still lock in key order.
 */
function upsertStatement(spec: TableSpec, rows: readonly MergedRow[], widenSpans: boolean) {
  const keyColumns = spec.keys.map(snake);
  const sumColumns = spec.sums.map(snake);
  const spanFields = spec.table === 'trust_pair' ? (['firstHour', 'lastHour', 'econFirstHour', 'econLastHour'] as const) : [];
  const spanColumns = spanFields.map(snake);
  const columns = [...keyColumns, ...sumColumns, ...spanColumns];
  const arrays = [
    ...spec.keys.map((k) => sql`${rows.map((row) => row.key[k])}::${sql.raw(keyType(k))}[]`),
    ...spec.sums.map((c) => sql`${rows.map((row) => row.add[c])}::float8[]`),
    ...spanFields.map((field) => sql`${rows.map((row) => row[field] ?? null)}::int4[]`),
  ];
  const updates = [
    ...sumColumns.map((c) => sql`${sql.ref(c)} = ${sql.table(spec.table)}.${sql.ref(c)} + excluded.${sql.ref(c)}`),
    ...(widenSpans && spanColumns.length
      ? [
          sql`first_hour = least(${sql.table(spec.table)}.first_hour, excluded.first_hour)`,
          sql`last_hour = greatest(${sql.table(spec.table)}.last_hour, excluded.last_hour)`,
          sql`econ_first_hour = least(${sql.table(spec.table)}.econ_first_hour, excluded.econ_first_hour)`,
          sql`econ_last_hour = greatest(${sql.table(spec.table)}.econ_last_hour, excluded.econ_last_hour)`,
        ]
      : []),
  ];
  return sql`
    insert into ${sql.table(spec.table)} (${sql.join(columns.map((c) => sql.ref(c)))})
    select * from unnest(${sql.join(arrays)})
    on conflict (${sql.join(keyColumns.map((c) => sql.ref(c)))}) do update set ${sql.join(updates)}
    returning (xmax = 0) as inserted
  `;
}

/** Every instance's in-memory trust inputs are tagged with this epoch: bumping it makes all of them reload. */
export async function bumpPlatformSetEpoch(db: Db): Promise<void> {
  await sql`
    insert into trust_epochs (name, value) values ('platform_set', 1)
    on conflict (name) do update set value = trust_epochs.value + 1
  `.execute(db);
}

/**
 * Applies merged deltas and bumps the versions of `dids`, all in one statement (data-modifying CTEs: every table's
 * upsert, then the version bumps), repeated only when a table has more than ROWS_PER_STATEMENT rows. Each round trip
 * of a write under read load waits a full turn of the event loop: six statements cost six turns, one costs one.
 * Additions and revocations both go through here, so they lock rows table by table in the same order and cannot
 * deadlock on each other. Returns whether a trust_platform row was inserted (a platform DID appeared).
 */
async function applyDeltas(db: Db, merged: ReadonlyArray<[AggregateTable, MergedRow[]]>, dids: readonly string[], widenSpans: boolean): Promise<boolean> {
  const rounds = Math.max(1, ...merged.map(([, rows]) => Math.ceil(rows.length / ROWS_PER_STATEMENT)), Math.ceil(dids.length / VERSIONS_PER_STATEMENT));
  let newPlatform = false;
  for (let round = 0; round < rounds; round += 1) {
    const ctes = [];
    let platformCte = false;
    for (const table of AGGREGATE_TABLE_NAMES) {
      const chunk = (merged.find(([name]) => name === table)?.[1] ?? []).slice(round * ROWS_PER_STATEMENT, (round + 1) * ROWS_PER_STATEMENT);
      if (chunk.length === 0) continue;
      if (table === 'trust_platform') platformCte = true;
      ctes.push(sql`${sql.id(`${table}_upserted`)} as (${upsertStatement(TABLES[table], chunk, widenSpans)})`);
    }
    // In DID order, so concurrent batches lock version rows in one order.
    const versionChunk = dids.slice(round * VERSIONS_PER_STATEMENT, (round + 1) * VERSIONS_PER_STATEMENT);
    if (versionChunk.length > 0) {
      ctes.push(sql`versions_bumped as (
        insert into trust_agent_version (did, version) select did, 1 from unnest(${versionChunk}::text[]) as did
        on conflict (did) do update set version = trust_agent_version.version + 1
        returning 1
      )`);
    }
    if (ctes.length === 0) continue;
    // Data-modifying CTEs run to completion whether or not the main query reads them.
    const result = await sql<{ new_platform: boolean }>`
      with ${sql.join(ctes)}
      select ${platformCte ? sql`exists (select 1 from trust_platform_upserted where inserted)` : sql`false`} as new_platform
    `.execute(db);
    newPlatform ||= result.rows[0]?.new_platform === true;
  }
  return newPlatform;
}

/** The subjects and counterparties of `receipts`, sorted: whose reports the change moves. */
const affectedDids = (receipts: readonly ReceiptRow[]) => [...new Set(receipts.flatMap((r) => [r.subject_did, r.counterparty_did]))].sort();

/** Adds stored receipts to the aggregates; call inside the transaction that stored them. */
export async function addToAggregates(db: Db, receipts: readonly ReceiptRow[], params: AggregateParams = DEFAULT_TRUST_PARAMS.aggregate): Promise<void> {
  if (receipts.length === 0) return;
  const deltas = receipts.flatMap((row) => receiptDeltas(receiptEvidence(row), 1, params));
  const newPlatform = await applyDeltas(db, [...mergeDeltas(deltas)], affectedDids(receipts), true);
  // A platform DID that appeared changes every reader's platform set. A statement of its own, and only then: the
  // epoch's trigger fires per statement, even one that changes no row, and tells every instance to drop everything.
  if (newPlatform) await bumpPlatformSetEpoch(db);
}

/**
 * Takes revoked receipts out: the same deltas negated, rows left empty deleted, and the affected pairs' spans
 * recomputed from the receipts that still count. Call inside the transaction that marks them revoked.
 */
export async function subtractFromAggregates(db: Db, receipts: readonly ReceiptRow[], params: AggregateParams = DEFAULT_TRUST_PARAMS.aggregate): Promise<void> {
  if (receipts.length === 0) return;
  const deltas = receipts.flatMap((row) => receiptDeltas(receiptEvidence(row), -1, params));
  const merged = [...mergeDeltas(deltas)];
  await applyDeltas(db, merged, affectedDids(receipts), false);
  let platformSetChanged = false;
  for (const [table, rows] of merged) {
    const spec = TABLES[table];
    // Sums are floats; a row whose count is back to zero holds no evidence.
    // Only the rows this revocation touched: a whole-table scan would grow with everyone's history.
    const keyColumns = spec.keys.map((k) => sql.ref(snake(k)));
    for (let offset = 0; offset < rows.length; offset += ROWS_PER_STATEMENT) {
      const keys = rows.slice(offset, offset + ROWS_PER_STATEMENT).map((row) => sql`(${sql.join(spec.keys.map((k) => sql`${row.key[k]}`))})`);
      const deleted = await sql`
        delete from ${sql.table(spec.table)}
        where (${sql.join(keyColumns)}) in (${sql.join(keys)}) and ${sql.ref(snake(spec.presence))} < 0.5
      `.execute(db);
      if (table === 'trust_platform' && Number(deleted.numAffectedRows ?? 0) > 0) platformSetChanged = true;
    }
  }
  if (platformSetChanged) await bumpPlatformSetEpoch(db);
  const pairs = [...new Map(receipts.map((r) => [`${r.subject_did}\n${r.counterparty_did}`, r])).values()];
  for (const pair of pairs) {
    await sql`
      update trust_pair set
        first_hour = span.first_hour, last_hour = span.last_hour,
        econ_first_hour = span.econ_first_hour, econ_last_hour = span.econ_last_hour
      from (
        select
          floor(extract(epoch from min(occurred_at)) / 3600)::int as first_hour,
          floor(extract(epoch from max(occurred_at)) / 3600)::int as last_hour,
          floor(extract(epoch from min(occurred_at) filter (where action_category like 'economic.%')) / 3600)::int as econ_first_hour,
          floor(extract(epoch from max(occurred_at) filter (where action_category like 'economic.%')) / 3600)::int as econ_last_hour
        from receipts
        where subject_did = ${pair.subject_did} and counterparty_did = ${pair.counterparty_did} and revoked_at is null
      ) as span
      where trust_pair.subject_did = ${pair.subject_did} and trust_pair.counterparty_did = ${pair.counterparty_did}
    `.execute(db);
  }
}

function toCamel<T>(row: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [camel(k), v])) as T;
}

/** Every pair and agent-platform row: the propagation job's input. */
export async function loadGraph(db: Db): Promise<{ pairs: PairRow[]; agentPlatforms: AgentPlatformRow[] }> {
  const [pairs, agentPlatforms] = await Promise.all([
    db.selectFrom('trust_pair').selectAll().execute(),
    db.selectFrom('trust_agent_platform').selectAll().execute(),
  ]);
  return { pairs: pairs.map((r) => toCamel<PairRow>(r)), agentPlatforms: agentPlatforms.map((r) => toCamel<AgentPlatformRow>(r)) };
}

/** The maintained aggregate tables (keys and sums as camelCase names of src/trust/engine/evidence.ts), for audits and rebuilds. */
export type AggregateTableSpec = TableSpec;
export const AGGREGATE_TABLES: readonly AggregateTableSpec[] = Object.values(TABLES);
