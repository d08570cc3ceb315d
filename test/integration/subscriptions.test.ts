// trustChanged over server-sent events: a subscriber on one app instance (a real HTTP server, fetch with
// accept: text/event-stream) receives the new report when a receipt is submitted through ANOTHER instance on the
// same database (PostgreSQL: its own pool and LISTEN connection; embedded: the same PGlite).
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { keyPairFromSeed } from '../../src/crypto/ed25519.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { issuerKeyFromPair } from '../../src/issuer/issuer-key.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { registerPlatform, settlementInput, signReceipt, signSettlementEvent, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, ISSUER_SEED, newKey, type TestApp } from '../helpers/test-app.ts';

const SUBSCRIBE = /* GraphQL */ `
  subscription($did: String!) { trustChanged(did: $did) { did tier score asOf confidence } }
`;

interface EventStream {
  /** The next `next` event's payload (waits for it). */
  next(): Promise<any>;
  close(): void;
  response: Response;
}

async function subscribe(baseUrl: string, did: string): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: SUBSCRIBE, variables: { did } }),
    signal: controller.signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const events: any[] = [];
  const waiting: Array<(value: any) => void> = [];
  const deliver = (payload: any) => {
    const resolve = waiting.shift();
    if (resolve) resolve(payload);
    else events.push(payload);
  };
  // Reads in the background; SSE messages end with a blank line.
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(message)?.[1];
          const data = message
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (event === 'next' && data) deliver(JSON.parse(data));
          if (event === 'complete') deliver({ complete: true });
        }
      }
    } catch {
      // aborted
    }
    deliver({ complete: true });
  })();
  return {
    response,
    next: () => (events.length > 0 ? Promise.resolve(events.shift()) : new Promise((resolve) => waiting.push(resolve))),
    close: () => controller.abort(),
  };
}

describe.each(testDatabaseKinds)('trustChanged subscription on %s database', (kind) => {
  let t: TestApp;
  let server: Server;
  let baseUrl: string;
  let other: App;
  let otherDatabase: Database;
  let scene: Scene;

  /** GraphQL through the other instance, with the subscriber's clock. */
  async function otherGql(query: string, variables: Record<string, unknown>) {
    const response = await other.yoga.fetch(
      new Request('http://localhost:4000/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      }),
    );
    return (await response.json()) as any;
  }

  async function submitElsewhere(target: Scene, overrides: Record<string, unknown> = {}) {
    const escrowId = `esc_${randomUUID().slice(0, 8)}`;
    for (const [index, status] of (['FUNDED', 'RELEASED', 'SETTLED'] as const).entries()) {
      const occurredAt = new Date(t.now.getTime() - (3 - index * 0.1) * 3_600_000).toISOString();
      const event = signSettlementEvent(target.platform, settlementInput(target, escrowId, status, { occurredAt }, t.now), { now: t.now });
      const recorded = await otherGql(`mutation($event: String!) { recordSettlement(event: $event) { __typename } }`, { event });
      expect(recorded.data.recordSettlement.__typename).toBe('RecordSettlementPayload');
    }
    const submitted = await otherGql(
      `mutation($receipt: String!) { submitReceipt(receipt: $receipt) { __typename ... on SubmitReceiptPayload { receipt { confidence } } } }`,
      { receipt: signReceipt(t, target, { escrowId, ...overrides }) },
    );
    expect(submitted.data.submitReceipt.receipt.confidence).toBe('ESCROW_VERIFIED');
  }

  beforeAll(async () => {
    t = await createTestApp(kind);
    server = createServer(t.app.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    otherDatabase = kind === 'postgres' ? await openDatabase({ databaseUrl: t.testDatabase.url!, poolSize: 4 }) : t.testDatabase.database;
    other = await createApp({
      config: t.config,
      database: otherDatabase,
      issuerKey: issuerKeyFromPair(keyPairFromSeed(ISSUER_SEED)),
      clock: () => new Date(t.now),
    });
    scene = { platform: newKey(), agent: newKey(), buyer: newKey() };
    await registerPlatform(t, scene.platform);
  });
  afterAll(async () => {
    await other?.services.trustChanges.close();
    await t?.app.services.trustChanges.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (kind === 'postgres') await otherDatabase?.close();
    await t?.close();
  });

  it('streams the new report when a receipt is submitted through another instance', async () => {
    const stream = await subscribe(baseUrl, scene.agent.did);
    try {
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      // Someone else's change first: this subscriber does not hear it.
      await submitElsewhere({ ...scene, agent: newKey() });
      await submitElsewhere(scene);
      const event = await stream.next();
      const report = (await t.gql(`query($did: String!) { trust(did: $did) { did tier score confidence } }`, { did: scene.agent.did })).data.trust;
      expect(report.tier).not.toBe('F');
      expect(event.data.trustChanged).toMatchObject({ did: scene.agent.did, tier: report.tier, confidence: report.confidence });
      expect(event.data.trustChanged.score).toBeCloseTo(report.score, 6);
      expect(event.data.trustChanged.asOf).toBe(t.now.toISOString());
    } finally {
      stream.close();
    }
    // The closed stream's subscription is let go.
    await vi.waitFor(() => expect(t.app.services.trustChanges.size()).toBe(0), { timeout: 5_000, interval: 20 });
  });

  it('answers a malformed DID with INVALID_INPUT instead of a stream', async () => {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: SUBSCRIBE, variables: { did: 'not a did' } }),
    });
    const text = await response.text();
    expect(text).toContain('INVALID_INPUT');
    expect(text).not.toContain('"trustChanged":{');
    expect(t.app.services.trustChanges.size()).toBe(0);
  });

  it('ends open streams when the feed closes (shutdown)', async () => {
    const feedOwner = await createApp({
      config: t.config,
      database: t.testDatabase.database,
      issuerKey: issuerKeyFromPair(keyPairFromSeed(ISSUER_SEED)),
      clock: () => new Date(t.now),
    });
    const shortServer = createServer(feedOwner.yoga);
    await new Promise<void>((resolve) => shortServer.listen(0, '127.0.0.1', () => resolve()));
    const address = shortServer.address();
    const stream = await subscribe(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, newKey().did);
    expect(feedOwner.services.trustChanges.size()).toBe(1);
    await feedOwner.services.trustChanges.close();
    expect(await stream.next()).toEqual({ complete: true });
    await new Promise<void>((resolve) => shortServer.close(() => resolve()));
  });

  // PostgreSQL only: embedded PGlite listens in-process, there is no connection to drop.
  it.runIf(kind === 'postgres')('keeps streaming after the LISTEN connection is dropped (it reconnects)', async () => {
    const db = t.testDatabase.database.db;
    const listeners = async () =>
      (
        await sql<{ pid: number }>`
          select pid from pg_stat_activity where datname = current_database() and query ilike 'listen %' and pid <> pg_backend_pid()`.execute(db)
      ).rows.map((row) => row.pid);
    const agent = newKey();
    const stream = await subscribe(baseUrl, agent.did);
    try {
      const before = await listeners();
      expect(before.length).toBeGreaterThan(0);
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where pid in (${sql.join(before)})`.execute(db);
      // New LISTEN connections replace every dropped one.
      await vi.waitFor(
        async () => {
          const now = await listeners();
          expect(now.length).toBe(before.length);
          expect(now.some((pid) => before.includes(pid))).toBe(false);
        },
        { timeout: 15_000, interval: 100 },
      );
      await submitElsewhere({ ...scene, agent });
      const event = await stream.next();
      expect(event.data.trustChanged.did).toBe(agent.did);
    } finally {
      stream.close();
    }
  });
});
