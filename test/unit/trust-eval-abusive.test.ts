import { describe, expect, it } from 'vitest';
import { ImportLineSchema } from '../../src/receipts/import.ts';
import { auc, evaluateAbuse, parseScoreLine, type ScoreLine } from '../../scripts/abusive-eval-metrics.ts';
import { createRng, generateMarket, type ImportLine, type Label } from '../../scripts/abusive-market.ts';

const NOW = '2026-01-01T00:00:00Z';
const market = generateMarket({ seed: 7, agents: 100, platforms: 3, now: NOW });
const byClass = (cls: Label['class'], variant?: string) => market.labels.filter((l) => l.class === cls && (variant === undefined || l.variant === variant));
const negative = (r: ImportLine) => r.action_category.startsWith('economic.') && r.outcome !== 'accepted';
const economic = (r: ImportLine) => r.action_category.startsWith('economic.');

describe('abusive-client marketplace generator', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const again = generateMarket({ seed: 7, agents: 100, platforms: 3, now: NOW });
    expect(again.receipts).toEqual(market.receipts);
    expect(again.labels).toEqual(market.labels);
    const other = generateMarket({ seed: 8, agents: 100, platforms: 3, now: NOW });
    expect(other.receipts[0]).not.toEqual(market.receipts[0]);
    const a = createRng(1);
    const b = createRng(1);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
  });

  it('writes lines credence import accepts: valid, unique ids, no self-dealing, sorted, before now', () => {
    const ids = new Set<string>();
    let last = '';
    for (const r of market.receipts) {
      expect(ImportLineSchema.safeParse(r).success).toBe(true);
      expect(r.subject_did).not.toBe(r.counterparty_did);
      expect(r.subject_did).not.toBe(r.platform_did);
      expect(Date.parse(r.timestamp)).toBeLessThan(Date.parse(NOW));
      expect(r.timestamp >= last).toBe(true);
      last = r.timestamp;
      ids.add(r.receipt_id);
    }
    expect(ids.size).toBe(market.receipts.length);
    expect(new Set(market.meta.platforms).size).toBe(3);
  });

  it('has every population, and the clean stream is the full one minus exactly the abusive hires', () => {
    for (const cls of ['honest', 'newcomer', 'bad_worker', 'ordinary_client'] as const) expect(byClass(cls).length).toBeGreaterThan(0);
    for (const v of ['lone', 'competitor', 'spread', 'sybil_ring']) {
      expect(byClass('abusive_client', v).length).toBeGreaterThan(0);
      expect(byClass('victim', v).length).toBeGreaterThan(0);
    }
    const abusers = new Set(byClass('abusive_client').map((l) => l.did));
    const cleanIds = new Set(market.clean.map((r) => r.receipt_id));
    const removed = market.receipts.filter((r) => !cleanIds.has(r.receipt_id));
    expect(removed.length).toBe(market.meta.attackReceipts);
    expect(removed.length).toBeGreaterThan(0);
    // Removed receipts are about victims, from their abuser (or on the platform, for the applications before a hire).
    const victims = new Map(byClass('victim').map((l) => [l.did, l.group]));
    const group = new Map(byClass('abusive_client').map((l) => [l.did, l.group]));
    for (const r of removed) {
      expect(victims.has(r.subject_did)).toBe(true);
      if (r.counterparty_did !== r.platform_did) expect(group.get(r.counterparty_did)).toBe(victims.get(r.subject_did));
    }
    // Nothing an abuser filed against a victim is left in the clean stream.
    for (const r of market.clean) if (victims.has(r.subject_did)) expect(abusers.has(r.counterparty_did)).toBe(false);
  });

  it('gives abusive clients a clean worker record and mostly negative, small, escrow-verified abusive hires', () => {
    const abusers = byClass('abusive_client');
    const agentAbusers = abusers.filter((l) => l.variant !== 'sybil_ring');
    for (const a of agentAbusers) {
      const own = market.receipts.filter((r) => r.subject_did === a.did && economic(r));
      expect(own.filter((r) => r.outcome === 'accepted').length).toBeGreaterThanOrEqual(5);
    }
    const abuserDids = new Set(abusers.map((l) => l.did));
    const cleanIds = new Set(market.clean.map((r) => r.receipt_id));
    const hires = market.receipts.filter((r) => abuserDids.has(r.counterparty_did) && economic(r) && !cleanIds.has(r.receipt_id));
    expect(hires.every((r) => r.escrow_verified && r.value_usd <= 40)).toBe(true);
    expect(hires.filter(negative).length / hires.length).toBeGreaterThan(0.6);
    // Sybil-ring clients are fresh and client-only, each with a few hires.
    for (const s of byClass('abusive_client', 'sybil_ring')) {
      expect(market.receipts.some((r) => r.subject_did === s.did)).toBe(false);
      const n = hires.filter((r) => r.counterparty_did === s.did).length;
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(3);
    }
  });

  it('has bad workers disputed by many independent clients, far more often than honest workers', () => {
    const rate = (dids: string[]) => {
      const set = new Set(dids);
      const rs = market.clean.filter((r) => set.has(r.subject_did) && economic(r));
      return rs.filter(negative).length / rs.length;
    };
    const bad = byClass('bad_worker').map((l) => l.did);
    expect(rate(byClass('honest').map((l) => l.did))).toBeLessThan(0.08);
    expect(rate(bad)).toBeGreaterThan(0.25);
    const disputers = new Set(market.receipts.filter((r) => bad.includes(r.subject_did) && negative(r)).map((r) => r.counterparty_did));
    expect(disputers.size).toBeGreaterThan(bad.length * 2);
  });
});

describe('abusive-client metrics', () => {
  it('reads flags as codes or objects and says when a score line has none', () => {
    expect(parseScoreLine('{"did":"did:key:a","score":50,"flags":["ABUSIVE_CLIENT"]}')).toEqual(['did:key:a', { score: 50, flags: ['ABUSIVE_CLIENT'] }]);
    expect(parseScoreLine('{"did":"did:key:a","score":50,"flags":[{"code":"CLIENT_RESTRICTED","severity":"warning"}]}')?.[1].flags).toEqual(['CLIENT_RESTRICTED']);
    expect(parseScoreLine('{"did":"did:key:a","score":7}')?.[1]).toEqual({ score: 7, flags: null });
    expect(parseScoreLine('')).toBeNull();
  });

  it('computes AUC with ties counted half', () => {
    expect(auc([3, 4], [1, 2])).toBe(1);
    expect(auc([1], [2])).toBe(0);
    expect(auc([2], [2])).toBe(0.5);
  });

  it('compares victims, abusive clients and bad workers with honest agents and counts abusive flags', () => {
    const labels: Label[] = [
      { did: 'h1', class: 'honest', role: 'worker' },
      { did: 'h2', class: 'honest', role: 'worker' },
      { did: 'h3', class: 'honest', role: 'client' },
      { did: 'v1', class: 'victim', variant: 'lone', group: 'lone0' },
      { did: 'v2', class: 'victim', variant: 'lone', group: 'lone0' },
      { did: 'a1', class: 'abusive_client', variant: 'lone', group: 'lone0' },
      { did: 's1', class: 'abusive_client', variant: 'sybil_ring', group: 'sybil_ring0' },
      { did: 'b1', class: 'bad_worker' },
      { did: 'n1', class: 'newcomer' },
    ];
    const line = (score: number, flags: string[] | null = []): ScoreLine => ({ score, flags });
    const full = new Map<string, ScoreLine>([
      ['h1', line(60)], ['h2', line(80)], ['h3', line(70)],
      ['v1', line(35)], ['v2', line(35)],
      ['a1', line(90, ['ABUSIVE_CLIENT'])],
      ['b1', line(20)], ['n1', line(50)],
    ]);
    const clean = new Map<string, ScoreLine>([['v1', line(70)], ['v2', line(70)], ['a1', line(90)]]);
    const s = evaluateAbuse(labels, full, clean);
    expect(s.honestMedian).toBe(70);
    expect(s.victims.median).toBe(35);
    expect(s.victims.ratioToHonest).toBe(0.5);
    expect(s.victims.medianOwnRatioToClean).toBe(0.5);
    expect(s.abusiveClients.n).toBe(1); // the unscored sybil-ring client is not an agent to rank
    expect(s.abusiveClients.flagged).toBe(1);
    expect(s.abusiveClients.medianPercentileInHonest).toBe(1);
    expect(s.abusiveClients.byVariant.sybil_ring).toMatchObject({ n: 0, scored: 0, of: 1, flagged: 0 });
    expect(s.badWorkers.ratioToHonest).toBeCloseTo(20 / 70);
    expect(s.honest.hirers.flagged).toBe(0);
    expect(s.auc.trustedVsAbusiveClients).toBe(0);
    expect(s.auc.honestVsBadWorkers).toBe(1);
    expect(s.flagsExposed).toBe(true);
    // Without a flags field in any line, flags are reported as not exposed rather than as zero.
    const bare = new Map([...full].map(([did, l]) => [did, { score: l.score, flags: null }] as const));
    expect(evaluateAbuse(labels, bare).abusiveClients.flagged).toBe('not exposed');
  });
});
