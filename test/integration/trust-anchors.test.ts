// Trust anchors, seed rules and rater fairness through the service, on both databases: the admin mutations and
// their audit table, an anchor making its counterparty credible until the propagation after its removal, the
// single-platform seed rule and its configured thresholds, and an abusive client seen on the one-statement read.
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importReceipts } from '../../src/receipts/import.ts';
import { runPropagation } from '../../src/trust/store/propagation-job.ts';
import { trustSettings } from '../../src/trust/store/settings.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { agentDid } from '../helpers/receipt-lines.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const DAY = 86_400_000;
const PLATFORM = 'did:web:solo.market.example';
const CONFIGURED = 'did:web:configured-anchor.example';
const REPORT = `score tier confidence vector { E D B A } flags { code severity detail }`;

let seq = 0;
function line(subject: string, counterparty: string, ageDays: number, now: Date, outcome: 'accepted' | 'disputed' = 'accepted', usd = 500) {
  return JSON.stringify({
    receipt_id: `anchor-${++seq}`,
    subject_did: subject,
    counterparty_did: counterparty,
    platform_did: PLATFORM,
    action_category: outcome === 'accepted' ? 'economic.transaction' : 'economic.dispute',
    action_type: 'escrow_release',
    value_usd: usd,
    outcome,
    timestamp: new Date(now.getTime() - ageDays * DAY).toISOString(),
    escrow_verified: true,
  });
}

async function load(t: TestApp, lines: string[]): Promise<void> {
  const result = await importReceipts(t.testDatabase.database.db, Readable.from(lines.join('\n')), { now: t.now, batchSize: 100 });
  expect(result.rejected).toBe(0);
}

describe.each(testDatabaseKinds)('trust anchors and seed rules on %s database', (kind) => {
  let t: TestApp;
  const propagate = () => runPropagation(t.testDatabase.database.db, t.now, trustSettings(t.config));
  const trust = async (did: string) => (await t.gql(`query($did: String!) { trust(did: $did) { ${REPORT} } }`, { did })).data.trust;

  beforeAll(async () => {
    t = await createTestApp(kind, { CREDENCE_TRUST_ANCHORS: CONFIGURED });
  });
  afterAll(async () => {
    await t.close();
  });

  it('addTrustAnchor and removeTrustAnchor are admin-only, validated, and every change is audited', async () => {
    const ADD = `mutation($did: String!, $reason: String!) { addTrustAnchor(did: $did, reason: $reason) {
      __typename ... on TrustAnchorPayload { anchor { did source reason addedBy } } ... on Error { code message } ... on InputError { field } } }`;
    const REMOVE = `mutation($did: String!) { removeTrustAnchor(did: $did) {
      __typename ... on TrustAnchorPayload { anchor { did source } } ... on Error { code message } } }`;
    const count = async () => Number((await sql<{ n: string }>`select count(*) as n from trust_anchor_audit`.execute(t.testDatabase.database.db)).rows[0]!.n);
    const target = agentDid(900);

    const outsider = await t.gql(ADD, { did: target, reason: 'long-standing client' }, newKey());
    expect(outsider.data.addTrustAnchor).toMatchObject({ __typename: 'AuthError', code: 'FORBIDDEN' });
    const blank = await t.gql(ADD, { did: target, reason: '   ' }, t.admin);
    expect(blank.data.addTrustAnchor).toMatchObject({ __typename: 'InputError', code: 'INVALID_INPUT', field: 'reason' });
    const notDid = await t.gql(ADD, { did: 'alice', reason: 'x' }, t.admin);
    expect(notDid.data.addTrustAnchor).toMatchObject({ __typename: 'InputError', field: 'did' });
    expect(await count()).toBe(0);

    const added = await t.gql(ADD, { did: target, reason: ' verified enterprise buyer since 2024 ' }, t.admin);
    expect(added.data.addTrustAnchor).toEqual({
      __typename: 'TrustAnchorPayload',
      anchor: { did: target, source: 'ADMIN', reason: 'verified enterprise buyer since 2024', addedBy: t.admin.did },
    });
    const listed = await t.gql(`{ trustAnchors { did source } }`, {}, t.admin);
    expect(listed.data.trustAnchors).toEqual([
      { did: CONFIGURED, source: 'CONFIGURATION' },
      { did: target, source: 'ADMIN' },
    ]);
    expect((await t.gql(`{ trustAnchors { did } }`, {}, newKey())).errors?.[0]?.message).toBeTruthy();

    const configured = await t.gql(REMOVE, { did: CONFIGURED }, t.admin);
    expect(configured.data.removeTrustAnchor).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(configured.data.removeTrustAnchor.message).toMatch(/CREDENCE_TRUST_ANCHORS/);
    const removed = await t.gql(REMOVE, { did: target }, t.admin);
    expect(removed.data.removeTrustAnchor).toEqual({ __typename: 'TrustAnchorPayload', anchor: { did: target, source: 'ADMIN' } });
    const again = await t.gql(REMOVE, { did: target }, t.admin);
    expect(again.data.removeTrustAnchor).toMatchObject({ __typename: 'NotFoundError' });

    const audit = await t.gql(`query($did: String) { trustAnchorAudit(did: $did) { did action reason actorDid } }`, { did: target }, t.admin);
    expect(audit.data.trustAnchorAudit).toEqual([
      { did: target, action: 'REMOVE', reason: null, actorDid: t.admin.did },
      { did: target, action: 'ADD', reason: 'verified enterprise buyer since 2024', actorDid: t.admin.did },
    ]);
    expect(await count()).toBe(2);
  });

  it('an anchored buyer makes its one escrow-verified job count, and stops at the propagation after its removal', async () => {
    // A fresh deployment: one platform, one escrow-verified $500 job an hour ago for a buyer nobody knows.
    const agent = agentDid(910);
    const buyer = agentDid(911);
    await load(t, [line(agent, buyer, 1 / 24, t.now)]);
    await propagate();
    const unknown = await trust(agent);
    expect(unknown.vector.E).toBeLessThan(0.05);

    await t.gql(`mutation($did: String!) { addTrustAnchor(did: $did, reason: "the marketplace's own verified buyer") { __typename } }`, { did: buyer }, t.admin);
    // Nothing changes until the next propagation run.
    expect(await trust(agent)).toEqual(unknown);
    const run = await propagate();
    expect(run.stats).toMatchObject({ anchors: 1 });
    const anchored = await trust(agent);
    // The platform's evidence is an hour old, so its young-platform factor (0.3) still scales E and D.
    expect(anchored.vector.E).toBeGreaterThan(0.1);
    expect(anchored.vector.D).toBeGreaterThan(0.03);
    expect(anchored.confidence).toBeGreaterThan(0.15);
    expect(anchored.score).toBeGreaterThan(unknown.score + 3);
    const stored = await sql<{ seed: boolean; anchor: boolean; credibility: number }>`select seed, anchor, credibility from trust_credibility where did = ${buyer}`.execute(t.testDatabase.database.db);
    expect(stored.rows[0]).toMatchObject({ seed: true, anchor: true, credibility: 1 });

    await t.gql(`mutation($did: String!) { removeTrustAnchor(did: $did) { __typename } }`, { did: buyer }, t.admin);
    expect(await trust(agent)).toEqual(anchored);
    await propagate();
    expect(await trust(agent)).toEqual(unknown);
  });

  it('seeds on a single platform, with the thresholds the configuration sets', async () => {
    // Five escrow jobs for three buyers, 30 to 90 days old (mean 60), all on the one platform.
    const solo = agentDid(920);
    await load(t, [30, 50, 60, 70, 90].map((age, i) => line(solo, agentDid(921 + (i % 3)), age, t.now, 'accepted', 200)));
    const seedOf = async () =>
      (await sql<{ seed: boolean }>`select seed from trust_credibility where did = ${solo}`.execute(t.testDatabase.database.db)).rows[0]?.seed;
    const run = await propagate();
    expect(run.stats).toMatchObject({ seedMinPlatforms: 1 });
    expect(await seedOf()).toBe(true);
    const strict = await createTestApp(kind, { CREDENCE_SEED_MIN_ESCROW_JOBS: '6' });
    try {
      expect(strict.config.trust).toMatchObject({ seedMinEscrowJobs: 6, seedMinPlatforms: 2, seedMinCounterparties: 3, seedMinMeanAgeDays: 60 });
      await runPropagation(t.testDatabase.database.db, t.now, trustSettings(strict.config));
      expect(await seedOf()).toBe(false);
    } finally {
      await strict.close();
    }
  });
});

describe.each(testDatabaseKinds)('an abusive client on the read path on %s database', (kind) => {
  let t: TestApp;
  const agents = [0, 1, 2, 3, 4].map((i) => agentDid(950 + i));
  const buyers = [0, 1, 2, 3].map((i) => agentDid(960 + i));
  const abuser = agentDid(970);

  beforeAll(async () => {
    t = await createTestApp(kind);
    const lines: string[] = [];
    // Four long-standing buyers each hired every agent once, 70 to 150 days ago (the buyers become seeds).
    buyers.forEach((buyer, b) => agents.forEach((agent, a) => lines.push(line(agent, buyer, 70 + 20 * b + 3 * a, t.now, 'accepted', 150))));
    // The abuser works for two buyers, paid agent 0 once without complaint, then disputed two jobs with each agent.
    lines.push(line(abuser, buyers[0]!, 40, t.now), line(abuser, buyers[1]!, 35, t.now), line(agents[0]!, abuser, 30, t.now, 'accepted', 80));
    agents.forEach((agent, a) => lines.push(line(agent, abuser, 3 + a, t.now, 'disputed', 40), line(agent, abuser, 10 + a, t.now, 'disputed', 40)));
    await importReceipts(t.testDatabase.database.db, Readable.from(lines.join('\n')), { now: t.now, batchSize: 100 });
    await runPropagation(t.testDatabase.database.db, t.now, trustSettings(t.config));
  });
  afterAll(async () => {
    await t.close();
  });

  it("flags the abuser in its own report, and checkTrust rejects it on request", async () => {
    const { data } = await t.gql(
      `query($did: String!) { trust(did: $did) { flags { code severity detail } vector { A } }
        checkTrust(did: $did, policy: { rejectAbusiveClient: true }) { allowed reasons } }`,
      { did: abuser },
    );
    const flag = data.trust.flags.find((f: any) => f.code === 'ABUSIVE_CLIENT');
    expect(flag).toMatchObject({ severity: 'critical' });
    expect(flag.detail).toMatch(/against 5 agents/);
    expect(data.trust.vector.A).toBeLessThanOrEqual(-0.6);
    expect(data.checkTrust.allowed).toBe(false);
    expect(data.checkTrust.reasons[0]).toMatch(/^abusive client: /);
  });

  it("tells each victim's readers that its disputes were discounted because of who filed them", async () => {
    for (const agent of agents) {
      const { data } = await t.gql(
        `query($did: String!) { trust(did: $did) { vector { B } flags { code detail } } checkTrust(did: $did, policy: { minScore: 0 }) { allowed reasons } }`,
        { did: agent },
      );
      expect(data.trust.flags.map((f: any) => f.code)).toContain('DISPUTES_DISCOUNTED');
      // Ten disputes at full weight would take B to about 0.6; discounted, the agent's behaviour stays near its prior.
      expect(data.trust.vector.B).toBeGreaterThan(0.85);
      expect(data.checkTrust.allowed).toBe(true);
      expect(data.checkTrust.reasons).toEqual([expect.stringMatching(/^note: 2 of 2 disputes, refunds and rejections were discounted/)]);
    }
  });
});
