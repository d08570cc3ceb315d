// The aggregate contract the database mirrors: which rows one receipt touches, with which deltas, and that folding
// is order-independent and revocable.
import { describe, expect, it } from 'vitest';
import {
  AGENT_PLATFORM_SUM_COLUMNS,
  applyDelta,
  buildAggregates,
  CLIENT_SUM_COLUMNS,
  createAggregateStore,
  DEFAULT_TRUST_PARAMS,
  economicClass,
  epochWeight,
  HOUR_SUM_COLUMNS,
  hourOf,
  PAIR_SUM_COLUMNS,
  pairSpan,
  PLATFORM_SUM_COLUMNS,
  receiptDeltas,
  receiptUnit,
  revokeReceipt,
  rowMaker,
  emptySums,
  PAIR_ROW_FIELDS,
  type AggregateStore,
  type ReceiptEvidence,
} from '../../../src/trust/engine/index.ts';
import { hasFastProperties } from '../../helpers/object-shape.ts';
import { AGENT, AS_OF, daysAgo, HOUR, P1, P2, receipt, shuffled } from './fixtures.ts';

const agg = DEFAULT_TRUST_PARAMS.aggregate;
const BUYER = 'did:key:z6MkBuyer';

describe('receiptDeltas', () => {
  it('an accepted escrow job touches pair, hour, subject platform, client, client platform and platform rows', () => {
    const r = receipt({ usd: 300, at: daysAgo(10) });
    const deltas = receiptDeltas(r);
    expect(deltas.map((d) => d.table)).toEqual(['trust_pair', 'trust_agent_hour', 'trust_agent_platform', 'trust_client', 'trust_agent_platform', 'trust_platform']);
    const [pair, hour, subjectPlatform, client, clientPlatform, platform] = deltas;
    const h = hourOf(daysAgo(10));
    const unit = 0.5 + 0.5 * Math.log2(1 + 300 / 100);
    expect(pair).toMatchObject({ key: { subjectDid: AGENT, counterpartyDid: BUYER }, hour: h, econHour: h });
    expect(pair!.table === 'trust_pair' && pair!.add).toMatchObject({
      receipts: 1, econAccepted: 1, econEscrow: 1, escrowAccepted: 1, valueAcceptedUsd: 300, valueEscrowAcceptedUsd: 300, posMass: unit,
      econDisputed: 0, completions: 0,
    });
    if (pair!.table !== 'trust_pair') throw new Error('unreachable');
    expect(pair!.add.posMassEp).toBeCloseTo(unit * 2 ** ((daysAgo(10) - agg.decayEpochMs) / (90 * 86_400_000)), 6);
    expect(pair!.add.acceptedEp).toBeCloseTo(epochWeight(daysAgo(10), 90, agg), 9);
    expect(hour).toMatchObject({ key: { subjectDid: AGENT, hour: h }, add: { receipts: 1, econAccepted: 1, econEscrow: 1, valueAcceptedUsd: 300, valueEscrowAcceptedUsd: 300 } });
    expect(subjectPlatform).toMatchObject({ key: { did: AGENT, platformDid: P1, role: 'subject' }, add: { receipts: 1, econAccepted: 1, escrowAccepted: 1, escrowHourSum: h } });
    expect(client).toMatchObject({ key: { clientDid: BUYER }, add: { jobs: 1, accepted: 1, disputesFiled: 0, escrowJobs: 1, escrowSpendUsd: 300 } });
    expect(clientPlatform).toMatchObject({ key: { did: BUYER, platformDid: P1, role: 'client' }, add: { econAccepted: 1, escrowAccepted: 1 } });
    expect(platform).toMatchObject({ key: { platformDid: P1 }, add: { receipts: 1, econ: 1, econAccepted: 1, econEscrow: 1, hourSum: h } });
  });

  it('a non-economic receipt has no client rows; its negative evidence uses the long half-life', () => {
    const r = receipt({ counterparty: P2, platform: P2, category: 'compliance.violation', outcome: 'disputed', usd: 0, escrow: false, at: daysAgo(30) });
    const deltas = receiptDeltas(r);
    expect(deltas.map((d) => d.table)).toEqual(['trust_pair', 'trust_agent_hour', 'trust_agent_platform', 'trust_platform']);
    const pair = deltas[0]!;
    if (pair.table !== 'trust_pair') throw new Error('unreachable');
    expect(pair.econHour).toBeNull();
    expect(pair.add.violations).toBe(1);
    expect(pair.add.violationsEp).toBeCloseTo(epochWeight(daysAgo(30), 180, agg), 9);
  });

  it('revocation is the same deltas negated', () => {
    const r = receipt({ usd: 42, outcome: 'disputed', category: 'economic.dispute' });
    const plus = receiptDeltas(r, 1);
    const minus = receiptDeltas(r, -1);
    expect(minus.map((d) => d.key)).toEqual(plus.map((d) => d.key));
    minus.forEach((delta, i) => {
      for (const [column, value] of Object.entries(delta.add)) expect(value).toBe((plus[i]!.add as Record<string, number>)[column]! * -1 + 0);
    });
  });

  it('classifies each economic receipt exactly once and scales only escrow-verified value', () => {
    expect(economicClass({ actionCategory: 'economic.transaction', outcome: 'accepted' })).toBe('accepted');
    expect(economicClass({ actionCategory: 'economic.transaction', outcome: 'rejected' })).toBe('refunded');
    expect(economicClass({ actionCategory: 'economic.transaction', outcome: 'disputed' })).toBe('disputed');
    expect(economicClass({ actionCategory: 'economic.refund', outcome: 'accepted' })).toBe('refunded');
    expect(economicClass({ actionCategory: 'economic.dispute', outcome: 'accepted' })).toBe('disputed');
    expect(economicClass({ actionCategory: 'productivity.completion', outcome: 'accepted' })).toBeNull();
    expect(receiptUnit(false, 1e6, agg)).toBe(0.5);
    expect(receiptUnit(true, 0, agg)).toBe(0.5);
    expect(receiptUnit(true, 100, agg)).toBe(1);
    expect(receiptUnit(true, 700, agg)).toBe(2);
  });
});

describe('row shapes', () => {
  it('rowMaker sets each field from the values at the offset, and takes only identifiers as field names', () => {
    const make = rowMaker<{ a: number; b: string | null }>(['a', 'b']);
    expect(make([1, 'x'])).toEqual({ a: 1, b: 'x' });
    expect(make(['skip', 'skip', 7, null], 2)).toEqual({ a: 7, b: null });
    expect(() => rowMaker(['a', 'b: 1, c'])).toThrow(/not a row field name/);
    expect(() => rowMaker(['constructor()'])).toThrow(/not a row field name/);
  });

  it('every row the mirror and the makers build has one fixed shape, not a dictionary', () => {
    // The check itself tells the two apart: a row given as many fields one key at a time is a dictionary.
    const keyByKey: Record<string, unknown> = {};
    for (const field of PAIR_ROW_FIELDS) keyByKey[field] = 0;
    expect(hasFastProperties(keyByKey)).toBe(false);

    expect(hasFastProperties(rowMaker<object>(PAIR_ROW_FIELDS)(PAIR_ROW_FIELDS.map(() => 0)))).toBe(true);
    expect(hasFastProperties(emptySums('trust_pair'))).toBe(true);
    const store = buildAggregates([
      receipt({ counterparty: BUYER }),
      receipt({ counterparty: BUYER, category: 'economic.dispute', outcome: 'disputed', at: daysAgo(2) }),
    ]);
    const rows = [...store.pairs.values(), ...store.hours.values(), ...store.clients.values(), ...store.agentPlatforms.values(), ...store.platforms.values()];
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const row of rows) expect(hasFastProperties(row)).toBe(true);
  });
});

describe('in-memory mirror', () => {
  it('every sum column is added by the mirror (a delta of all ones gives a row of all ones)', () => {
    const store = createAggregateStore();
    const ones = <T extends string>(columns: T[]) => Object.fromEntries(columns.map((c) => [c, 1])) as Record<T, number>;
    applyDelta(store, { table: 'trust_pair', key: { subjectDid: 'a', counterpartyDid: 'b' }, add: ones(PAIR_SUM_COLUMNS), hour: 5, econHour: 5 }, 1);
    applyDelta(store, { table: 'trust_agent_hour', key: { subjectDid: 'a', hour: 5 }, add: ones(HOUR_SUM_COLUMNS) }, 1);
    applyDelta(store, { table: 'trust_client', key: { clientDid: 'b' }, add: ones(CLIENT_SUM_COLUMNS) }, 1);
    applyDelta(store, { table: 'trust_agent_platform', key: { did: 'a', platformDid: 'p', role: 'subject' }, add: ones(AGENT_PLATFORM_SUM_COLUMNS) }, 1);
    applyDelta(store, { table: 'trust_platform', key: { platformDid: 'p' }, add: ones(PLATFORM_SUM_COLUMNS) }, 1);
    const rows: [Record<string, unknown>, string[]][] = [
      [[...store.pairs.values()][0]!, PAIR_SUM_COLUMNS],
      [[...store.hours.values()][0]!, HOUR_SUM_COLUMNS],
      [[...store.clients.values()][0]!, CLIENT_SUM_COLUMNS],
      [[...store.agentPlatforms.values()][0]!, AGENT_PLATFORM_SUM_COLUMNS],
      [[...store.platforms.values()][0]!, PLATFORM_SUM_COLUMNS],
    ] as never;
    for (const [row, columns] of rows) {
      for (const column of columns) expect(row[column], column).toBe(1);
      const numeric = Object.entries(row).filter(([, v]) => typeof v === 'number').map(([k]) => k);
      const extra = numeric.filter((k) => !columns.includes(k));
      expect(extra.every((k) => ['hour', 'firstHour', 'lastHour', 'econFirstHour', 'econLastHour'].includes(k))).toBe(true);
    }
  });

  const mixed: ReceiptEvidence[] = [
    ...Array.from({ length: 12 }, (_, i) => receipt({ counterparty: `did:key:z6MkC${i % 5}`, usd: 20 + i * 37, at: daysAgo(i * 3.3), escrow: i % 3 !== 0 })),
    receipt({ counterparty: 'did:key:z6MkC1', category: 'economic.dispute', outcome: 'disputed', at: daysAgo(5) }),
    receipt({ counterparty: P1, category: 'productivity.application', usd: 0, escrow: false, at: daysAgo(8) }),
    receipt({ counterparty: P1, category: 'social.post', usd: 0, escrow: false, at: daysAgo(8) + HOUR }),
    receipt({ subject: 'did:key:z6MkC2', counterparty: AGENT, at: daysAgo(9), platform: P2 }),
  ];
  const snapshot = (store: AggregateStore) => ({
    pairs: [...store.pairs.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    hours: [...store.hours.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    clients: [...store.clients.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    agentPlatforms: [...store.agentPlatforms.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    platforms: [...store.platforms.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
  });
  /** Equal up to the last bits of the decayed double sums. */
  const close = (x: unknown, y: unknown): void => {
    if (typeof x === 'number' && typeof y === 'number') expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(y)));
    else if (x && typeof x === 'object') for (const key of Object.keys(x)) close((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]);
    else expect(x).toEqual(y);
  };

  it('folding is order-independent', () => {
    const first = snapshot(buildAggregates(mixed));
    for (const seed of [7, 8, 9]) close(snapshot(buildAggregates(shuffled(mixed, seed))), first);
  });

  it('revoking every receipt empties every table', () => {
    const store = buildAggregates(mixed);
    for (const r of shuffled(mixed, 3)) revokeReceipt(store, r, []);
    expect([store.pairs.size, store.hours.size, store.clients.size, store.agentPlatforms.size, store.platforms.size]).toEqual([0, 0, 0, 0, 0]);
    expect([store.pairsBySubject.size, store.pairsByCounterparty.size, store.hoursBySubject.size, store.agentPlatformsByDid.size]).toEqual([0, 0, 0, 0]);
  });

  it('revoking one receipt and refreshing the span gives the store that never saw it', () => {
    const victim = mixed[4]!;
    const rest = mixed.filter((r) => r !== victim);
    const store = buildAggregates(mixed);
    revokeReceipt(store, victim, rest.filter((r) => r.subjectDid === victim.subjectDid && r.counterpartyDid === victim.counterpartyDid));
    close(snapshot(store), snapshot(buildAggregates(rest)));
  });

  it('pairSpan reports first/last hour overall and of economic receipts', () => {
    expect(pairSpan([])).toBeNull();
    expect(
      pairSpan([
        receipt({ category: 'social.post', at: AS_OF - 5 * HOUR }),
        receipt({ at: AS_OF - 3 * HOUR }),
        receipt({ category: 'productivity.completion', at: AS_OF - HOUR }),
      ]),
    ).toEqual({ firstHour: hourOf(AS_OF) - 5, lastHour: hourOf(AS_OF) - 1, econFirstHour: hourOf(AS_OF) - 3, econLastHour: hourOf(AS_OF) - 3 });
  });
});

describe('self-dealing', () => {
  it('a receipt naming its subject as counterparty only updates its own pair row', () => {
    const deltas = receiptDeltas(receipt({ counterparty: AGENT }));
    expect(deltas.map((d) => d.table)).toEqual(['trust_pair']);
  });
});
