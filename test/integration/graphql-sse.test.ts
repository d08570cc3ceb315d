// GraphQL over SSE with the graphql-sse client, at /graphql/stream, in both of the protocol's modes: subscribe to
// trustChanged, receive the new report after a receipt is submitted, unsubscribe (the subscription is let go). The
// subscription caps hold in both modes (a single connection holds one slot itself), a bad bearer token is refused
// as on /graphql, reservations nobody connects to are dropped, a connection ends at the maximum lifetime, and bodies
// are capped.
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createClient, type Client, type ExecutionResult } from 'graphql-sse';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { schema } from '../../src/graphql/schema.ts';
import { GRAPHQL_SSE_ENDPOINT, graphqlSsePlugins } from '../../src/http/graphql-sse.ts';
import { StreamSlots } from '../../src/http/stream-limits.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createScene, recordEscrow, signReceipt, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const SUBSCRIBE = 'subscription($did: String!) { trustChanged(did: $did) { did tier score confidence } }';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** One subscription through the client: its results as they come, and the function that unsubscribes. */
function subscribe(client: Client, did: string) {
  const results: ExecutionResult<any, unknown>[] = [];
  const waiting: Array<() => void> = [];
  let error: unknown;
  let completed = false;
  const wake = () => waiting.splice(0).forEach((resolve) => resolve());
  const dispose = client.subscribe<any>(
    { query: SUBSCRIBE, variables: { did } },
    {
      next: (result) => {
        results.push(result);
        wake();
      },
      error: (caught) => {
        error = caught;
        wake();
      },
      complete: () => {
        completed = true;
        wake();
      },
    },
  );
  return {
    dispose,
    get completed() {
      return completed;
    },
    get error() {
      return error;
    },
    /** Waits for the next result (or the end). */
    async next(): Promise<ExecutionResult<any, unknown> | undefined> {
      while (results.length === 0 && !completed && error === undefined) await new Promise<void>((resolve) => waiting.push(resolve));
      return results.shift();
    },
  };
}

describe.each(testDatabaseKinds)('graphql-sse at /graphql/stream on %s database', (kind) => {
  let t: TestApp;
  let server: Server;
  let baseUrl: string;
  let scene: Scene;

  async function submitReceiptFor(agent: Scene['agent']) {
    const target = { ...scene, agent };
    const escrowId = `esc_${randomUUID().slice(0, 8)}`;
    await recordEscrow(t, target, escrowId, ['FUNDED', 'RELEASED', 'SETTLED']);
    const submitted = await t.gql(
      `mutation($receipt: String!) { submitReceipt(receipt: $receipt) { __typename ... on SubmitReceiptPayload { receipt { confidence } } } }`,
      { receipt: signReceipt(t, target, { escrowId }) },
    );
    expect(submitted.data.submitReceipt.receipt.confidence).toBe('ESCROW_VERIFIED');
  }

  beforeAll(async () => {
    // Two streams per address: a single connection holds one of them itself, so it can carry one subscription.
    t = await createTestApp(kind, {
      CREDENCE_SUBSCRIPTIONS_PER_ADDRESS: '2',
      CREDENCE_SUBSCRIPTION_MAX_LIFETIME_SECONDS: '300',
      CREDENCE_MAX_BODY_BYTES: '4096',
    });
    server = createServer(t.app.yoga);
    baseUrl = await listen(server);
    scene = await createScene(t);
  }, 180_000);
  afterAll(async () => {
    await t?.app.services.trustChanges.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  for (const singleConnection of [true, false]) {
    const mode = singleConnection ? 'single connection' : 'distinct connections';

    it(`${mode}: subscribes, receives the report after a receipt is submitted, unsubscribes`, async () => {
      const client = createClient({ url: `${baseUrl}${GRAPHQL_SSE_ENDPOINT}`, singleConnection, retryAttempts: 0, lazy: true });
      try {
        const agent = newKey();
        const subscription = subscribe(client, agent.did);
        await vi.waitFor(() => expect(t.app.services.trustChanges.size()).toBe(1), { timeout: 10_000, interval: 20 });
        // Someone else's change first: this subscriber does not hear it.
        await submitReceiptFor(newKey());
        await submitReceiptFor(agent);
        const result = await subscription.next();
        expect(subscription.error).toBeUndefined();
        const report = (await t.gql(`query($did: String!) { trust(did: $did) { did tier score confidence } }`, { did: agent.did })).data.trust;
        expect(report.tier).not.toBe('F');
        expect(result?.data?.trustChanged).toMatchObject({ did: agent.did, tier: report.tier, confidence: report.confidence });
        subscription.dispose();
        // Unsubscribed: the server lets the subscription go.
        await vi.waitFor(() => expect(t.app.services.trustChanges.size()).toBe(0), { timeout: 10_000, interval: 20 });
      } finally {
        client.dispose();
      }
    });

    it(`${mode}: the per-address cap holds, and a slot comes back when a subscription ends`, async () => {
      const client = createClient({ url: `${baseUrl}${GRAPHQL_SSE_ENDPOINT}`, singleConnection, retryAttempts: 0, lazy: true });
      const others = singleConnection ? [] : [createClient({ url: `${baseUrl}${GRAPHQL_SSE_ENDPOINT}`, retryAttempts: 0 })];
      try {
        // Distinct connections: two subscriptions fill the address's two slots. Single connection: the connection
        // holds one slot, its first subscription the other.
        const first = subscribe(client, newKey().did);
        const second = singleConnection ? undefined : subscribe(others[0]!, newKey().did);
        await vi.waitFor(() => expect(t.app.services.trustChanges.size()).toBe(singleConnection ? 1 : 2), { timeout: 10_000, interval: 20 });
        const refused = subscribe(client, newKey().did);
        const answer = await refused.next();
        expect(refused.error).toBeUndefined();
        expect((answer?.errors?.[0]?.extensions as any)?.code).toBe('RATE_LIMITED');
        expect(answer?.errors?.[0]?.message).toBe('at most 2 open subscriptions per client address');
        first.dispose();
        second?.dispose();
        await vi.waitFor(() => expect(t.app.services.trustChanges.size()).toBe(0), { timeout: 10_000, interval: 20 });
        const again = subscribe(client, newKey().did);
        await vi.waitFor(() => expect(t.app.services.trustChanges.size()).toBe(1), { timeout: 10_000, interval: 20 });
        again.dispose();
        await vi.waitFor(() => expect(t.app.services.trustChanges.size()).toBe(0), { timeout: 10_000, interval: 20 });
      } finally {
        client.dispose();
        for (const other of others) other.dispose();
      }
    });

    it(`${mode}: a bearer token that does not hold is refused, as on /graphql`, async () => {
      const client = createClient({
        url: `${baseUrl}${GRAPHQL_SSE_ENDPOINT}`,
        singleConnection,
        retryAttempts: 0,
        headers: { authorization: 'Bearer not-a-token' },
      });
      try {
        const subscription = subscribe(client, newKey().did);
        const answer = await subscription.next();
        expect(subscription.error).toBeUndefined();
        expect((answer?.errors?.[0]?.extensions as any)?.code, JSON.stringify(answer)).toBe('UNAUTHENTICATED');
        expect(answer?.data ?? null).toBeNull();
        expect(t.app.services.trustChanges.size()).toBe(0);
      } finally {
        client.dispose();
      }
    });
  }

  it('caps the body of an operation POSTed to the stream endpoint, declared or streamed', async () => {
    const big = JSON.stringify({ query: SUBSCRIBE, variables: { did: 'x'.repeat(10_000) } });
    const declared = await fetch(`${baseUrl}${GRAPHQL_SSE_ENDPOINT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: big,
    });
    expect(declared.status).toBe(413);
    const chunked = await fetch(`${baseUrl}${GRAPHQL_SSE_ENDPOINT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const deep = await fetch(`${baseUrl}${GRAPHQL_SSE_ENDPOINT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: `{"query":"{ serviceInfo { did } }","variables":${'['.repeat(100)}${']'.repeat(100)}}`,
    });
    expect(deep.status).toBe(400);
  });
});

describe('single-connection streams without a connection, and at their lifetime', () => {
  let server: Server | undefined;
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('drops a reservation nobody connects to, gives its slot back, and ends an open stream at the maximum lifetime', async () => {
    const streams = new StreamSlots({ max: 10, perAddress: 10, perDid: 10, idleMs: 60_000, maxLifetimeMs: 400 });
    const yoga = createYoga({ schema, plugins: graphqlSsePlugins({ streams, maxBodyBytes: 4096, trustProxy: 0, reservationTtlMs: 300 }) });
    server = createServer(yoga);
    const baseUrl = await listen(server);
    const url = `${baseUrl}${GRAPHQL_SSE_ENDPOINT}`;

    const reserve = async () => {
      const response = await fetch(url, { method: 'PUT' });
      expect(response.status).toBe(201);
      const token = await response.text();
      expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      return token;
    };

    const abandoned = await reserve();
    expect(streams.size).toBe(1);
    await vi.waitFor(() => expect(streams.size).toBe(0), { timeout: 5_000, interval: 20 });
    // The plugin forgot it too: the token names no stream any more.
    const late = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-graphql-event-stream-token': abandoned }, body: JSON.stringify({ query: '{ __typename }', extensions: { operationId: '1' } }) });
    expect(late.status).toBe(404);

    const token = await reserve();
    const stream = await fetch(url, { headers: { accept: 'text/event-stream', 'x-graphql-event-stream-token': token } });
    expect(stream.status).toBe(200);
    expect(streams.size).toBe(1);
    // Connected in time: the reservation's expiry no longer applies, the lifetime does; the stream then ends.
    const text = await stream.text();
    expect(text.startsWith(':')).toBe(true);
    expect(streams.size).toBe(0);

    // A refused reservation (over the cap) is a 429 with Retry-After, and takes no slot.
    const full = new StreamSlots({ max: 1, perAddress: 1, perDid: 1, idleMs: 60_000, maxLifetimeMs: 60_000 });
    const capped = createYoga({ schema, plugins: graphqlSsePlugins({ streams: full, maxBodyBytes: 4096, trustProxy: 0 }) });
    const first = await capped.fetch(new Request(`http://localhost${GRAPHQL_SSE_ENDPOINT}`, { method: 'PUT' }));
    expect(first.status).toBe(201);
    const second = await capped.fetch(new Request(`http://localhost${GRAPHQL_SSE_ENDPOINT}`, { method: 'PUT' }));
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('30');
    expect(full.size).toBe(1);
  }, 120_000);
});
