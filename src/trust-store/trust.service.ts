// trust(did), trustBatch and checkTrust: the pure engine over maintained aggregates and the stored propagation
// results. Reads never touch receipt rows. Each read is one SQL statement: it checks the versions of the requested
// DIDs and loads only what changed since this instance last read them, so a warm read costs the same for an
// agent with 10 receipts as for one with 100,000 (docs/trust-model.md, "Reading a report").
import type { Db } from '../db/database.ts';
import { computeTrustReport } from '../trust/engine.ts';
import { hourOf, DAY_MS, type AgentAggregates } from '../trust/evidence.ts';
import { DEFAULT_TRUST_PARAMS, type TrustParams } from '../trust/params.ts';
import { checkTrust, type TrustPolicy } from '../trust/policy.ts';
import type { NodeCredibility, PlatformStanding } from '../trust/propagation.ts';
import type { TrustReport } from '../trust/types.ts';
import { readTrustInputs, type CachedVersion, type LoadedAgent } from './trust-read.repository.ts';

export const MAX_TRUST_BATCH = 100;

/** Agents whose aggregates a service instance keeps in memory (least recently read evicted first). */
export const DEFAULT_TRUST_CACHE_SIZE = 10_000;

export interface TrustContextOverride {
  /** Propagation results computed in memory (the scores command), instead of the stored ones. */
  credibility?: Map<string, NodeCredibility>;
  platformShares?: Map<string, number>;
}

export interface TrustServiceOptions {
  params?: TrustParams;
  /** 0 turns the in-memory copy off (a service bound to one transaction must not keep what it read). */
  cacheSize?: number;
}

interface CachedAgent extends LoadedAgent {
  run: number;
  platformSet: number;
  /** Hour buckets are held from this hour on; an older asOf needs a reload. */
  fromHour: number;
}

export function createTrustService(db: Db, options: TrustServiceOptions = {}) {
  const params = options.params ?? DEFAULT_TRUST_PARAMS;
  const cacheSize = options.cacheSize ?? DEFAULT_TRUST_CACHE_SIZE;
  // A Map iterates in insertion order: re-inserting on every hit makes the first key the least recently used.
  const cache = new Map<string, CachedAgent>();

  function remember(agent: CachedAgent): void {
    if (cacheSize <= 0) return;
    cache.delete(agent.did);
    cache.set(agent.did, agent);
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
  }

  async function reports(dids: readonly string[], asOf: Date, override?: TrustContextOverride): Promise<TrustReport[]> {
    const unique = [...new Set(dids)];
    const fromHour = hourOf(asOf.getTime() - params.windows.d90 * DAY_MS);
    const useCache = !override && cacheSize > 0;
    const held = new Map<string, CachedAgent>();
    const known: CachedVersion[] = unique.map((did) => {
      const entry = useCache ? cache.get(did) : undefined;
      if (!entry || entry.fromHour > fromHour) return { did, version: -1, run: -1, platformSet: -1 };
      held.set(did, entry);
      return { did, version: entry.version, run: entry.run, platformSet: entry.platformSet };
    });
    const knownPlatforms = [...new Set([...held.values()].flatMap((entry) => entry.platformDids))];
    const read = await readTrustInputs(db, known, fromHour, knownPlatforms);

    const standings: Map<string, PlatformStanding> = override?.platformShares
      ? new Map([...read.standings].map(([did, standing]) => [did, { ...standing, credibleShare: override.platformShares!.get(did) ?? null }]))
      : read.standings;
    const computed = new Map<string, TrustReport>();
    for (const did of unique) {
      const loaded = read.loaded.get(did);
      const agent: LoadedAgent = loaded ?? held.get(did)!;
      if (loaded && useCache) remember({ ...loaded, run: read.run, platformSet: read.platformSet, fromHour });
      else if (!loaded) remember(held.get(did)!);
      const aggregates: AgentAggregates = {
        pairs: agent.pairs,
        clientPairs: agent.clientPairs,
        buckets: agent.buckets,
        client: agent.client,
        platforms: agent.platforms,
      };
      const credibility = override?.credibility ?? agent.credibility;
      const self = override?.credibility ? (override.credibility.get(did) ?? null) : agent.self;
      computed.set(did, computeTrustReport({ did, aggregates, credibility, platforms: standings, self }, params, asOf));
    }
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
