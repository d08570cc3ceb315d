// The periodic credibility propagation: read every pair, propagate, replace the stored results. One run at a time
// across instances: the run holds a transaction-level advisory lock, and a second caller skips instead of waiting.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { propagateCredibility, type PropagationResult } from '../trust/propagation.ts';
import { loadGraph } from './aggregate.repository.ts';
import { anchorDids } from './anchors.repository.ts';
import { DEFAULT_TRUST_SETTINGS, type TrustSettings } from './settings.ts';

/** Arbitrary but fixed: the advisory lock id of the propagation job. */
export const PROPAGATION_LOCK_ID = 0x0c7ed3c3;
const ROWS_PER_STATEMENT = 1_000;

export interface PropagationRun {
  ran: boolean;
  stats?: PropagationResult['stats'];
  milliseconds?: number;
}

/**
 * Propagation over the stored graph as of `asOf`, without storing anything (the scores command). Anchors are the
 * configured ones plus those named through the admin API.
 */
export async function propagateFromStore(db: Db, asOf: Date, settings: Partial<TrustSettings> = {}): Promise<PropagationResult> {
  const { params, anchors } = { ...DEFAULT_TRUST_SETTINGS, ...settings };
  const [graph, stored] = await Promise.all([loadGraph(db), anchorDids(db)]);
  return propagateCredibility(
    { pairs: graph.pairs, agentPlatforms: graph.agentPlatforms, asOf: asOf.getTime(), anchors: new Set([...anchors, ...stored]) },
    params,
  );
}

export async function runPropagation(db: Db, asOf: Date, settings: Partial<TrustSettings> = {}): Promise<PropagationRun> {
  const started = performance.now();
  return db.transaction().execute(async (trx) => {
    const lock = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${PROPAGATION_LOCK_ID}) as locked`.execute(trx);
    if (!lock.rows[0]?.locked) return { ran: false };
    const result = await propagateFromStore(trx, asOf, settings);
    await sql`delete from trust_credibility`.execute(trx);
    await sql`delete from trust_platform_credibility`.execute(trx);
    const nodes = [...result.nodes.entries()];
    for (let offset = 0; offset < nodes.length; offset += ROWS_PER_STATEMENT) {
      const values = nodes
        .slice(offset, offset + ROWS_PER_STATEMENT)
        .map(
          ([did, n]) =>
            sql`(${did}, ${n.credibility}, ${n.density}, ${n.breadth}, ${n.activity}, ${n.seed}, ${n.anchor === true}, ${n.fairness ?? 1}, ${n.raterNegatives ?? 0}, ${n.raterExpected ?? 0}, ${n.raterAgents ?? 0})`,
        );
      await sql`
        insert into trust_credibility (did, credibility, density, breadth, activity, seed, anchor, fairness, rater_negatives, rater_expected, rater_agents)
        values ${sql.join(values)}`.execute(trx);
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
    return { ran: true, stats: result.stats, milliseconds: Math.round(performance.now() - started) };
  });
}
