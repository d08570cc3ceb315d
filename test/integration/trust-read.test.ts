// The trust read path: one SQL statement per read (single DID or a batch), an in-memory copy of each agent's
// aggregates validated by versions on every read, and never a stale report: after a new receipt (through this
// or another service instance), a revocation, a propagation run or a platform status change, the cached service
// answers exactly what a service without a cache answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { runPropagation } from '../../src/trust/store/propagation-job.ts';
import { readTrustInputs } from '../../src/trust/store/trust-read.repository.ts';
import { createTrustService } from '../../src/trust/store/trust.service.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { hasFastProperties } from '../helpers/object-shape.ts';
import { createScene, recordEscrow, registerPlatform, signReceipt, SUBMIT, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const DAY = 86_400_000;

/** Counts the statements a Kysely instance sends. */
function counting(db: Db): { db: Db; count(): number } {
  let statements = 0;
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      return args.node;
    },
    // Called for every executed statement, built or precompiled alike.
    async transformResult(args) {
      statements += 1;
      return args.result;
    },
  };
  return { db: db.withPlugin(plugin), count: () => statements };
}

describe.each(testDatabaseKinds)('trust reads on %s database', (kind) => {
  let t: TestApp;
  let scene: Scene;
  let db: Db;
  let job = 0;

  async function settledJob(target: Scene, ageDays: number, buyer = newKey()): Promise<void> {
    job += 1;
    const work = { ...target, buyer };
    const occurredAt = new Date(t.now.getTime() - ageDays * DAY).toISOString();
    await recordEscrow(t, work, `esc_read_${job}`, ['FUNDED', 'RELEASED', 'SETTLED'], { occurredAt });
    const result = await t.gql(SUBMIT, { receipt: signReceipt(t, work, { escrowId: `esc_read_${job}`, occurredAt }) });
    if (result.data?.submitReceipt.receipt?.confidence !== 'ESCROW_VERIFIED') throw new Error(JSON.stringify(result));
  }

  const uncached = () => createTrustService(db, { cacheSize: 0 });

  beforeAll(async () => {
    t = await createTestApp(kind);
    db = t.testDatabase.database.db;
    scene = await createScene(t);
    for (let i = 0; i < 4; i += 1) await settledJob(scene, 1 + i * 3);
  });
  afterAll(async () => {
    await t.close();
  });

  it('reads one DID and a batch of 100 in one statement each, warm or cold', async () => {
    const { db: counted, count } = counting(db);
    const trust = createTrustService(counted);
    const dids = [scene.agent.did, ...Array.from({ length: 99 }, () => newKey().did)];
    await trust.report(scene.agent.did, t.now);
    expect(count()).toBe(1);
    await trust.report(scene.agent.did, t.now);
    expect(count()).toBe(2);
    const batch = await trust.reports(dids, t.now);
    expect(count()).toBe(3);
    expect(batch.map((r) => r.did)).toEqual(dids);
    await trust.reports(dids, t.now);
    expect(count()).toBe(4);
  });

  it('serves exactly what an uncached read serves after new receipts, from this or another instance', async () => {
    const cached = createTrustService(db);
    const other = createTrustService(db); // a second instance on the same database
    const before = await cached.report(scene.agent.did, t.now);
    expect(before).toEqual(await uncached().report(scene.agent.did, t.now));
    await other.report(scene.agent.did, t.now);

    await settledJob(scene, 0.5);
    const after = await cached.report(scene.agent.did, t.now);
    expect(after.windows.lifetime.tasks).toBe(before.windows.lifetime.tasks + 1);
    expect(after).toEqual(await uncached().report(scene.agent.did, t.now));
    expect(await other.report(scene.agent.did, t.now)).toEqual(after);
  });

  it('sees the counterparty side change too (client stats of the buyer)', async () => {
    const buyer = newKey();
    const cached = createTrustService(db);
    const before = await cached.report(buyer.did, t.now);
    expect(before.client.jobsAsClient).toBe(0);
    await settledJob(scene, 0.2, buyer);
    const after = await cached.report(buyer.did, t.now);
    expect(after.client.jobsAsClient).toBe(1);
    expect(after).toEqual(await uncached().report(buyer.did, t.now));
  });

  it('drops a revoked receipt from the cached report', async () => {
    const cached = createTrustService(db);
    const before = await cached.report(scene.agent.did, t.now);
    const listing = await t.gql(`query($did: String!) { receipts(did: $did, first: 1) { edges { node { receiptId } } } }`, { did: scene.agent.did });
    const receiptId = listing.data.receipts.edges[0].node.receiptId;
    const revoked = await t.gql(
      `mutation($id: ID!) { revokeReceipt(receiptId: $id, reason: "entered twice") { ... on RevokeReceiptPayload { receipt { revoked } } } }`,
      { id: receiptId },
      scene.platform,
    );
    expect(revoked.data.revokeReceipt.receipt.revoked).toBe(true);
    const after = await cached.report(scene.agent.did, t.now);
    expect(after.windows.lifetime.tasks).toBe(before.windows.lifetime.tasks - 1);
    expect(after).toEqual(await uncached().report(scene.agent.did, t.now));
  });

  it('follows a propagation run and a platform suspension without new receipts', async () => {
    const cached = createTrustService(db);
    const before = await cached.report(scene.agent.did, t.now);
    await runPropagation(db, t.now);
    const propagated = await cached.report(scene.agent.did, t.now);
    expect(propagated).toEqual(await uncached().report(scene.agent.did, t.now));

    const suspended = await t.gql(
      `mutation($did: String!) { suspendPlatform(did: $did, reason: "inflated receipts") { ... on PlatformPayload { platform { status } } } }`,
      { did: scene.platform.did },
      t.admin,
    );
    expect(suspended.data.suspendPlatform.platform.status).toBe('SUSPENDED');
    const afterSuspension = await cached.report(scene.agent.did, t.now);
    expect(afterSuspension).toEqual(await uncached().report(scene.agent.did, t.now));
    expect(afterSuspension.score).toBeLessThan(propagated.score);
    expect(before.did).toBe(scene.agent.did);
  });

  it('answers an older asOf exactly (hour buckets reloaded from further back)', async () => {
    const cached = createTrustService(db);
    await cached.report(scene.agent.did, t.now);
    const past = new Date(t.now.getTime() - 5 * DAY);
    const report = await cached.report(scene.agent.did, past);
    expect(report).toEqual(await uncached().report(scene.agent.did, past));
    expect(report.windows.d7.tasks).toBeGreaterThan(0);
  });

  it('notices a new platform DID that is also a counterparty (the platform-set epoch)', async () => {
    // An agent whose buyer later starts issuing receipts as a platform: the buyer's word now counts as a
    // platform's, which changes the agent's report although none of its own rows changed.
    const target = await createScene(t);
    const buyer = newKey();
    await settledJob(target, 2, buyer);
    const cached = createTrustService(db);
    const before = await cached.report(target.agent.did, t.now);
    await registerPlatform(t, buyer);
    const other = await createScene(t);
    const work = { ...other, platform: buyer, buyer: newKey() };
    const submitted = await t.gql(SUBMIT, { receipt: signReceipt(t, work, {}, buyer) });
    expect(submitted.errors).toBeUndefined();
    const after = await cached.report(target.agent.did, t.now);
    expect(after).toEqual(await uncached().report(target.agent.did, t.now));
    expect(after).not.toEqual(before);
  });

  it('shares a counterparty\'s propagation row between agents, and never one whose values changed since', async () => {
    const buyer = newKey();
    const first = await createScene(t);
    const second = await createScene(t);
    await settledJob(first, 2, buyer);
    await settledJob(second, 3, buyer);
    await runPropagation(db, t.now);
    const load = async (did: string) =>
      (await readTrustInputs(db, [{ did, version: -1, run: -1, platformSet: -1 }], 0, [])).loaded.get(did)!.credibility.get(buyer.did)!;
    const ofFirst = await load(first.agent.did);
    const ofSecond = await load(second.agent.did);
    expect(ofFirst).toBeDefined();
    expect(ofSecond).toBe(ofFirst);
    expect(Object.isFrozen(ofFirst)).toBe(true);

    // The stored row moves (as a propagation run moves it): the next load must carry the new values, not the shared copy.
    const fairness = (ofFirst.fairness ?? 1) / 2;
    await db.updateTable('trust_credibility').set({ fairness }).where('did', '=', buyer.did).execute();
    const moved = await load(first.agent.did);
    expect(moved).not.toBe(ofFirst);
    expect(moved.fairness).toBe(fairness);
    expect({ ...moved, fairness: ofFirst.fairness }).toEqual({ ...ofFirst });
    expect(ofFirst.fairness).not.toBe(fairness);
  });

  it('holds what it reads in rows of one fixed shape (the engine reads their fields on every report)', async () => {
    await runPropagation(db, t.now);
    const { loaded, standings } = await readTrustInputs(db, [{ did: scene.agent.did, version: -1, run: -1, platformSet: -1 }], 0, []);
    const agent = loaded.get(scene.agent.did)!;
    const { pairs, clientPairs, buckets, platforms, client } = agent.aggregates;
    const rows: object[] = [...pairs, ...clientPairs, ...buckets, ...platforms, ...agent.credibility.values()];
    if (client) rows.push(client);
    if (agent.self) rows.push(agent.self);
    for (const standing of standings.values()) if (standing.row) rows.push(standing.row);
    expect(pairs.length).toBeGreaterThan(0);
    expect(buckets.length).toBeGreaterThan(0);
    expect(agent.credibility.size).toBeGreaterThan(0);
    for (const row of rows) expect(hasFastProperties(row)).toBe(true);
  });
});
