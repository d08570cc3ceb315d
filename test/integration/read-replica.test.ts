// Read replicas against a real streaming-replication pair (test/helpers/replica-cluster.ts): a primary and a standby
// made with pg_basebackup -R, on their own ports. Replay on the standby is paused so it is provably stale, and each
// routing rule is checked by what a read answers and by the router's counters (the same numbers /metrics serves):
// public reads run on the replica; a caller's own reads and mutations run on the primary; a change the trust read
// cache was told about is never refilled from a replica that has not replayed it; a replica that lags past
// CREDENCE_READ_MAX_LAG_MS, or is down, leaves every read to the primary.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createSchema, createYoga } from 'graphql-yoga';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { keyPairFromSeed } from '../../src/crypto/ed25519.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { publicReadHandle } from '../../src/db/public-reads.ts';
import { createReadRouter, type ReadRouterStats } from '../../src/db/read-router.ts';
import { readRoutingPlugin } from '../../src/http/read-routing.ts';
import { silentLogger } from '../../src/logger.ts';
import { startServer } from '../../src/main.ts';
import { issuerKeyFromPair } from '../../src/issuer/issuer-key.ts';
import { createTrustService } from '../../src/trust/store/trust.service.ts';
import { CLAIM } from '../helpers/profile.ts';
import { createScene, recordEscrow, signReceipt, SUBMIT, type Scene } from '../helpers/marketplace.ts';
import { replicaClusterUnavailable, startReplicaCluster, waitForReplay, type ReplicaCluster } from '../helpers/replica-cluster.ts';
import { createTestApp, ISSUER_SEED, newKey, type TestApp, type TestKey } from '../helpers/test-app.ts';

const DAY = 86_400_000;
const TRUST = `query($did: String!) { trust(did: $did) { did score tier windows { lifetime { tasks } } client { jobsAsClient } } }`;

describe('read replica configuration', () => {
  it('refuses CREDENCE_READ_DATABASE_URL without a PostgreSQL primary', () => {
    expect(() => loadConfig({ CREDENCE_READ_DATABASE_URL: 'postgres://127.0.0.1/credence' })).toThrow(/needs a PostgreSQL primary in DATABASE_URL/);
  });

  it('refuses a read replica next to the embedded database', async () => {
    const database = await openDatabase({ dataDir: 'memory://' });
    try {
      // Refused before the app touches the database, so no migration is needed.
      const config = loadConfig({ CREDENCE_PUBLIC_URL: 'http://localhost:4000', CREDENCE_DATA_DIR: 'memory://' });
      await expect(
        createApp({ config, database, readDatabase: database, issuerKey: issuerKeyFromPair(keyPairFromSeed(ISSUER_SEED)) }),
      ).rejects.toThrow(/needs a PostgreSQL primary/);
    } finally {
      await database.close();
    }
    // Opening the embedded database takes tens of seconds on a loaded machine.
  }, 180_000);
});

// The pair needs root (the servers run as the postgres user through runuser) and PostgreSQL 15's server binaries;
// the reason is printed in the suite name when it is skipped.
const unavailable = replicaClusterUnavailable();

describe.skipIf(unavailable !== null)(`read replica on a streaming standby${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cluster: ReplicaCluster | undefined;
  let primary: Database;
  let replica: Database;
  let primarySql: pg.Client;
  let replicaSql: pg.Client;
  let t: TestApp;
  let scene: Scene;
  let job = 0;

  const stats = (): ReadRouterStats => t.app.reads.stats();
  const uncachedOn = (database: Database) => createTrustService(database.db, { cacheSize: 0 });
  const truth = (did: string) => uncachedOn(primary).report(did, t.now);

  /**
   * Lets the listener catch up with every commit so far (a read does that first) and the background reloads of what
   * its notices dropped finish: those run outside any request, on the primary, and would blur the counts below.
   */
  async function settled(): Promise<void> {
    await t.app.services.trust.report(newKey().did, t.now);
    await t.app.services.trust.refreshesSettled();
  }

  /** Counter changes between two snapshots. */
  function delta(before: ReadRouterStats, after: ReadRouterStats) {
    return {
      primary: after.reads.primary - before.reads.primary,
      replica: after.reads.replica - before.reads.replica,
      behind: after.fallbacks.behind - before.fallbacks.behind,
      lagging: after.fallbacks.lagging - before.fallbacks.lagging,
      down: after.fallbacks.down - before.fallbacks.down,
    };
  }

  async function publicTrust(did: string) {
    const answer = await t.gql(TRUST, { did });
    expect(answer.errors).toBeUndefined();
    return answer.data.trust;
  }

  async function settledJob(buyer: TestKey = newKey()): Promise<void> {
    job += 1;
    const work = { ...scene, buyer };
    const occurredAt = new Date(t.now.getTime() - 0.5 * DAY).toISOString();
    await recordEscrow(t, work, `esc_replica_${job}`, ['FUNDED', 'RELEASED', 'SETTLED'], { occurredAt });
    const result = await t.gql(SUBMIT, { receipt: signReceipt(t, work, { escrowId: `esc_replica_${job}`, occurredAt }) });
    if (result.data?.submitReceipt.receipt?.confidence !== 'ESCROW_VERIFIED') throw new Error(JSON.stringify(result));
  }

  const shape = (report: Awaited<ReturnType<typeof truth>>) => ({
    did: report.did,
    score: report.score,
    tier: report.tier,
    windows: { lifetime: { tasks: report.windows.lifetime.tasks } },
    client: { jobsAsClient: report.client.jobsAsClient },
  });

  async function setReplay(paused: boolean): Promise<void> {
    await replicaSql.query(paused ? 'select pg_wal_replay_pause()' : 'select pg_wal_replay_resume()');
    for (let attempt = 0; attempt < 400; attempt += 1) {
      const { rows } = await replicaSql.query<{ state: string }>('select pg_get_wal_replay_pause_state() as state');
      if ((rows[0]!.state === 'paused') === paused && (paused || rows[0]!.state === 'not paused')) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`replay did not become ${paused ? 'paused' : 'resumed'}`);
  }

  beforeAll(async () => {
    cluster = await startReplicaCluster();
    primary = await openDatabase({ databaseUrl: cluster.primaryUrl, poolSize: 4 });
    await migrateToLatest(primary.db);
    replica = await openDatabase({ databaseUrl: cluster.replicaUrl, poolSize: 4 });
    primarySql = new pg.Client({ connectionString: cluster.primaryUrl });
    replicaSql = new pg.Client({ connectionString: cluster.replicaUrl });
    await primarySql.connect();
    await replicaSql.connect();
    // Lag is judged by the replay position in these tests, not by time: the lag test below sets its own bound.
    t = await createTestApp(
      { database: primary, url: cluster.primaryUrl, drop: () => primary.close() },
      { CREDENCE_READ_MAX_LAG_MS: String(3_600_000) },
      { readDatabase: replica },
    );
    scene = await createScene(t);
    await settledJob();
    await settledJob();
    await waitForReplay(primarySql, replicaSql);
    expect(await t.app.reads.probe()).toBe('ready');
  }, 120_000);

  afterAll(async () => {
    await replicaSql?.query('select pg_wal_replay_resume()').catch(() => undefined);
    await t?.app.services.trust.unfollow();
    await t?.close();
    await replica?.close();
    await primarySql?.end().catch(() => undefined);
    await replicaSql?.end().catch(() => undefined);
    await cluster?.stop();
  }, 60_000);

  it('sends a public trust read to the replica, which answers what the primary holds', async () => {
    const before = stats();
    expect(await publicTrust(scene.agent.did)).toEqual(shape(await truth(scene.agent.did)));
    expect(delta(before, stats())).toMatchObject({ replica: 1, primary: 0 });
    // The same counters on /metrics.
    const metrics = await (await t.fetch('/metrics')).text();
    expect(metrics).toContain(`credence_db_reads_total{target="replica"} ${stats().reads.replica}`);
    expect(metrics).toMatch(/credence_db_read_fallbacks_total\{reason="behind"\} \d+/);
  });

  it('sends an authenticated read to the primary', async () => {
    const reader = newKey();
    const before = stats();
    const answer = await t.gql(TRUST, { did: scene.buyer.did }, reader);
    expect(answer.errors).toBeUndefined();
    expect(answer.data.trust).toEqual(shape(await truth(scene.buyer.did)));
    expect(delta(before, stats())).toMatchObject({ replica: 0, primary: 1 });
  });

  it('with replay paused: the caller sees its own write, public reads never refill memory with the stale answer', async () => {
    // Warm memory for the agent, and let a public read settle the position the replica must have replayed.
    await publicTrust(scene.agent.did);
    await setReplay(true);
    try {
      // (b) Still a public read on the replica while nothing has changed since it last caught up.
      const idle = newKey();
      const beforeIdle = stats();
      expect(await publicTrust(idle.did)).toEqual(shape(await truth(idle.did)));
      expect(delta(beforeIdle, stats())).toMatchObject({ replica: 1, primary: 0, behind: 0 });

      // A write through the service while the replica cannot replay it.
      const buyer = newKey();
      const beforeWrite = await truth(scene.agent.did);
      await settledJob(buyer);
      await settled();
      const afterWrite = await truth(scene.agent.did);
      expect(afterWrite.windows.lifetime.tasks).toBe(beforeWrite.windows.lifetime.tasks + 1);
      // The replica really is stale: a read there would answer the old count.
      const stale = await uncachedOn(replica).report(scene.agent.did, t.now);
      expect(stale.windows.lifetime.tasks).toBe(beforeWrite.windows.lifetime.tasks);

      // (a) The buyer reads its own new history with its token: the primary answers.
      const beforeOwn = stats();
      const own = await t.gql(TRUST, { did: buyer.did }, buyer);
      expect(own.errors).toBeUndefined();
      expect(own.data.trust.client.jobsAsClient).toBe(1);
      expect(delta(beforeOwn, stats())).toMatchObject({ replica: 0, primary: 1, behind: 0 });

      // (c) The agent memory held was dropped by the change notice and reloaded in the background, on the primary
      // (reads outside a request never use the replica): a public read now answers the current report from memory,
      // not the replica's.
      const trust = t.app.services.trust;
      const beforePublic = stats();
      const memoryBefore = trust.cacheStats();
      expect(await publicTrust(scene.agent.did)).toEqual(shape(afterWrite));
      expect(delta(beforePublic, stats())).toMatchObject({ replica: 0, primary: 0 });
      expect(trust.cacheStats().memoryReads).toBe(memoryBefore.memoryReads + 1);
      expect(trust.cacheStats().databaseReads).toBe(memoryBefore.databaseReads);
      // A public read that misses memory after the notice: the replica has not replayed a position covering every
      // notice handled so far, so its statement runs on the primary.
      const unseen = newKey();
      const beforeMiss = stats();
      expect(await publicTrust(unseen.did)).toEqual(shape(await truth(unseen.did)));
      expect(delta(beforeMiss, stats())).toMatchObject({ replica: 0, primary: 1, behind: 1 });

      // The same public read with a router that skipped the position check would have kept the stale answer:
      // the replica, read directly, still disagrees with what was served.
      expect(shape(stale)).not.toEqual(shape(afterWrite));
    } finally {
      await setReplay(false);
    }
    await waitForReplay(primarySql, replicaSql);
    // Caught up again: public reads return to the replica.
    const beforeResume = stats();
    const fresh = newKey();
    expect(await publicTrust(fresh.did)).toEqual(shape(await truth(fresh.did)));
    expect(delta(beforeResume, stats())).toMatchObject({ replica: 1, primary: 0 });
  }, 60_000);

  it('with replay paused: listings, agent lookups and profile pages read the replica in public, the writer reads the primary', async () => {
    const RECEIPTS = `query($did: String!) { receipts(did: $did, first: 100) { edges { node { receiptId } } } }`;
    const AGENT = `query($did: String!) { agent(did: $did) { did receipts(first: 100) { edges { node { receiptId } } } } }`;
    const countIn = (answer: { errors?: unknown; data?: any }, path: (data: any) => { edges: unknown[] }) => {
      expect(answer.errors).toBeUndefined();
      return path(answer.data).edges.length;
    };
    const claimed = await t.gql(CLAIM, { input: { displayName: 'Replica reader' } }, scene.agent);
    expect(claimed.data.claimDid.__typename).toBe('ClaimDidPayload');
    await waitForReplay(primarySql, replicaSql);
    const stored = countIn(await t.gql(RECEIPTS, { did: scene.agent.did }), (d) => d.receipts);
    await setReplay(true);
    try {
      await settledJob();
      await settled();
      // The listing, read in public: the replica answers, and it has not replayed the new receipt.
      const beforeList = stats();
      expect(countIn(await t.gql(RECEIPTS, { did: scene.agent.did }), (d) => d.receipts)).toBe(stored);
      expect(delta(beforeList, stats())).toMatchObject({ replica: 1, primary: 0 });
      // The same listing with a token: the primary, with the new receipt.
      const beforeOwn = stats();
      expect(countIn(await t.gql(RECEIPTS, { did: scene.agent.did }, scene.platform), (d) => d.receipts)).toBe(stored + 1);
      expect(delta(beforeOwn, stats()).replica).toBe(0);
      expect(delta(beforeOwn, stats()).primary).toBeGreaterThanOrEqual(1);
      // The agent lookup and its receipts connection, in public: both statements on the replica.
      const beforeAgent = stats();
      expect(countIn(await t.gql(AGENT, { did: scene.agent.did }), (d) => d.agent.receipts)).toBe(stored);
      expect(delta(beforeAgent, stats())).toMatchObject({ replica: 2, primary: 0 });
      // The profile page: its listings, activity chart and agent row come from the replica.
      const beforePage = stats();
      const page = await t.fetch(`/agents/${encodeURIComponent(scene.agent.did)}`);
      expect(page.status).toBe(200);
      await page.text();
      expect(delta(beforePage, stats()).replica).toBeGreaterThanOrEqual(4);
      // A mutation's reads (the receipt it returns, its subject) stay on the primary.
      const beforeWrite = stats();
      await settledJob();
      expect(delta(beforeWrite, stats()).replica).toBe(0);
    } finally {
      await setReplay(false);
    }
    await waitForReplay(primarySql, replicaSql);
    expect(countIn(await t.gql(RECEIPTS, { did: scene.agent.did }), (d) => d.receipts)).toBe(stored + 2);
  }, 60_000);

  it('the public read handle opens no transaction: nothing can write through it', async () => {
    await expect(publicReadHandle(t.app.reads).transaction().execute(async () => undefined)).rejects.toThrow(/opens no transaction/);
  });

  it('decides per request: GraphQL queries without a token may use the replica; mutations, tokens and REST writes may not', async () => {
    // A schema whose fields answer where a read would go, behind the same plugin the app uses.
    const where = () => t.app.reads.targetNow();
    const yoga = createYoga({
      schema: createSchema({ typeDefs: 'type Query { target: String! } type Mutation { target: String! }', resolvers: { Query: { target: where }, Mutation: { target: where } } }),
      plugins: [readRoutingPlugin(t.app.reads)],
    });
    const ask = async (query: string, headers: Record<string, string> = {}) => {
      const response = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
      return ((await response.json()) as { data: { target: string } }).data.target;
    };
    expect(await ask('{ target }')).toBe('replica');
    expect(await ask('mutation { target }')).toBe('primary');
    expect(await ask('{ target }', { authorization: 'Bearer anything' })).toBe('primary');
    // Nothing carries over from one request to the next.
    expect(await ask('{ target }')).toBe('replica');
    const viaGet = await yoga.fetch(`http://localhost/graphql?query=${encodeURIComponent('{ target }')}`);
    expect(((await viaGet.json()) as { data: { target: string } }).data.target).toBe('replica');
    // Reads made outside any request (jobs, commands) use the primary.
    expect(where()).toBe('primary');
  });

  it('credence serve with CREDENCE_READ_DATABASE_URL: public REST reads, and GraphQL reads answered ahead of yoga, run on the replica over HTTP', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'credence-serve-replica-'));
    const running = await startServer(
      loadConfig({
        DATABASE_URL: cluster!.primaryUrl,
        CREDENCE_READ_DATABASE_URL: cluster!.replicaUrl,
        CREDENCE_DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0',
        CREDENCE_WEBHOOK_INTERVAL_SECONDS: '0',
      }),
      silentLogger,
    );
    try {
      await waitForReplay(primarySql, replicaSql);
      expect(await running.app.reads.probe()).toBe('ready');
      const before = running.app.reads.stats();
      const response = await fetch(`${running.url}/api/reputation/agent/${encodeURIComponent(scene.agent.did)}/reputation`);
      expect(response.status).toBe(200);
      const after = running.app.reads.stats();
      // The trust read, and the listing read the route makes for the newest receipt: both on the replica.
      expect(after.reads.replica).toBeGreaterThanOrEqual(before.reads.replica + 1);
      expect(after.reads.primary).toBe(before.reads.primary);
      const metrics = await (await fetch(`${running.url}/metrics`)).text();
      expect(metrics).toContain(`credence_db_reads_total{target="replica"} ${after.reads.replica}`);

      // A GraphQL listing without a token, once known answered ahead of yoga (src/http/node-read-path.ts): still
      // a public read, on the replica.
      const listing = JSON.stringify({ query: 'query($did: String!) { receipts(did: $did, first: 5) { edges { node { receiptId } } } }', variables: { did: scene.agent.did } });
      const post = async () => {
        const answer = await fetch(`${running.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: listing });
        expect(answer.status).toBe(200);
        expect(((await answer.json()) as { errors?: unknown }).errors).toBeUndefined();
      };
      await post();
      await post();
      const beforeAhead = running.app.reads.stats();
      await post();
      const afterAhead = running.app.reads.stats();
      expect(await (await fetch(`${running.url}/metrics`)).text()).toMatch(/^credence_graphql_known_query_requests_total\{outcome="answered_ahead"\} 1$/m);
      expect(afterAhead.reads.replica).toBe(beforeAhead.reads.replica + 1);
      expect(afterAhead.reads.primary).toBe(beforeAhead.reads.primary);
    } finally {
      await running.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('leaves reads to the primary while the replica lags past the bound', async () => {
    let now = 0;
    // Bound 0: any replay behind what was received counts as lagging.
    const router = createReadRouter(primary.db, replica.db, { maxLagMs: 0, probeIntervalMs: 1_000, now: () => now });
    expect(await router.probe()).toBe('ready');
    await setReplay(true);
    try {
      await settledJob();
      // Received by the standby but not replayed.
      const { rows } = await primarySql.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
      for (let attempt = 0; ; attempt += 1) {
        const received = await replicaSql.query<{ done: boolean }>('select pg_last_wal_receive_lsn() >= $1::pg_lsn as done', [rows[0]!.lsn]);
        if (received.rows[0]!.done) break;
        if (attempt > 400) throw new Error('the standby did not receive the write');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      now += 1_000;
      expect(await router.probe()).toBe('lagging');
      expect(router.stats().lagMs).toBeGreaterThan(0);
      const read = await router.run(false, () => router.read(async (db) => (await db.selectFrom('receipts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));
      expect(read.target).toBe('primary');
      const primaryCount = await primarySql.query<{ n: number }>('select count(*)::int as n from receipts');
      expect(read.value).toBe(primaryCount.rows[0]!.n);
      expect(router.stats().fallbacks.lagging).toBe(1);
    } finally {
      await setReplay(false);
    }
    await waitForReplay(primarySql, replicaSql);
    now += 1_000;
    expect(await router.probe()).toBe('ready');
    expect((await router.run(false, () => router.read(async () => 1))).target).toBe('replica');
  }, 60_000);

  it('serves every read from the primary while the replica is down, and returns to it when it is back', async () => {
    const down = await openDatabase({ databaseUrl: cluster!.replicaUrl.replace(/:(\d+)\//, ':1/'), poolSize: 1 });
    try {
      const router = createReadRouter(primary.db, down.db, { maxLagMs: 1_000, now: () => 0 });
      // A replica that was fine at its last probe and then goes away: the read falls back at once.
      expect(await router.probe()).toBe('down');
      const beforeDown = router.stats();
      const read = await router.run(false, () => router.read(async (db) => (await db.selectFrom('platforms').select('did').execute()).length));
      expect(read.target).toBe('primary');
      expect(read.value).toBeGreaterThan(0);
      expect(router.stats().fallbacks.down).toBe(beforeDown.fallbacks.down + 1);
    } finally {
      await down.close();
    }

    // Through the app: stop the standby's server, read publicly, start it again.
    const before = stats();
    const agentTruth = shape(await truth(scene.agent.did));
    await replicaSql.end();
    await stopReplica();
    try {
      await t.app.services.trust.unfollow();
      await t.app.services.trust.follow(t.testDatabase.database);
      expect(await publicTrust(scene.agent.did)).toEqual(agentTruth);
      const after = stats();
      expect(delta(before, after).replica).toBe(0);
      expect(delta(before, after).primary).toBeGreaterThanOrEqual(1);
      expect(after.state).toBe('down');
      expect(delta(before, after).down).toBeGreaterThanOrEqual(1);
    } finally {
      await startReplica();
      replicaSql = new pg.Client({ connectionString: cluster!.replicaUrl });
      await replicaSql.connect();
    }
    await waitForReplay(primarySql, replicaSql);
    expect(await t.app.reads.probe()).toBe('ready');
    const fresh = newKey();
    const beforeBack = stats();
    expect(await publicTrust(fresh.did)).toEqual(shape(await truth(fresh.did)));
    expect(delta(beforeBack, stats()).replica).toBe(1);
  }, 90_000);

  const stopReplica = () => cluster!.stopServer('replica');
  const startReplica = () => cluster!.startServer('replica');
});
