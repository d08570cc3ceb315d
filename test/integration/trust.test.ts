import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAggregates, PAIR_SUM_COLUMNS } from '../../src/trust/engine/evidence.ts';
import { receiptEvidence } from '../../src/trust/store/aggregate.repository.ts';
import { sql } from 'kysely';
import { PROPAGATION_LOCK_ID, runPropagation } from '../../src/trust/store/propagation-job.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createScene, recordEscrow, signReceipt, SUBMIT, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const REPORT = /* GraphQL */ `
  fragment R on TrustReport {
    did score tier confidence asOf
    vector { E P B D R A C }
    windows { d7 { tasks accepted } d30 { tasks accepted uniqueCounterparties } lifetime { tasks accepted disputed escrowVerifiedShare } }
    client { jobsAsClient disputesFiled restricted }
    flags { code severity detail }
    explanation { factor points detail }
  }
`;

describe.each(testDatabaseKinds)('trust on %s database', (kind) => {
  let t: TestApp;
  let scene: Scene;
  const day = 86_400_000;

  beforeAll(async () => {
    t = await createTestApp(kind);
    scene = await createScene(t);
    // Five escrow-verified jobs from five buyers: three a day ago, two ten days ago.
    for (let i = 0; i < 5; i += 1) {
      const buyer = newKey();
      const job = { ...scene, buyer };
      const age = i < 3 ? 1 * day : 10 * day;
      const occurredAt = new Date(t.now.getTime() - age).toISOString();
      await recordEscrow(t, job, `esc_trust_${i}`, ['FUNDED', 'RELEASED', 'SETTLED'], { occurredAt });
      const result = await t.gql(SUBMIT, { receipt: signReceipt(t, job, { escrowId: `esc_trust_${i}`, occurredAt }) });
      if (result.data.submitReceipt.receipt?.confidence !== 'ESCROW_VERIFIED') throw new Error(JSON.stringify(result));
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers tier F, confidence 0 and NO_HISTORY for an unknown DID', async () => {
    const { data } = await t.gql(`${REPORT} query($did: String!) { trust(did: $did) { ...R } }`, { did: newKey().did });
    expect(data.trust).toMatchObject({ tier: 'F', confidence: 0 });
    expect(data.trust.flags.map((f: any) => f.code)).toContain('NO_HISTORY');
  });

  it('reports the agent\'s windows from the maintained aggregates', async () => {
    const { data } = await t.gql(`${REPORT} query($did: String!) { trust(did: $did) { ...R } }`, { did: scene.agent.did });
    expect(data.trust.windows.d7).toEqual({ tasks: 3, accepted: 3 });
    expect(data.trust.windows.d30).toMatchObject({ tasks: 5, accepted: 5, uniqueCounterparties: 5 });
    expect(data.trust.windows.lifetime).toMatchObject({ tasks: 5, disputed: 0, escrowVerifiedShare: 1 });
    // Five buyers nobody has vouched for (no propagation seeds yet) lend little credibility: low confidence, and a
    // score no higher than what the same work from credible buyers would earn.
    expect(data.trust.score).toBeGreaterThan(0);
    expect(data.trust.confidence).toBeLessThan(0.5);
    expect(data.trust.flags.map((f: any) => f.code)).toContain('LOW_CREDIBILITY_PLATFORM');
    expect(data.trust.explanation.length).toBeGreaterThan(0);
    const sum = data.trust.explanation.reduce((total: number, item: any) => total + item.points, 0);
    expect(Math.abs(sum - data.trust.score)).toBeLessThan(0.6);
  });

  it('keeps input order in trustBatch and refuses more than 100 DIDs', async () => {
    const unknown = newKey().did;
    const { data } = await t.gql(`query($dids: [String!]!) { trustBatch(dids: $dids) { did tier } }`, { dids: [unknown, scene.agent.did, unknown] });
    expect(data.trustBatch.map((r: any) => r.did)).toEqual([unknown, scene.agent.did, unknown]);
    const tooMany = await t.gql(`query($dids: [String!]!) { trustBatch(dids: $dids) { did } }`, { dids: Array.from({ length: 101 }, () => unknown) });
    expect(tooMany.errors?.[0]?.message).toMatch(/at most 100/);
  });

  it('builds the explanation only for requests that select it, and answers the same numbers either way', async () => {
    const did = scene.agent.did;
    const policy = { minTier: 'F' };
    // agent(did:) answers only for a claimed DID.
    const claim = await t.gql(`mutation { claimDid(input: { displayName: "Explained" }) { __typename } }`, {}, scene.agent);
    expect(claim.data?.claimDid?.__typename).toBe('ClaimDidPayload');
    const reads = {
      trust: { query: `query($did: String!) { trust(did: $did) { ...R } }`, pick: (data: any) => data.trust },
      trustBatch: { query: `query($dids: [String!]!) { trustBatch(dids: $dids) { ...R } }`, pick: (data: any) => data.trustBatch[0] },
      checkTrust: { query: `query($did: String!, $policy: TrustPolicyInput!) { checkTrust(did: $did, policy: $policy) { allowed report { ...R } } }`, pick: (data: any) => data.checkTrust.report },
      agent: { query: `query($did: String!) { agent(did: $did) { trust { ...R } } }`, pick: (data: any) => data.agent.trust },
    };
    // What each trust read asked the service for.
    const trust = t.app.services.trust;
    const asked: Array<boolean | undefined> = [];
    const original = { report: trust.report, reports: trust.reports, check: trust.check };
    trust.report = (d, asOf, detail) => (asked.push(detail?.explain), original.report(d, asOf, detail));
    trust.reports = (dids, asOf, options) => (asked.push(options?.explain), original.reports(dids, asOf, options));
    trust.check = (d, p, asOf, detail) => (asked.push(detail?.explain), original.check(d, p, asOf, detail));
    try {
      // Twice over: a document runs on graphql-js the first time and compiled (graphql-jit) from the second.
      for (let round = 0; round < 2; round += 1) {
        for (const [name, { query, pick }] of Object.entries(reads)) {
          const variables = { did, dids: [did], policy };
          const withIt = await t.gql(`${REPORT} ${query}`, variables);
          // The same fragment without the explanation, and with it only under an alias in a second fragment.
          const without = await t.gql(`${REPORT.replace('explanation { factor points detail }', '')} ${query}`, variables);
          const aliased = await t.gql(`${REPORT.replace('explanation { factor points detail }', '...Why')} fragment Why on TrustReport { why: explanation { factor points detail } } ${query}`, variables);
          expect(withIt.errors, name).toBeUndefined();
          const full = pick(withIt.data);
          expect(full.explanation.length, name).toBeGreaterThan(0);
          const { explanation, ...rest } = full;
          expect(pick(without.data), name).toEqual(rest);
          expect(pick(aliased.data), name).toEqual({ ...rest, why: explanation });
        }
      }
    } finally {
      Object.assign(trust, original);
    }
    const perRound = [true, false, true, true, false, true, true, false, true, true, false, true];
    expect(asked).toEqual([...perRound, ...perRound]);
  });

  it('checks a policy with a reason for every failed rule', async () => {
    const CHECK = `query($did: String!, $policy: TrustPolicyInput!) { checkTrust(did: $did, policy: $policy) { allowed reasons report { score } } }`;
    const strict = await t.gql(CHECK, { did: scene.agent.did, policy: { minScore: 99, minTier: 'A', minConfidence: 0.99, minVerifiedVolumeUsd: 1e6 } });
    expect(strict.data.checkTrust.allowed).toBe(false);
    expect(strict.data.checkTrust.reasons).toHaveLength(4);
    const lenient = await t.gql(CHECK, { did: scene.agent.did, policy: { minScore: 1, maxDisputeRate: 0.5, window: 'D30' } });
    expect(lenient.data.checkTrust).toMatchObject({ allowed: true, reasons: [] });
    const invalid = await t.gql(CHECK, { did: scene.agent.did, policy: { maxDisputeRate: 2 } });
    expect(invalid.errors?.[0]?.message).toMatch(/maxDisputeRate/);
  });

  it('matches a from-scratch rebuild of the aggregates, and stops counting a revoked receipt', async () => {
    const db = t.testDatabase.database.db;
    const rebuild = async () => {
      const rows = await db.selectFrom('receipts').selectAll().where('revoked_at', 'is', null).execute();
      return buildAggregates(rows.map(receiptEvidence));
    };
    const compare = async () => {
      const store = await rebuild();
      const stored = await db.selectFrom('trust_pair' as never).selectAll().execute() as Array<Record<string, number | string>>;
      expect(stored.length).toBe(store.pairs.size);
      for (const row of stored) {
        const expected = store.pairs.get(`${row.subject_did}\n${row.counterparty_did}`);
        expect(expected, `pair ${row.subject_did}`).toBeDefined();
        for (const column of PAIR_SUM_COLUMNS) {
          const name = column.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
          expect(Number(row[name])).toBeCloseTo(expected![column], 6);
        }
        expect(row.first_hour).toBe(expected!.firstHour);
      }
    };
    await compare();
    const receipts = await db.selectFrom('receipts').select('receipt_id').where('subject_did', '=', scene.agent.did).orderBy('occurred_at', 'desc').execute();
    const REVOKE = `mutation($id: ID!) { revokeReceipt(receiptId: $id, reason: "refunded") { __typename } }`;
    await t.gql(REVOKE, { id: receipts[0]!.receipt_id }, scene.platform);
    await compare();
    const { data } = await t.gql(`${REPORT} query($did: String!) { trust(did: $did) { ...R } }`, { did: scene.agent.did });
    expect(data.trust.windows.lifetime.tasks).toBe(4);
    expect(data.trust.windows.d7.tasks).toBe(2);
  });

  it('runs the propagation job and stores its results', async () => {
    const run = await runPropagation(t.testDatabase.database.db, t.now);
    expect(run.ran).toBe(true);
    expect(run.stats!.nodes).toBeGreaterThan(0);
    const stored = await t.testDatabase.database.db.selectFrom('trust_credibility' as never).selectAll().execute();
    expect(stored.length).toBe(run.stats!.nodes);
  });

  // Only real PostgreSQL has concurrent connections; PGlite is one connection, so two runs simply queue.
  it.runIf(kind === 'postgres')('lets one propagation run at a time across connections', async () => {
    // Deterministic: one connection holds the job's lock while a run on another connection tries to start.
    const db = t.testDatabase.database.db;
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${PROPAGATION_LOCK_ID})`.execute(trx);
      expect((await runPropagation(db, t.now)).ran).toBe(false);
    });
    expect((await runPropagation(db, t.now)).ran).toBe(true);
  });
});
