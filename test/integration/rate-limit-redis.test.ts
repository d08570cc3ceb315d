// Rate limits shared through Redis (CREDENCE_REDIS_URL): the bucket math of the in-memory limiter, atomic under
// concurrent takes from several clients, one limit for two app instances, and a limit that holds (per instance) when
// the shared store cannot be reached. The tests that need a Redis run where TEST_REDIS_URL names one (CI starts it);
// the configuration and unreachable-store tests need none.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { keyPairFromSeed } from '../../src/crypto/ed25519.ts';
import { openRateLimitRedis, redisRateLimitStore, redisReady } from '../../src/http/rate-limit.redis.ts';
import { memoryRateLimitStore, type RateLimitStore } from '../../src/http/rate-limit.ts';
import { issuerKeyFromPair } from '../../src/issuer/issuer-key.ts';
import { createLogger } from '../../src/logger.ts';
import { startServer } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { ISSUER_SEED } from '../helpers/test-app.ts';

const redisUrl = process.env.TEST_REDIS_URL;
/** A port nothing listens on: every command to it fails at once. */
const UNREACHABLE_REDIS = 'redis://:not-a-real-password@127.0.0.1:1';

const get = (app: App, address: string) =>
  Promise.resolve(app.yoga.handleRequest(new Request('http://localhost:4000/graphql?query=%7B__typename%7D'), { req: { socket: { remoteAddress: address } } } as never));

function appConfig(env: Record<string, string> = {}) {
  return loadConfig({
    CREDENCE_PUBLIC_URL: 'http://localhost:4000',
    CREDENCE_DATA_DIR: 'memory://',
    CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '10',
    CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0',
    CREDENCE_WEBHOOK_INTERVAL_SECONDS: '0',
    ...env,
  });
}

describe('the Redis store in the configuration', () => {
  it('is chosen by CREDENCE_REDIS_URL alone, can be overridden, and is refused without a URL', () => {
    expect(appConfig().rateLimitStore).toBe('memory');
    expect(appConfig({ CREDENCE_REDIS_URL: 'redis://127.0.0.1:6379' })).toMatchObject({ rateLimitStore: 'redis', redisUrl: 'redis://127.0.0.1:6379' });
    expect(appConfig({ CREDENCE_REDIS_URL: 'redis://127.0.0.1:6379', CREDENCE_RATE_LIMIT_STORE: 'postgres' }).rateLimitStore).toBe('postgres');
    expect(() => appConfig({ CREDENCE_RATE_LIMIT_STORE: 'redis' })).toThrow(/CREDENCE_RATE_LIMIT_STORE=redis needs CREDENCE_REDIS_URL/);
    expect(() => appConfig({ CREDENCE_REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/CREDENCE_REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
  });
});

describe('a shared store that cannot be reached', () => {
  let testDatabase: TestDatabase;
  let redis: Redis;
  let now = 1_700_000_000_000;
  beforeAll(async () => {
    testDatabase = await createTestDatabase('embedded');
    redis = openRateLimitRedis(UNREACHABLE_REDIS, { retryStrategy: () => null });
    redis.on('error', () => undefined);
  });
  afterAll(async () => {
    redis?.disconnect();
    await testDatabase?.drop();
  });

  it('does not lift the limit: the instance counts alone, says so once, and counts the failures', async () => {
    const logs: string[] = [];
    const app = await createApp({
      config: appConfig({ CREDENCE_REDIS_URL: UNREACHABLE_REDIS }),
      database: testDatabase.database,
      issuerKey: issuerKeyFromPair(keyPairFromSeed(ISSUER_SEED)),
      clock: () => new Date(now),
      limiterClock: () => now,
      logger: createLogger('debug', (line) => logs.push(line)),
      rateLimitStore: redisRateLimitStore(redis, { now: () => now }),
    });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await get(app, '203.0.113.70')).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    const warnings = logs.filter((line) => line.includes('rate-limit store unavailable'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"store":"redis"');
    const metrics = await (await app.yoga.fetch(new Request('http://localhost:4000/metrics'))).text();
    expect(metrics).toMatch(/^credence_rate_limit_store_errors_total 30$/m);
  });

  it('createApp refuses a Redis store it was not given (the server opens and closes the client)', async () => {
    await expect(
      createApp({ config: appConfig({ CREDENCE_REDIS_URL: UNREACHABLE_REDIS }), database: testDatabase.database, issuerKey: issuerKeyFromPair(keyPairFromSeed(ISSUER_SEED)) }),
    ).rejects.toThrow(/needs the Redis store passed in/);
  });

  it('the server starts without it, warns once without the password, and still limits', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'credence-redis-down-'));
    const logs: string[] = [];
    try {
      const config = loadConfig({
        CREDENCE_DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        CREDENCE_REDIS_URL: UNREACHABLE_REDIS,
        CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '5',
        CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0',
        CREDENCE_WEBHOOK_INTERVAL_SECONDS: '0',
      });
      const server = await startServer(config, createLogger('debug', (line) => logs.push(line)));
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 8; i++) statuses.push((await fetch(`${server.url}/graphql?query=%7B__typename%7D`)).status);
        expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      } finally {
        await server.close();
      }
      const all = logs.join('');
      expect(all).toContain('rate-limit Redis not reachable yet');
      expect(all).toContain('redis://127.0.0.1:1');
      expect(all).not.toContain('not-a-real-password');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});

// Needs a Redis server: TEST_REDIS_URL (the CI script starts the machine's Redis and sets it).
describe.runIf(redisUrl)('the Redis rate-limit store', () => {
  const clients: Redis[] = [];
  // Every run in its own key space, so runs sharing one Redis never meet.
  const keyPrefix = `credence-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
  let now = 1_700_000_000_000;

  async function client(): Promise<Redis> {
    const redis = openRateLimitRedis(redisUrl!);
    clients.push(redis);
    expect(await redisReady(redis, 5000)).toBe(true);
    return redis;
  }
  const store = async (clock: () => number = () => now): Promise<RateLimitStore> => redisRateLimitStore(await client(), { now: clock, keyPrefix });

  afterAll(async () => {
    const cleanup = clients[0];
    if (cleanup) {
      const keys = await cleanup.keys(`${keyPrefix}*`);
      if (keys.length > 0) await cleanup.del(...keys);
    }
    await Promise.all(clients.map((redis) => redis.quit()));
  });

  it('runs the same token bucket as the in-memory store, step for step', async () => {
    const shared = await store();
    const memory = memoryRateLimitStore(() => now);
    const steps: [advanceMs: number, takes: number][] = [[0, 8], [999, 2], [1, 2], [25_000, 4], [3_600_000, 8]];
    for (const [advance, takes] of steps) {
      now += advance;
      for (let i = 0; i < takes; i++) expect(await shared.take('ip:192.0.2.1', 6)).toEqual(await memory.take('ip:192.0.2.1', 6));
    }
    now += 3_600_000;
    for (let i = 0; i < 6; i++) expect((await shared.take('ip:192.0.2.2', 6)).allowed).toBe(true);
    expect(await shared.take('ip:192.0.2.2', 6)).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('never refills backwards when a lagging clock takes after a leading one', async () => {
    let lagging = now - 30_000;
    const ahead = await store(() => now);
    const behind = await store(() => lagging);
    expect((await ahead.take('did:did:key:zLag', 1)).allowed).toBe(true);
    expect((await behind.take('did:did:key:zLag', 1)).allowed).toBe(false);
    lagging += 29_000;
    expect((await behind.take('did:did:key:zLag', 1)).allowed).toBe(false);
    now += 60_000;
    expect((await ahead.take('did:did:key:zLag', 1)).allowed).toBe(true);
  });

  it('lets a bucket expire when it would be full again, so nothing needs sweeping', async () => {
    const shared = await store();
    const redis = clients.at(-1)!;
    now += 3_600_000;
    for (let i = 0; i < 3; i++) await shared.take('ip:198.51.100.9', 60);
    // Three tokens short at one a second: the key lives three seconds.
    const ttl = await redis.pttl(`${keyPrefix}60:ip:198.51.100.9`);
    expect(ttl).toBeGreaterThan(2_000);
    expect(ttl).toBeLessThanOrEqual(3_000);
  });

  it('gives exactly the limit to many concurrent takes from several clients', async () => {
    now += 3_600_000;
    const stores = await Promise.all(Array.from({ length: 4 }, () => store()));
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => stores[i % stores.length]!.take('ip:203.0.113.99', 50)));
    expect(results.filter((result) => result.allowed)).toHaveLength(50);
  });

  it('holds one limit across two instances, with requests arriving at both at once', async () => {
    const databases = await Promise.all([createTestDatabase('embedded'), createTestDatabase('embedded')]);
    try {
      now += 3_600_000;
      const [a, b] = await Promise.all(
        databases.map(async (testDatabase) =>
          createApp({
            config: appConfig({ CREDENCE_REDIS_URL: redisUrl! }),
            database: testDatabase.database,
            issuerKey: issuerKeyFromPair(keyPairFromSeed(ISSUER_SEED)),
            clock: () => new Date(now),
            limiterClock: () => now,
            rateLimitStore: await store(),
          }),
        ),
      );
      const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => get(i % 2 ? a! : b!, '203.0.113.50')));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(20);
      expect(Number(responses.find((r) => r.status === 429)!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await get(a!, '203.0.113.51')).status).toBe(200);
      now += 60_000;
      for (let i = 0; i < 10; i++) expect((await get(i % 2 ? b! : a!, '203.0.113.50')).status).toBe(200);
      expect((await get(b!, '203.0.113.50')).status).toBe(429);
      const metrics = await (await a!.yoga.fetch(new Request('http://localhost:4000/metrics'))).text();
      expect(metrics).toMatch(/^credence_rate_limit_store_errors_total 0$/m);
    } finally {
      await Promise.all(databases.map((testDatabase) => testDatabase.drop()));
    }
  });

  it('the server opens the client from CREDENCE_REDIS_URL and shares its buckets', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'credence-redis-'));
    try {
      const config = loadConfig({
        CREDENCE_DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        CREDENCE_REDIS_URL: redisUrl!,
        CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '7',
        CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0',
        CREDENCE_WEBHOOK_INTERVAL_SECONDS: '0',
      });
      // The server's buckets use the default prefix and the wall clock; clear this address's first.
      const redis = await client();
      const bucket = 'credence:rate-limit:7:ip:127.0.0.1';
      await redis.del(bucket);
      const server = await startServer(config, createLogger('silent'));
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 9; i++) statuses.push((await fetch(`${server.url}/graphql?query=%7B__typename%7D`)).status);
        expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 429, 429]);
        expect(Number(await redis.hget(bucket, 'tokens'))).toBeLessThan(1);
      } finally {
        await server.close();
        await redis.del(bucket);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
