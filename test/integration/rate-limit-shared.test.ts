// Rate limits shared through PostgreSQL (CREDENCE_RATE_LIMIT_STORE=postgres): the bucket math of the in-memory
// limiter, atomic under concurrent takes, and one limit for two app instances on one database (each with its own
// connection pool, as two processes would have), where the in-memory store lets each instance count alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { keyPairFromSeed } from '../../src/crypto/ed25519.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { postgresRateLimitStore } from '../../src/http/rate-limit.repository.ts';
import { memoryRateLimitStore } from '../../src/http/rate-limit.ts';
import { issuerKeyFromPair } from '../../src/issuer/issuer-key.ts';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../helpers/database.ts';
import { ISSUER_SEED } from '../helpers/test-app.ts';

describe.each(testDatabaseKinds)('the PostgreSQL rate-limit store on %s database', (kind) => {
  let testDatabase: TestDatabase;
  let now = 1_700_000_000_000;
  beforeAll(async () => {
    testDatabase = await createTestDatabase(kind);
  });
  afterAll(async () => testDatabase?.drop());

  it('runs the same token bucket as the in-memory store, step for step', async () => {
    const shared = postgresRateLimitStore(testDatabase.database.db, { now: () => now });
    const memory = memoryRateLimitStore(() => now);
    const steps: [advanceMs: number, takes: number][] = [[0, 8], [999, 2], [1, 2], [25_000, 4], [3_600_000, 8]];
    for (const [advance, takes] of steps) {
      now += advance;
      for (let i = 0; i < takes; i++) expect(await shared.take('ip:192.0.2.1', 6)).toEqual(await memory.take('ip:192.0.2.1', 6));
    }
    // Refused at once after the burst, with the seconds until a token is back.
    now += 3_600_000;
    for (let i = 0; i < 6; i++) expect((await shared.take('ip:192.0.2.2', 6)).allowed).toBe(true);
    expect(await shared.take('ip:192.0.2.2', 6)).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('never refills backwards when a lagging clock takes after a leading one', async () => {
    let lagging = now - 30_000;
    const ahead = postgresRateLimitStore(testDatabase.database.db, { now: () => now });
    const behind = postgresRateLimitStore(testDatabase.database.db, { now: () => lagging });
    expect((await ahead.take('did:did:key:zLag', 1)).allowed).toBe(true);
    expect((await behind.take('did:did:key:zLag', 1)).allowed).toBe(false);
    lagging += 29_000;
    expect((await behind.take('did:did:key:zLag', 1)).allowed).toBe(false);
    now += 60_000;
    expect((await ahead.take('did:did:key:zLag', 1)).allowed).toBe(true);
  });

  it('sweeps buckets that are full again', async () => {
    const store = postgresRateLimitStore(testDatabase.database.db, { now: () => now, sweepEveryMs: 0 });
    await store.take('ip:198.51.100.7', 10);
    now += 61_000;
    await store.take('ip:198.51.100.8', 10);
    // The sweep runs beside the take; give it its statement.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const rows = await testDatabase.database.db.selectFrom('rate_limit_buckets' as never).select('bucket' as never).execute();
    expect(rows.map((r) => (r as { bucket: string }).bucket)).toEqual(['10:ip:198.51.100.8']);
  });
});

describe.runIf(testDatabaseKinds.includes('postgres'))('two instances on one PostgreSQL', () => {
  let testDatabase: TestDatabase;
  let second: Database;
  const apps: App[] = [];
  let now = 1_700_000_000_000;

  beforeAll(async () => {
    testDatabase = await createTestDatabase('postgres');
    second = await openDatabase({ databaseUrl: testDatabase.url!, poolSize: 5 });
  }, 60_000);
  afterAll(async () => {
    await second?.close();
    await testDatabase?.drop();
  });

  async function instances(store: 'memory' | 'postgres'): Promise<[App, App]> {
    const config = loadConfig({
      CREDENCE_PUBLIC_URL: 'http://localhost:4000',
      CREDENCE_DATA_DIR: 'memory://',
      CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '10',
      CREDENCE_RATE_LIMIT_STORE: store,
      CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0',
      CREDENCE_WEBHOOK_INTERVAL_SECONDS: '0',
    });
    const made = await Promise.all(
      [testDatabase.database, second].map((database) =>
        createApp({ config, database, issuerKey: issuerKeyFromPair(keyPairFromSeed(ISSUER_SEED)), clock: () => new Date(now), limiterClock: () => now }),
      ),
    );
    apps.push(...made);
    return made as [App, App];
  }

  const get = (app: App, address: string) =>
    Promise.resolve(app.yoga.handleRequest(new Request('http://localhost:4000/graphql?query=%7B__typename%7D'), { req: { socket: { remoteAddress: address } } } as never));

  it('holds one limit across both instances, with requests arriving at both at once', async () => {
    const [a, b] = await instances('postgres');
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => get(i % 2 ? a : b, '203.0.113.50')));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    const refused = responses.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another address has its own bucket on both.
    expect((await get(a, '203.0.113.51')).status).toBe(200);
    // A minute later the shared bucket is full again, for either instance.
    now += 60_000;
    for (let i = 0; i < 10; i++) expect((await get(i % 2 ? b : a, '203.0.113.50')).status).toBe(200);
    expect((await get(b, '203.0.113.50')).status).toBe(429);
  });

  it('while in memory each instance counts alone (the default, for a single instance)', async () => {
    now += 120_000;
    const [a, b] = await instances('memory');
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await get(i % 2 ? a : b, '203.0.113.60')).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
  });
});
