// Metrics for the abusive-client evaluation: how victims, abusive clients and genuinely bad workers score against
// honest agents, read from `credence scores` lines. Pure: labels and scores in, a summary out.
import { ABUSE_VARIANTS, type AbuseVariant, type Label } from './abusive-market.ts';

export interface ScoreLine {
  score: number;
  /** Flag codes on the line, or null when the line carries no `flags` field. */
  flags: string[] | null;
}

/** A flag that names abuse of the client side (`ABUSIVE_CLIENT` or a variant of that name). */
export const ABUSIVE_FLAG = /ABUSIVE/i;
export const RESTRICTED_FLAG = 'CLIENT_RESTRICTED';

/** One `credence scores` line → did and ScoreLine; flags may be codes or `{ code }` objects. */
export function parseScoreLine(text: string): [string, ScoreLine] | null {
  if (!text.trim()) return null;
  const o = JSON.parse(text) as { did?: unknown; score?: unknown; flags?: unknown };
  if (typeof o.did !== 'string') return null;
  const flags = Array.isArray(o.flags)
    ? o.flags
        .map((f: unknown) => (typeof f === 'string' ? f : f && typeof f === 'object' && typeof (f as { code?: unknown }).code === 'string' ? (f as { code: string }).code : null))
        .filter((f): f is string => f !== null)
    : null;
  return [o.did, { score: Number(o.score) || 0, flags }];
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
export const median = (values: number[]) => quantile(values, 0.5);

/** ROC AUC of `pos` above `neg` (Mann-Whitney U; ties count half). */
export function auc(pos: number[], neg: number[]): number {
  if (pos.length === 0 || neg.length === 0) return Number.NaN;
  const all = [...pos.map((x) => [x, 1] as const), ...neg.map((x) => [x, 0] as const)].sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]![0] === all[i]![0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k]![1] === 1) rankSum += rank;
    i = j + 1;
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

/** Share of `sorted` strictly below x, plus half the ties. */
export function percentileIn(sorted: number[], x: number): number {
  if (sorted.length === 0) return Number.NaN;
  let below = 0;
  let ties = 0;
  for (const v of sorted) {
    if (v < x) below++;
    else if (v === x) ties++;
  }
  return (below + ties / 2) / sorted.length;
}

export interface GroupStats {
  n: number;
  median: number;
  /** median / the other honest agents' median */
  ratioToHonest: number;
  /** Median over members of score / score on the stream without abusive hires (members with a clean score > 0). */
  medianOwnRatioToClean: number | null;
}

export interface FlagStats {
  /** Members carrying an abusive-client flag, or 'not exposed' when score lines have no flags. */
  flagged: number | 'not exposed';
  restricted: number | 'not exposed';
  of: number;
}

export interface AbuseSummary {
  honestMedian: number;
  /** Honest agents that are not victims; `hirers` are those of them that also hire (ordinary dispute rates). */
  honest: GroupStats & FlagStats & { hirers: GroupStats & FlagStats };
  newcomerMedian: number;
  victims: GroupStats & { byVariant: Partial<Record<AbuseVariant, GroupStats>> };
  abusiveClients: GroupStats &
    FlagStats & {
      /** Median over abusive clients of their percentile among honest agents' scores (0.5 = the median honest agent). */
      medianPercentileInHonest: number;
      shareAtOrAboveHonestMedian: number;
      byVariant: Partial<Record<AbuseVariant, GroupStats & FlagStats & { scored: number }>>;
    };
  badWorkers: GroupStats & FlagStats;
  falseFlags: { honestHirers: FlagStats; honestWorkers: FlagStats; ordinaryClientsScored: FlagStats };
  auc: {
    /** honest + victims + newcomers against abusive clients that work as agents + bad workers */
    trustedVsAdversarial: number;
    trustedVsAbusiveClients: number;
    honestVsBadWorkers: number;
    victimsVsBadWorkers: number;
  };
  flagsExposed: boolean;
}

export function evaluateAbuse(labels: Label[], full: Map<string, ScoreLine>, clean?: Map<string, ScoreLine>): AbuseSummary {
  const flagsExposed = [...full.values()].some((s) => s.flags !== null);
  // Working agents without a score line count 0 (as `credence scores` leaves them out); client-only DIDs are
  // scored only when something is about them as a subject, so they are kept out of agent comparisons unless scored.
  const scoreOf = (did: string) => full.get(did)?.score ?? 0;
  const of = (pred: (l: Label) => boolean) => labels.filter(pred);
  const isAgent = (l: Label) => l.class !== 'ordinary_client' && !(l.class === 'abusive_client' && l.variant === 'sybil_ring');

  const honest = of((l) => l.class === 'honest');
  const honestScores = honest.map((l) => scoreOf(l.did)).sort((a, b) => a - b);
  const honestMedian = median(honestScores);

  const group = (members: Label[]): GroupStats => {
    const scores = members.map((l) => scoreOf(l.did));
    const own = clean
      ? members.flatMap((l) => {
          const c = clean.get(l.did)?.score ?? 0;
          return c > 0 ? [scoreOf(l.did) / c] : [];
        })
      : [];
    return {
      n: members.length,
      median: median(scores),
      ratioToHonest: median(scores) / honestMedian,
      medianOwnRatioToClean: clean && own.length > 0 ? median(own) : null,
    };
  };
  const flagStats = (members: Label[]): FlagStats => {
    const lines = members.map((l) => full.get(l.did)).filter((s): s is ScoreLine => s !== undefined);
    return {
      flagged: flagsExposed ? lines.filter((s) => s.flags?.some((f) => ABUSIVE_FLAG.test(f))).length : 'not exposed',
      restricted: flagsExposed ? lines.filter((s) => s.flags?.includes(RESTRICTED_FLAG)).length : 'not exposed',
      of: members.length,
    };
  };

  const victims = of((l) => l.class === 'victim');
  const victimsByVariant: Partial<Record<AbuseVariant, GroupStats>> = {};
  for (const v of ABUSE_VARIANTS) {
    const members = victims.filter((l) => l.variant === v);
    if (members.length > 0) victimsByVariant[v] = group(members);
  }

  const abusiveAgents = of((l) => l.class === 'abusive_client' && isAgent(l));
  const abusiveByVariant: AbuseSummary['abusiveClients']['byVariant'] = {};
  for (const v of ABUSE_VARIANTS) {
    const members = of((l) => l.class === 'abusive_client' && l.variant === v);
    if (members.length === 0) continue;
    // Sybil-ring clients have no work of their own: compare only those the scores include.
    const compared = v === 'sybil_ring' ? members.filter((l) => full.has(l.did)) : members;
    abusiveByVariant[v] = { ...group(compared), ...flagStats(members), scored: members.filter((l) => full.has(l.did)).length };
  }
  const abusivePct = abusiveAgents.map((l) => percentileIn(honestScores, scoreOf(l.did)));

  const bad = of((l) => l.class === 'bad_worker');
  const newcomers = of((l) => l.class === 'newcomer');
  const trusted = [...honest, ...victims, ...newcomers].map((l) => scoreOf(l.did));
  const abusiveScores = abusiveAgents.map((l) => scoreOf(l.did));
  const badScores = bad.map((l) => scoreOf(l.did));

  const hirers = honest.filter((l) => l.role === 'client');
  return {
    honestMedian,
    honest: { ...group(honest), ...flagStats(honest), hirers: { ...group(hirers), ...flagStats(hirers) } },
    newcomerMedian: median(newcomers.map((l) => scoreOf(l.did))),
    victims: { ...group(victims), byVariant: victimsByVariant },
    abusiveClients: {
      ...group(abusiveAgents),
      ...flagStats(abusiveAgents),
      medianPercentileInHonest: median(abusivePct),
      shareAtOrAboveHonestMedian: abusiveScores.filter((s) => s >= honestMedian).length / (abusiveScores.length || 1),
      byVariant: abusiveByVariant,
    },
    badWorkers: { ...group(bad), ...flagStats(bad) },
    falseFlags: {
      honestHirers: flagStats(hirers),
      honestWorkers: flagStats(honest.filter((l) => l.role !== 'client')),
      ordinaryClientsScored: flagStats(of((l) => l.class === 'ordinary_client' && full.has(l.did))),
    },
    auc: {
      trustedVsAdversarial: auc(trusted, [...abusiveScores, ...badScores]),
      trustedVsAbusiveClients: auc(trusted, abusiveScores),
      honestVsBadWorkers: auc(honestScores, badScores),
      victimsVsBadWorkers: auc(victims.map((l) => scoreOf(l.did)), badScores),
    },
    flagsExposed,
  };
}
