// The periodic credibility propagation: read every pair, propagate, replace the stored results. One run at a time
// across instances: the run holds an advisory lock on its connection, and a second caller skips instead of
// waiting. The graph is read in keyset pages into typed arrays (src/trust/engine/pair-graph.ts), all pages and the write
// in one REPEATABLE READ transaction taken after the lock, so the run sees one snapshot and the previous run's
// results.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { propagateGraph, propagationResultOf, type GraphPropagation, type PropagationResult } from '../engine/propagation.ts';
import { anchorDids } from './anchors.repository.ts';
import { loadPairGraph, PAIR_GRAPH_PAGE_ROWS } from './pair-graph.repository.ts';
import { DEFAULT_TRUST_SETTINGS, type TrustSettings } from './settings.ts';

/** Arbitrary but fixed: the advisory lock id of the propagation job. */
export const PROPAGATION_LOCK_ID = 0x0c7ed3c3;
/** Rows per INSERT … SELECT FROM unnest(…): one array parameter per column, so no bound-parameter limit applies. */
const ROWS_PER_STATEMENT = 10_000;

export interface PropagationRun {
  ran: boolean;
  stats?: PropagationResult['stats'];
  milliseconds?: number;
}

export interface PropagationOptions {
  /** Rows per keyset page (tests use small pages to cross page boundaries). */
  pageRows?: number;
}

/**
 * Propagation over the stored graph as of `asOf`, without storing anything. Anchors are the configured ones plus
 * those named through the admin API. Run it inside a REPEATABLE READ transaction for one snapshot across pages.
 */
export async function propagateGraphFromStore(
  db: Db,
  asOf: Date,
  settings: Partial<TrustSettings> = {},
  options: PropagationOptions = {},
): Promise<GraphPropagation> {
  const { params, anchors } = { ...DEFAULT_TRUST_SETTINGS, ...settings };
  const stored = await anchorDids(db);
  const { graph } = await loadPairGraph(db, options.pageRows ?? PAIR_GRAPH_PAGE_ROWS);
  return propagateGraph(graph, asOf.getTime(), new Set([...anchors, ...stored]), params);
}

/** The same, Map-shaped (the scores command), read in one snapshot. */
export async function propagateFromStore(db: Db, asOf: Date, settings: Partial<TrustSettings> = {}): Promise<PropagationResult> {
  const run = db.isTransaction
    ? await propagateGraphFromStore(db, asOf, settings)
    : await db.transaction().setIsolationLevel('repeatable read').execute((trx) => propagateGraphFromStore(trx, asOf, settings));
  return propagationResultOf(run);
}

export async function runPropagation(db: Db, asOf: Date, settings: Partial<TrustSettings> = {}, options: PropagationOptions = {}): Promise<PropagationRun> {
  const started = performance.now();
  // One connection for the lock and the transaction: the lock is taken before the transaction's snapshot, so the
  // snapshot includes everything the previous holder committed (its results are replaced, never raced).
  return db.connection().execute(async (connection) => {
    const lock = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${PROPAGATION_LOCK_ID}) as locked`.execute(connection);
    if (!lock.rows[0]?.locked) return { ran: false };
    try {
      return await connection
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const result = await propagateGraphFromStore(trx, asOf, settings, options);
          await storePropagation(trx, result, asOf, started);
          return { ran: true, stats: result.stats, milliseconds: Math.round(performance.now() - started) };
        });
    } finally {
      // A broken connection has lost the lock with its session; otherwise the unlock must not mask the outcome.
      await sql`select pg_advisory_unlock(${PROPAGATION_LOCK_ID})`.execute(connection).catch(() => undefined);
    }
  });
}

async function storePropagation(trx: Db, result: GraphPropagation, asOf: Date, started: number): Promise<void> {
  await sql`delete from trust_credibility`.execute(trx);
  await sql`delete from trust_platform_credibility`.execute(trx);
  const present: number[] = [];
  for (let i = 0; i < result.names.length; i++) if (result.present[i]) present.push(i);
  for (let offset = 0; offset < present.length; offset += ROWS_PER_STATEMENT) {
    const chunk = present.slice(offset, offset + ROWS_PER_STATEMENT);
    const column = <T>(value: (i: number) => T) => chunk.map(value);
    const rated = (i: number) => result.rated[i] === 1;
    await sql`
      insert into trust_credibility (did, credibility, density, breadth, activity, seed, anchor, fairness, rater_negatives, rater_expected, rater_agents)
      select * from unnest(
        ${column((i) => result.names[i]!)}::text[], ${column((i) => result.credibility[i]!)}::float8[],
        ${column((i) => result.density[i]!)}::float8[], ${column((i) => result.breadth[i]!)}::float8[],
        ${column((i) => result.activity[i]!)}::float8[], ${column((i) => result.seed[i] === 1)}::boolean[],
        ${column((i) => result.anchor[i] === 1)}::boolean[], ${column((i) => (rated(i) ? result.fairness[i]! : 1))}::float8[],
        ${column((i) => (rated(i) ? result.raterNegatives[i]! : 0))}::float8[], ${column((i) => (rated(i) ? result.raterExpected[i]! : 0))}::float8[],
        ${column((i) => (rated(i) ? result.raterAgents[i]! : 0))}::int[])`.execute(trx);
  }
  const platforms = [...result.platforms.entries()].filter(([, p]) => p.credibleShare !== null);
  if (platforms.length > 0) {
    const values = platforms.map(([did, p]) => sql`(${did}, ${p.credibleShare})`);
    await sql`insert into trust_platform_credibility (platform_did, credible_share) values ${sql.join(values)}`.execute(trx);
  }
  const finished = new Date();
  await sql`
    insert into trust_propagation_runs (as_of, started_at, finished_at, nodes, edges, seeds, anchors, unfair_raters)
    values (${asOf}, ${new Date(finished.getTime() - (performance.now() - started))}, ${finished}, ${result.stats.nodes}, ${result.stats.edges},
      ${result.stats.seeds}, ${result.stats.anchors}, ${result.stats.unfairRaters})
  `.execute(trx);
}
