// Warm trust reads from memory, kept current by the database's change notices (credence_trust_inputs). Two app
// instances on one database (two connection pools and two listeners on PostgreSQL; two apps on one PGlite): after
// every kind of change, made through either instance or by a plain SQL client, each instance's answer equals a read
// without any cache, and the reads that follow come from memory again. On PostgreSQL, a listener whose backend is
// terminated never lets a stale answer out: reads check versions until it is back, and memory is cleared then.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import pg from 'pg';
import { createApp, type App } from '../../src/app.ts';
import { mintAuthToken } from '../../src/auth/mint-token.ts';
import { keyPairFromSeed, type Ed25519KeyPair } from '../../src/crypto/ed25519.ts';
import { openDatabase, type Database, type Db } from '../../src/db/database.ts';
import { LISTENER_APPLICATION_NAME } from '../../src/db/notification-listener.ts';
import { issuerKeyFromPair } from '../../src/issuer/issuer-key.ts';
import { importReceipts } from '../../src/receipts/import.ts';
import { runPropagation } from '../../src/trust/store/propagation-job.ts';
import { createTrustService, TRUST_INPUTS_CHANNEL, type TrustService } from '../../src/trust/store/trust.service.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createScene, recordEscrow, registerPlatform, signReceipt, SUBMIT, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, ISSUER_SEED, newKey, type GraphQLResponse, type TestApp } from '../helpers/test-app.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe.each(testDatabaseKinds)('trust read cache on %s database', (kind) => {
  let t: TestApp;
  let scene: Scene;
  let db: Db;
  let other: { app: App; database: Database };
  let job = 0;

  const uncached = () => createTrustService(db, { cacheSize: 0 });
  const a = () => t.app.services.trust;
  const b = () => other.app.services.trust;

  /** A GraphQL request to the second instance. */
  async function gqlOnOther<T = any>(query: string, variables: Record<string, unknown>, auth?: Ed25519KeyPair): Promise<GraphQLResponse<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth) headers.authorization = `Bearer ${mintAuthToken(auth, { audience: other.app.serviceDid, now: t.now })}`;
    const response = await other.app.yoga.fetch(new Request('http://localhost:4000/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) }));
    return { ...((await response.json()) as GraphQLResponse<T>), status: response.status };
  }

  async function settledJob(target: Scene, ageDays: number, via: 'a' | 'b', buyer = newKey()): Promise<void> {
    job += 1;
    const work = { ...target, buyer };
    const occurredAt = new Date(t.now.getTime() - ageDays * DAY).toISOString();
    await recordEscrow(t, work, `esc_cache_${job}`, ['FUNDED', 'RELEASED', 'SETTLED'], { occurredAt });
    const variables = { receipt: signReceipt(t, work, { escrowId: `esc_cache_${job}`, occurredAt }) };
    const result = via === 'a' ? await t.gql(SUBMIT, variables) : await gqlOnOther(SUBMIT, variables);
    if (result.data?.submitReceipt.receipt?.confidence !== 'ESCROW_VERIFIED') throw new Error(JSON.stringify(result));
  }

  /** Reads `did` on both instances: each equals the uncached report; returns it. */
  async function expectBothCurrent(did: string, asOf = t.now) {
    const truth = await uncached().report(did, asOf);
    expect(await a().report(did, asOf)).toEqual(truth);
    expect(await b().report(did, asOf)).toEqual(truth);
    return truth;
  }

  /** A second read on each instance comes from memory (no statement) and still equals the uncached one. */
  async function expectWarmFromMemory(did: string) {
    const [statsA, statsB] = [a().cacheStats(), b().cacheStats()];
    const truth = await uncached().report(did, t.now);
    expect(await a().report(did, t.now)).toEqual(truth);
    expect(await b().report(did, t.now)).toEqual(truth);
    expect(a().cacheStats().memoryReads).toBe(statsA.memoryReads + 1);
    expect(a().cacheStats().databaseReads).toBe(statsA.databaseReads);
    expect(b().cacheStats().memoryReads).toBe(statsB.memoryReads + 1);
    expect(b().cacheStats().databaseReads).toBe(statsB.databaseReads);
  }

  /** `db`, except that the first statement's answer is held back (after it ran) until `release`. */
  function gatedFirstStatement() {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    let loaded!: () => void;
    const loadedOnce = new Promise<void>((resolve) => (loaded = resolve));
    // Held after the statement ran and gave its connection back (PGlite has a single one).
    const gated = new Proxy(db, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (property !== 'executeQuery') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<Db['executeQuery']>) => {
          const result = await target.executeQuery(...args);
          if (!held) {
            held = true;
            loaded();
            await gate;
          }
          return result;
        };
      },
    });
    return { gated, loadedOnce, release };
  }

  beforeAll(async () => {
    t = await createTestApp(kind);
    db = t.testDatabase.database.db;
    // The second instance: its own pool and listener on PostgreSQL; on PGlite, a second app on the same database.
    const database = kind === 'postgres' ? await openDatabase({ databaseUrl: t.testDatabase.url!, poolSize: 4 }) : t.testDatabase.database;
    const app = await createApp({ config: t.config, database, issuerKey: issuerKeyFromPair(keyPairFromSeed(ISSUER_SEED)), clock: () => new Date(t.now) });
    other = { app, database };
    scene = await createScene(t);
    for (let i = 0; i < 3; i += 1) await settledJob(scene, 1 + i * 3, 'a');
  });
  afterAll(async () => {
    await other?.app.services.trust.unfollow();
    if (kind === 'postgres') await other?.database.close();
    await t?.close();
  });

  it('answers a warm read from memory, over GraphQL too, equal to an uncached read', async () => {
    await expectBothCurrent(scene.agent.did);
    await expectWarmFromMemory(scene.agent.did);
    const before = a().cacheStats();
    const answer = await t.gql(`query($did: String!) { trust(did: $did) { score tier } checkTrust(did: $did, policy: { minTier: C }) { allowed } }`, { did: scene.agent.did });
    expect(answer.errors).toBeUndefined();
    expect(a().cacheStats().databaseReads).toBe(before.databaseReads);
    expect(a().cacheStats().memoryReads).toBeGreaterThanOrEqual(before.memoryReads + 2);
    const truth = await uncached().report(scene.agent.did, t.now);
    expect(answer.data.trust).toEqual({ score: truth.score, tier: truth.tier });
  });

  it('follows a receipt stored through either instance (subject and counterparty)', async () => {
    const buyer = newKey();
    const before = await expectBothCurrent(scene.agent.did);
    await expectBothCurrent(buyer.did);
    await settledJob(scene, 0.5, 'b', buyer);
    const after = await expectBothCurrent(scene.agent.did);
    expect(after.windows.lifetime.tasks).toBe(before.windows.lifetime.tasks + 1);
    expect((await expectBothCurrent(buyer.did)).client.jobsAsClient).toBe(1);
    await expectWarmFromMemory(scene.agent.did);

    await settledJob(scene, 0.4, 'a');
    expect((await expectBothCurrent(scene.agent.did)).windows.lifetime.tasks).toBe(before.windows.lifetime.tasks + 2);
    await expectWarmFromMemory(scene.agent.did);
  });

  it("keeps a held agent's windows for the hour they were read in, and reads in other hours equal uncached ones", async () => {
    const target = { ...scene, agent: newKey() };
    // 6.5 days old now: inside d7 today, outside it a day later.
    await settledJob(target, 6.5, 'a');
    await settledJob(target, 2, 'a');
    const did = target.agent.did;
    await expectBothCurrent(did);
    await expectWarmFromMemory(did);
    const hourStart = Math.floor(t.now.getTime() / HOUR) * HOUR;
    const at = (offset: number) => new Date(hourStart + offset);
    const first = await a().report(did, at(60_000));
    expect(first).toEqual(await uncached().report(did, at(60_000)));
    // Later in the same hour: the windows held with the entry are handed out again.
    expect((await a().report(did, at(30 * 60_000))).windows).toBe(first.windows);
    expect(Object.isFrozen(first.windows) && Object.isFrozen(first.windows.d7)).toBe(true);
    // A day later the d7 window has moved past the older job: still from memory, and equal to an uncached read.
    const stats = a().cacheStats();
    const later = await a().report(did, at(DAY + 60_000));
    expect(a().cacheStats().memoryReads).toBe(stats.memoryReads + 1);
    expect(a().cacheStats().databaseReads).toBe(stats.databaseReads);
    expect(later).toEqual(await uncached().report(did, at(DAY + 60_000)));
    expect(later.windows.d7.tasks).toBe(first.windows.d7.tasks - 1);
    // And back: the earlier hour's windows again, not the later ones.
    expect(await a().report(did, at(60_000))).toEqual(first);
  });

  it('a stored receipt drops only its own agents from memory, not everything held', async () => {
    // Another agent with history on the same platform, read warm on both instances.
    const bystander = { ...scene, agent: newKey() };
    await settledJob(bystander, 2, 'a');
    await expectBothCurrent(bystander.agent.did);
    // A receipt about someone else, from a platform already known: it announces its subject and counterparty (and
    // the platform's standing), never the global notice that empties every instance's memory.
    await settledJob(scene, 0.3, 'b');
    await expectBothCurrent(scene.agent.did);
    await expectWarmFromMemory(bystander.agent.did);
  });

  it('reloads in the background what a notice dropped, so the next read comes from memory', async () => {
    const buyer = newKey();
    const before = await expectBothCurrent(scene.agent.did);
    const [statsA, statsB] = [a().cacheStats(), b().cacheStats()];
    await settledJob(scene, 0.25, 'b', buyer);
    // Both instances reload the agent without being asked (the buyer was never read, so it is not reloaded).
    await vi.waitFor(() => {
      expect(a().cacheStats().refreshes).toBeGreaterThan(statsA.refreshes);
      expect(b().cacheStats().refreshes).toBeGreaterThan(statsB.refreshes);
    });
    await expectWarmFromMemory(scene.agent.did);
    const truth = await uncached().report(scene.agent.did, t.now);
    expect(truth.windows.lifetime.tasks).toBe(before.windows.lifetime.tasks + 1);
    expect(a().cacheStats().databaseReads).toBe(statsA.databaseReads);
    expect(b().cacheStats().databaseReads).toBe(statsB.databaseReads);

    // Read again at once after the next change: the read waits for the reload under way instead of sending a
    // statement of its own, and answers the new report.
    await settledJob(scene, 0.2, 'b', buyer);
    const statsAfter = a().cacheStats();
    const fresh = await a().report(scene.agent.did, t.now);
    expect(fresh).toEqual(await uncached().report(scene.agent.did, t.now));
    expect(fresh.windows.lifetime.tasks).toBe(before.windows.lifetime.tasks + 2);
    expect(a().cacheStats().databaseReads).toBe(statsAfter.databaseReads);
    expect(a().cacheStats().memoryReads).toBe(statsAfter.memoryReads + 1);

    // The counts are on /metrics too.
    const metrics = await (await t.app.yoga.fetch(new Request('http://localhost:4000/metrics'))).text();
    expect(metrics).toMatch(new RegExp(`credence_trust_reads_total\\{source="memory"\\} ${a().cacheStats().memoryReads}\\b`));
    expect(metrics).toMatch(new RegExp(`credence_trust_cache_refreshes_total ${a().cacheStats().refreshes}\\b`));
    expect(metrics).toMatch(new RegExp(`credence_trust_reads_total\\{source="database"\\} ${a().cacheStats().databaseReads}\\b`));
    expect(metrics).toMatch(new RegExp(`credence_trust_cache_resyncs_total ${a().cacheStats().resyncs}\\b`));
    expect(metrics).toMatch(new RegExp(`credence_trust_cache_catch_ups_total ${a().cacheStats().catchUps}\\b`));
    // A read from memory on PostgreSQL waits for a catch-up query; PGlite hands notices over before a commit returns.
    if (kind === 'postgres') expect(a().cacheStats().catchUps).toBeGreaterThan(0);
    else expect(a().cacheStats().catchUps).toBe(0);
  });

  it('follows a revocation through the other instance and trustBatch reads', async () => {
    const dids = [scene.agent.did, scene.buyer.did, newKey().did];
    await a().reports(dids, t.now);
    await b().reports(dids, t.now);
    const before = await expectBothCurrent(scene.agent.did);
    const listing = await t.gql(`query($did: String!) { receipts(did: $did, first: 1) { edges { node { receiptId } } } }`, { did: scene.agent.did });
    const revoked = await gqlOnOther(
      `mutation($id: ID!) { revokeReceipt(receiptId: $id, reason: "entered twice") { ... on RevokeReceiptPayload { receipt { revoked } } } }`,
      { id: listing.data.receipts.edges[0].node.receiptId },
      scene.platform,
    );
    expect(revoked.data.revokeReceipt.receipt.revoked).toBe(true);
    const truth = await uncached().reports(dids, t.now);
    expect(await a().reports(dids, t.now)).toEqual(truth);
    expect(await b().reports(dids, t.now)).toEqual(truth);
    expect(truth[0]!.windows.lifetime.tasks).toBe(before.windows.lifetime.tasks - 1);
    await expectWarmFromMemory(scene.agent.did);
  });

  it('follows a propagation run, trust anchors and a platform suspension', async () => {
    await expectBothCurrent(scene.agent.did);
    // A propagation run written by neither instance's services (another process's job).
    await runPropagation(db, t.now);
    const propagated = await expectBothCurrent(scene.agent.did);
    await expectWarmFromMemory(scene.agent.did);

    const anchored = await t.gql(`mutation($did: String!) { addTrustAnchor(did: $did, reason: "known operator") { __typename } }`, { did: scene.buyer.did }, t.admin);
    expect(anchored.errors).toBeUndefined();
    await expectBothCurrent(scene.agent.did);
    await runPropagation(db, t.now);
    await expectBothCurrent(scene.agent.did);

    const suspended = await gqlOnOther(
      `mutation($did: String!) { suspendPlatform(did: $did, reason: "inflated receipts") { ... on PlatformPayload { platform { status } } } }`,
      { did: scene.platform.did },
      t.admin,
    );
    expect(suspended.data.suspendPlatform.platform.status).toBe('SUSPENDED');
    const afterSuspension = await expectBothCurrent(scene.agent.did);
    expect(afterSuspension.score).toBeLessThan(propagated.score);
    await expectWarmFromMemory(scene.agent.did);
  });

  it('follows writes made by a plain SQL client, outside any service', async () => {
    // The platform the test before suspended through the API; an operator approves it again by hand, and the
    // database's trigger announces it all the same.
    const before = await expectBothCurrent(scene.agent.did);
    await expectWarmFromMemory(scene.agent.did);
    await db.updateTable('platforms').set({ status: 'APPROVED' }).where('did', '=', scene.platform.did).execute();
    const after = await expectBothCurrent(scene.agent.did);
    expect(after.score).toBeGreaterThan(before.score);
    await expectWarmFromMemory(scene.agent.did);
  });

  it("keeps a registered platform's standing when its own row moves, and drops an unregistered one's", async () => {
    // A registered platform: its row moves with every receipt on it, and no report reads that row.
    await expectBothCurrent(scene.agent.did);
    await expectWarmFromMemory(scene.agent.did);
    await sql`update trust_platform set receipts = receipts where platform_did = ${scene.platform.did}`.execute(db);
    await expectWarmFromMemory(scene.agent.did);

    // A platform nobody registered, known from imported history: its age is the mean age of its evidence, so its
    // row moving changes the weight of everything on it.
    const unlisted = 'did:web:unlisted.market.example';
    const history = (subject: string, count: number, ageDays: number) =>
      Array.from({ length: count }, () =>
        JSON.stringify({
          receipt_id: `unlisted-${(job += 1)}`,
          subject_did: subject,
          counterparty_did: newKey().did,
          platform_did: unlisted,
          action_category: 'economic.transaction',
          action_type: 'escrow_release',
          value_usd: 200,
          outcome: 'accepted',
          timestamp: new Date(t.now.getTime() - ageDays * DAY).toISOString(),
          escrow_verified: true,
        }),
      ).join('\n');
    const agent = newKey().did;
    expect((await importReceipts(db, Readable.from(history(agent, 3, 60)), { now: t.now })).inserted).toBe(3);
    const before = await expectBothCurrent(agent);
    await expectWarmFromMemory(agent);
    // Newer work by another agent on the same platform: the mean age of its evidence falls under 30 days.
    expect((await importReceipts(db, Readable.from(history(newKey().did, 12, 0.5)), { now: t.now })).inserted).toBe(12);
    const after = await expectBothCurrent(agent);
    const lowWeight = (report: typeof before) => report.flags.some((flag) => flag.code === 'LOW_CREDIBILITY_PLATFORM');
    expect([lowWeight(before), lowWeight(after)]).toEqual([false, true]);
    await expectWarmFromMemory(agent);

    // The row moves while a read of it is in flight: the read answers what it read but does not hold the standing.
    const { gated, loadedOnce, release } = gatedFirstStatement();
    const trust: TrustService = createTrustService(gated);
    await trust.follow(t.testDatabase.database);
    try {
      const slow = trust.report(agent, t.now);
      await loadedOnce;
      // Older work on the platform: its evidence ages past 30 days again, and its flag goes.
      expect((await importReceipts(db, Readable.from(history(newKey().did, 200, 90)), { now: t.now })).inserted).toBe(200);
      await trust.report(newKey().did, t.now); // waits for the listener, so the notice has been handled
      release();
      expect(lowWeight(await slow)).toBe(true);
      const truth = await uncached().report(agent, t.now);
      expect(lowWeight(truth)).toBe(false);
      expect(await trust.report(agent, t.now)).toEqual(truth);
    } finally {
      release();
      await trust.unfollow();
    }
  });

  it('notices a new platform DID that is also a counterparty (the platform-set epoch)', async () => {
    const target = await createScene(t);
    const buyer = newKey();
    await settledJob(target, 2, 'a', buyer);
    const before = await expectBothCurrent(target.agent.did);
    await expectWarmFromMemory(target.agent.did);
    await registerPlatform(t, buyer);
    const elsewhere = await createScene(t);
    const submitted = await gqlOnOther(SUBMIT, { receipt: signReceipt(t, { ...elsewhere, platform: buyer, buyer: newKey() }, {}, buyer) });
    expect(submitted.errors).toBeUndefined();
    const after = await expectBothCurrent(target.agent.did);
    expect(after).not.toEqual(before);
  });

  it('answers an older asOf exactly (not from the window held in memory)', async () => {
    await expectBothCurrent(scene.agent.did);
    await expectWarmFromMemory(scene.agent.did);
    const past = new Date(t.now.getTime() - 5 * DAY);
    const report = await expectBothCurrent(scene.agent.did, past);
    expect(report.windows.d7.tasks).toBeGreaterThan(0);
  });

  it('keeps out of memory what a read loaded while a change to it committed', async () => {
    // The first statement's answer is held back until a receipt for the same agent has committed and its notice
    // has arrived: the read may answer what it read, but must not keep it.
    const { gated, loadedOnce, release } = gatedFirstStatement();
    const target = await createScene(t);
    await settledJob(target, 2, 'a');
    const trust: TrustService = createTrustService(gated);
    await trust.follow(t.testDatabase.database);
    try {
      const slow = trust.report(target.agent.did, t.now);
      await loadedOnce;
      await settledJob(target, 1, 'b');
      // A read of another DID waits for the listener to catch up, so the notice has been handled when it returns.
      await trust.report(newKey().did, t.now);
      release();
      const stale = await slow;
      // The platform's standing is read (and held) again, so only the agent's own entry could be stale now.
      await trust.report(target.platform.did, t.now);
      const truth = await uncached().report(target.agent.did, t.now);
      expect(truth.windows.lifetime.tasks).toBe(stale.windows.lifetime.tasks + 1);
      expect(await trust.report(target.agent.did, t.now)).toEqual(truth);
    } finally {
      release();
      await trust.unfollow();
    }
  });

  it('holds at most cacheSize agents, evicting one not read for longest, never one read often', async () => {
    const trust: TrustService = createTrustService(db, { cacheSize: 4 });
    await trust.follow(t.testDatabase.database);
    try {
      /** Reads `did` and says whether the answer came from memory. */
      const fromMemory = async (did: string) => {
        const before = trust.cacheStats();
        expect(await trust.report(did, t.now)).toEqual(await uncached().report(did, t.now));
        const after = trust.cacheStats();
        expect(after.memoryReads + after.databaseReads).toBe(before.memoryReads + before.databaseReads + 1);
        return after.memoryReads === before.memoryReads + 1;
      };
      const hot = scene.agent.did;
      const cold = newKey().did;
      expect(await fromMemory(hot)).toBe(false);
      expect(await fromMemory(cold)).toBe(false);
      expect(await fromMemory(hot)).toBe(true);
      // Twelve new agents pass through a cache of four; the hot one is read after every second of them.
      for (let i = 0; i < 12; i += 1) {
        expect(await fromMemory(newKey().did)).toBe(false);
        if (i % 2 === 1) expect(await fromMemory(hot)).toBe(true);
      }
      expect(await fromMemory(cold)).toBe(false);
      expect(await fromMemory(hot)).toBe(true);
      // Eight more new agents (twice the cache), the hot one unread meanwhile: being read last time buys it one more
      // pass of the queue (second chance), not two.
      for (let i = 0; i < 8; i += 1) expect(await fromMemory(newKey().did)).toBe(false);
      expect(await fromMemory(hot)).toBe(false);
      // A full cache whose agents were all read since they last came to the front still takes a newcomer in.
      const held = [hot, ...Array.from({ length: 3 }, () => newKey().did)];
      for (const did of held) await fromMemory(did);
      for (const did of held) expect(await fromMemory(did)).toBe(true);
      const newcomer = newKey().did;
      expect(await fromMemory(newcomer)).toBe(false);
      expect(await fromMemory(newcomer)).toBe(true);
    } finally {
      await trust.unfollow();
    }
  });

  // PostgreSQL only: PGlite hands notices over before a commit returns, so its listener sends no catch-up queries.
  it.skipIf(kind !== 'postgres')('shares one catch-up query among the callers of one event-loop turn, and it covers every commit before them', async () => {
    const heard: string[] = [];
    const probe = await t.testDatabase.database.listen!('credence_fence_probe', (payload) => heard.push(payload));
    const notifier = new pg.Client({ connectionString: t.testDatabase.url });
    await notifier.connect();
    try {
      expect(await probe.sync!()).not.toBeNull(); // listening
      const sent = probe.fencesSent!();
      // A burst in one turn: one fence.
      await notifier.query(`select pg_notify('credence_fence_probe', 'first')`);
      const burst = await Promise.all(Array.from({ length: 20 }, () => probe.sync!().then((number) => [number, heard.includes('first')] as const)));
      expect(new Set(burst.map(([number]) => number)).size).toBe(1);
      expect(burst.every(([number, handled]) => number !== null && handled)).toBe(true);
      expect(probe.fencesSent!() - sent).toBe(1);
      // Callers arriving while a fence is in flight share the next one, which covers what committed before they came.
      const first = probe.sync!();
      await new Promise((resolve) => setImmediate(resolve)); // the first fence leaves in this turn's check phase
      await notifier.query(`select pg_notify('credence_fence_probe', 'second')`);
      const later = await Promise.all(Array.from({ length: 5 }, () => probe.sync!().then(() => heard.includes('second'))));
      await first;
      expect(later).toEqual([true, true, true, true, true]);
      expect(probe.fencesSent!() - sent).toBe(3);
    } finally {
      await probe();
      await notifier.end();
    }
  });

  it.skipIf(kind !== 'postgres')('never serves stale data while its listener is down, and resynchronises when it is back', async () => {
    const target = await createScene(t);
    await settledJob(target, 2, 'a');
    await settledJob(target, 5, 'a');
    const admin = new pg.Client({ connectionString: t.testDatabase.url });
    await admin.connect();
    const listeners = async () =>
      (
        await admin.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and application_name = $1`, [
          LISTENER_APPLICATION_NAME,
        ])
      ).rows.map((row) => row.pid);
    /** Terminates every listening session (both instances') and waits until they are gone. */
    async function terminateListeners(): Promise<void> {
      const killed = await listeners();
      expect(killed.length).toBeGreaterThanOrEqual(2);
      await admin.query(`select pg_terminate_backend(pid) from unnest($1::int[]) as pid`, [killed]);
      while ((await listeners()).some((pid) => killed.includes(pid))) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Each instance's listener, seen through a handler of its own: `sync` answers a connection's number only once
    // that connection listens (its session shows in pg_stat_activity earlier, before its LISTEN has run).
    const probes = await Promise.all([t.testDatabase.database, other.database].map((database) => database.listen!(TRUST_INPUTS_CHANNEL, () => undefined)));
    const connectionNumbers = () => Promise.all(probes.map((probe) => probe.sync!()));
    async function waitForNewListeners(before: (number | null)[]): Promise<void> {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const now = await connectionNumbers();
        if (now.every((number, i) => number !== null && number !== before[i])) return;
        if (Date.now() > deadline) throw new Error(`listeners did not come back: ${JSON.stringify({ before, now })}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    try {
      // 1. A change made while nobody listens, and no read until the listeners are back: memory must be cleared.
      const approved = await expectBothCurrent(target.agent.did);
      await expectWarmFromMemory(target.agent.did);
      const resyncs = a().cacheStats().resyncs;
      let numbers = await connectionNumbers();
      expect(numbers).not.toContain(null);
      await terminateListeners();
      await db.updateTable('platforms').set({ status: 'SUSPENDED' }).where('did', '=', target.platform.did).execute();
      await waitForNewListeners(numbers);
      const suspended = await expectBothCurrent(target.agent.did);
      expect(suspended).not.toEqual(approved);
      expect(a().cacheStats().resyncs).toBe(resyncs + 1);
      await expectWarmFromMemory(target.agent.did);

      // 2. Reads while the listener is down check versions (never memory), and see changes made meanwhile.
      numbers = await connectionNumbers();
      expect(numbers).not.toContain(null);
      await terminateListeners();
      const before = a().cacheStats();
      await expectBothCurrent(target.agent.did);
      await db.updateTable('platforms').set({ status: 'APPROVED' }).where('did', '=', target.platform.did).execute();
      expect(await expectBothCurrent(target.agent.did)).toEqual(approved);
      expect(a().cacheStats().memoryReads).toBe(before.memoryReads);
      await waitForNewListeners(numbers);

      // 3. Notices flow again: a change after the reconnection reaches memory.
      await expectBothCurrent(target.agent.did);
      await expectWarmFromMemory(target.agent.did);
      await db.updateTable('platforms').set({ status: 'SUSPENDED' }).where('did', '=', target.platform.did).execute();
      expect(await expectBothCurrent(target.agent.did)).toEqual(suspended);
      await expectWarmFromMemory(target.agent.did);
    } finally {
      await Promise.all(probes.map((unlisten) => unlisten()));
      await admin.end();
    }
  });
});
