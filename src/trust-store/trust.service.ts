// trust(did), trustBatch and checkTrust: the pure engine over maintained aggregates and the stored propagation
// results. Reads never touch receipt rows.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { computeTrustReport } from '../trust/engine.ts';
import type { AgentAggregates } from '../trust/evidence.ts';
import { DEFAULT_TRUST_PARAMS, type TrustParams } from '../trust/params.ts';
import { checkTrust, type TrustPolicy } from '../trust/policy.ts';
import type { NodeCredibility, PlatformStanding, PlatformStatus } from '../trust/propagation.ts';
import type { TrustReport } from '../trust/types.ts';
import { loadAggregates, loadPlatformRows } from './aggregate.repository.ts';

export const MAX_TRUST_BATCH = 100;

export interface TrustContextOverride {
  /** Propagation results computed in memory (the scores command), instead of the stored ones. */
  credibility?: Map<string, NodeCredibility>;
  platformShares?: Map<string, number>;
}

export function createTrustService(db: Db, params: TrustParams = DEFAULT_TRUST_PARAMS) {
  async function credibilityOf(dids: readonly string[]): Promise<Map<string, NodeCredibility>> {
    if (dids.length === 0) return new Map();
    const rows = await sql<{ did: string; credibility: number; density: number; breadth: number; activity: number; seed: boolean }>`
      select * from trust_credibility where did in (${sql.join(dids.map((d) => sql`${d}`))})`.execute(db);
    return new Map(rows.rows.map((r) => [r.did, { credibility: r.credibility, density: r.density, breadth: r.breadth, activity: r.activity, seed: r.seed }]));
  }

  async function standingsOf(platformDids: readonly string[], override?: TrustContextOverride): Promise<Map<string, PlatformStanding>> {
    const rows = await loadPlatformRows(db, platformDids);
    const known = rows.map((row) => row.platformDid);
    if (known.length === 0) return new Map();
    const [registry, shares] = await Promise.all([
      db.selectFrom('platforms').select(['did', 'status', 'registered_at']).where('did', 'in', known).execute(),
      override?.platformShares
        ? Promise.resolve(null)
        : sql<{ platform_did: string; credible_share: number }>`
            select * from trust_platform_credibility where platform_did in (${sql.join(known.map((d) => sql`${d}`))})`.execute(db),
    ]);
    const registered = new Map(registry.map((r) => [r.did, r]));
    const shareOf = override?.platformShares ?? new Map((shares?.rows ?? []).map((r) => [r.platform_did, r.credible_share]));
    return new Map(
      rows.map((row) => {
        const entry = registered.get(row.platformDid);
        return [
          row.platformDid,
          {
            status: (entry ? entry.status.toLowerCase() : 'unknown') as PlatformStatus,
            registeredAtMs: entry ? new Date(entry.registered_at).getTime() : null,
            row,
            credibleShare: shareOf.get(row.platformDid) ?? null,
          },
        ];
      }),
    );
  }

  async function reports(dids: readonly string[], asOf: Date, override?: TrustContextOverride): Promise<TrustReport[]> {
    const unique = [...new Set(dids)];
    const stored = await loadAggregates(db, unique, asOf);
    const related = new Set<string>(unique);
    for (const pair of stored.pairs) related.add(pair.counterpartyDid);
    for (const pair of stored.clientPairs) related.add(pair.subjectDid);
    const platformDids = new Set<string>(stored.platforms.map((p) => p.platformDid));
    for (const did of related) platformDids.add(did);
    const [credibility, platforms] = await Promise.all([
      override?.credibility ? Promise.resolve(override.credibility) : credibilityOf([...related]),
      standingsOf([...platformDids], override),
    ]);
    const byDid = new Map<string, AgentAggregates>(
      unique.map((did) => [did, { pairs: [], clientPairs: [], buckets: [], client: null, platforms: [] }]),
    );
    for (const pair of stored.pairs) byDid.get(pair.subjectDid)?.pairs.push(pair);
    for (const pair of stored.clientPairs) byDid.get(pair.counterpartyDid)?.clientPairs.push(pair);
    for (const bucket of stored.buckets) byDid.get(bucket.subjectDid)?.buckets.push(bucket);
    for (const client of stored.clients) {
      const aggregates = byDid.get(client.clientDid);
      if (aggregates) aggregates.client = client;
    }
    for (const platform of stored.platforms) byDid.get(platform.did)?.platforms.push(platform);
    const computed = new Map(
      unique.map((did) => [did, computeTrustReport({ did, aggregates: byDid.get(did)!, credibility, platforms }, params, asOf)]),
    );
    return dids.map((did) => computed.get(did)!);
  }

  return {
    reports,
    async report(did: string, asOf: Date): Promise<TrustReport> {
      const [report] = await reports([did], asOf);
      return report!;
    },
    async check(did: string, policy: TrustPolicy, asOf: Date) {
      const [report] = await reports([did], asOf);
      return { ...checkTrust(report!, policy), report: report! };
    },
  };
}

export type TrustService = ReturnType<typeof createTrustService>;
