// The read path ahead of yoga (src/http/node-read-path.ts), over real sockets: a POST of a known query without
// credentials is answered at node:http with exactly the answer yoga's listener gives the same request (status, every
// header but the date, body), logged, counted and rate limited as yoga does; anything else reaches yoga unchanged,
// with the body this path read, and an address this path charged is not charged again.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createScene, recordEscrow, signReceipt, SUBMIT, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const TRUST = 'query($did: String!) { trust(did: $did) { did asOf score tier confidence vector { E P B D R A C } flags { code } } }';
const BATCH = 'query Batch($dids: [String!]!) { trustBatch(dids: $dids) { did score tier } }';
const CHECK = 'query($did: String!, $policy: TrustPolicyInput!) { checkTrust(did: $did, policy: $policy) { allowed reasons } }';
const LIMIT = 60;
const MAX_BODY = 8_000;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function listen(listener: RequestListener): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer(listener);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** One request on a connection of its own; `body` is sent with a Content-Length unless `chunked`. */
function send(server: Server, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean }): Promise<Answer> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (options.body !== undefined && !options.chunked) headers['content-length'] = String(typeof options.body === 'string' ? Buffer.byteLength(options.body) : options.body.length);
    const req = httpRequest({ host: '127.0.0.1', port, path: options.path ?? '/graphql', method: options.method ?? 'POST', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: comparable(res.headers), body }));
    });
    req.on('error', reject);
    if (options.chunked && options.body !== undefined) req.write(options.body);
    req.end(options.chunked ? undefined : options.body);
  });
}

/** Every header but the date, names lowercased. */
function comparable(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (name !== 'date' && value !== undefined) kept[name] = String(value);
  return kept;
}

describe('reads ahead of yoga (embedded database)', () => {
  let t: TestApp;
  let scene: Scene;
  let now = 0;
  const lines: Array<Record<string, unknown>> = [];
  let ahead: Server;
  let yogaOnly: Server;

  beforeAll(async () => {
    // The service's own logger, its lines kept: the request id comes from the request's log scope.
    const logger = createLogger('info', (line) => void lines.push(JSON.parse(line) as Record<string, unknown>));
    t = await createTestApp('embedded', { CREDENCE_RATE_LIMIT_IP_PER_MINUTE: String(LIMIT), CREDENCE_MAX_BODY_BYTES: String(MAX_BODY) }, { limiterClock: () => now, logger });
    scene = await createScene(t);
    await recordEscrow(t, scene, 'esc_ahead_1', ['FUNDED', 'RELEASED', 'SETTLED']);
    expect((await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { escrowId: 'esc_ahead_1' }) })).errors).toBeUndefined();
    // One app, two listeners: its own (the path ahead of yoga, then yoga) and yoga's alone, for the expected answers.
    ahead = await listen(t.app.listener);
    yogaOnly = await listen(t.app.yoga as unknown as RequestListener);
  });
  afterAll(async () => {
    await new Promise((resolve) => ahead.close(resolve));
    await new Promise((resolve) => yogaOnly.close(resolve));
    await t.close();
  });

  /** A fresh minute of rate-limit tokens for every address. */
  const refill = () => (now += 120_000);

  async function counts(): Promise<{ answered: number; ahead: number; handedOn: number }> {
    const text = await (await t.fetch('/metrics')).text();
    const count = (outcome: string) => Number(new RegExp(`^credence_graphql_known_query_requests_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text)?.[1]);
    return { answered: count('answered'), ahead: count('answered_ahead'), handedOn: count('handed_on') };
  }

  /** Sent through yoga until the document is known (graphql-js, then compiled). */
  async function makeKnown(body: string): Promise<void> {
    for (let i = 0; i < 2; i += 1) expect((await send(yogaOnly, { body })).status).toBe(200);
  }

  it('answers a known public query at node:http exactly as yoga answers it', async () => {
    refill();
    const reads: Array<[string, Record<string, unknown>]> = [
      [TRUST, { did: scene.agent.did }],
      [BATCH, { dids: [scene.agent.did, scene.buyer.did] }],
      [CHECK, { did: scene.agent.did, policy: { minTier: 'C', maxDisputeRate: 0.1 } }],
      ['{ serviceInfo { did } }', {}],
    ];
    const accepts = [undefined, 'application/json', 'application/graphql-response+json', 'application/graphql-response+json, application/json;q=0.9'];
    for (const [query, variables] of reads) {
      const body = JSON.stringify({ query, variables });
      await makeKnown(body);
      for (const accept of accepts) {
        const headers: Record<string, string> = { 'x-request-id': `req-${lines.length}`, ...(accept ? { accept } : {}) };
        const before = await counts();
        const answer = await send(ahead, { body, headers });
        const after = await counts();
        expect({ query, accept, ahead: after.ahead - before.ahead, inside: after.answered - before.answered }).toEqual({ query, accept, ahead: 1, inside: 0 });
        const expected = await send(yogaOnly, { body, headers });
        expect({ query, accept, ...answer }).toEqual({ query, accept, ...expected });
        expect(answer.status).toBe(200);
        expect(answer.headers['x-request-id']).toBe(headers['x-request-id']);
      }
    }
  });

  it('logs and counts what it answers as yoga does: one request line with the request id, the request metrics', async () => {
    refill();
    const body = JSON.stringify({ query: TRUST, variables: { did: scene.agent.did } });
    await makeKnown(body);
    const metric = async () => Number(/^credence_http_requests_total\{method="POST",route="\/graphql",status="200"\} (\d+)/m.exec(await (await t.fetch('/metrics')).text())?.[1]);
    const before = await metric();
    const answer = await send(ahead, { body, headers: { 'x-request-id': 'logged-ahead-1' } });
    const sent = await send(ahead, { body });
    expect(await metric()).toBe(before + 2);
    const line = lines.find((each) => each.requestId === 'logged-ahead-1');
    expect(line).toMatchObject({ msg: 'request', method: 'POST', path: '/graphql', operation: '{trust}', operationType: 'query', graphqlErrors: false, status: 200 });
    expect(typeof line?.durationMs).toBe('number');
    expect(answer.status).toBe(200);
    // A fresh id when none (or no sane one) was sent, as yoga's plugin makes.
    expect(sent.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.some((each) => each.requestId === sent.headers['x-request-id'])).toBe(true);
  });

  it('hands every other request to yoga with its body, which answers it as yoga alone does', async () => {
    refill();
    const known = JSON.stringify({ query: TRUST, variables: { did: scene.agent.did } });
    await makeKnown(known);
    const unseen = (n: number) => JSON.stringify({ query: `${TRUST}\n# unseen ${n}`, variables: { did: scene.agent.did } });
    const cases: Array<{ name: string; request: (n: number) => Parameters<typeof send>[1] }> = [
      { name: 'a document not yet served', request: (n) => ({ body: unseen(n) }) },
      { name: 'a known document whose answer has errors', request: () => ({ body: JSON.stringify({ query: TRUST, variables: { did: 'not-a-did' } }) }) },
      { name: 'variables that do not coerce', request: () => ({ body: JSON.stringify({ query: TRUST, variables: { did: 5 } }) }) },
      { name: 'not JSON', request: () => ({ body: '{"query": ' }) },
      { name: 'a bearer token', request: () => ({ body: known, headers: { authorization: 'Bearer not.a.token' } }) },
      { name: 'an Origin', request: () => ({ body: known, headers: { origin: 'https://elsewhere.example' } }) },
      { name: 'a chunked body', request: () => ({ body: known, chunked: true }) },
      { name: 'another content type', request: () => ({ body: known, headers: { 'content-type': 'text/plain' } }) },
      { name: 'an event-stream Accept', request: () => ({ body: known, headers: { accept: 'text/event-stream' } }) },
      { name: 'an Accept yoga refuses', request: () => ({ body: known, headers: { accept: 'image/png' } }) },
      { name: 'another path', request: () => ({ body: known, path: '/graphql?x=1' }) },
      { name: 'a mutation', request: () => ({ body: JSON.stringify({ query: SUBMIT, variables: { receipt: 'not-a-receipt' } }) }) },
      { name: 'a GET', request: () => ({ method: 'GET', path: `/graphql?query=${encodeURIComponent('{ serviceInfo { did } }')}` }) },
      { name: 'a body over the limit', request: () => ({ body: JSON.stringify({ query: TRUST, variables: { did: 'x'.repeat(t.config.maxBodyBytes) } }) }) },
      {
        // Within the limit as sent, over it once decoded (each byte that is not UTF-8 becomes three): yoga's 413.
        name: 'bytes that are not UTF-8, over the limit once decoded',
        request: () => {
          const [head, tail] = JSON.stringify({ query: TRUST, variables: { did: scene.agent.did, x: '#' } }).split('#') as [string, string];
          return { body: Buffer.concat([Buffer.from(head), Buffer.alloc(Math.floor(MAX_BODY / 2), 0xff), Buffer.from(tail)]) };
        },
      },
      { name: 'an empty body', request: () => ({ body: '' }) },
    ];
    let n = 0;
    for (const each of cases) {
      const before = await counts();
      const answer = await send(ahead, { ...each.request((n += 1)), headers: { 'x-request-id': `hand-on-${n}`, ...each.request(n)?.headers } });
      const after = await counts();
      expect({ case: each.name, ahead: after.ahead - before.ahead }).toEqual({ case: each.name, ahead: 0 });
      const expected = await send(yogaOnly, { ...each.request((n += 1)), headers: { 'x-request-id': `hand-on-${n - 1}`, ...each.request(n)?.headers } });
      const parsed = ({ status, headers, body }: Answer) => ({ case: each.name, status, headers, body: headers['content-type']?.includes('json') ? (JSON.parse(body) as unknown) : body });
      // An unseen document is unseen by both (a fresh comment each); the error locations are the same.
      expect(parsed(answer)).toEqual(parsed(expected));
      if (each.name.startsWith('bytes that are not UTF-8')) expect(answer.status).toBe(413);
    }
  });

  it('charges each request to its address once, from the same buckets as yoga, and leaves a limited one to yoga', async () => {
    refill();
    const known = JSON.stringify({ query: TRUST, variables: { did: scene.agent.did } });
    const failing = JSON.stringify({ query: TRUST, variables: { did: 'not-a-did' } });
    await makeKnown(known);
    refill();
    // Half the minute's tokens through yoga alone, a quarter answered ahead, a quarter charged ahead and handed on
    // (an answer with errors): were any charged twice, the bucket would run dry before the last of them.
    for (let i = 0; i < LIMIT / 2; i += 1) expect((await send(yogaOnly, { body: known })).status).toBe(200);
    const before = await counts();
    for (let i = 0; i < LIMIT / 4; i += 1) expect((await send(ahead, { body: known })).status).toBe(200);
    for (let i = 0; i < LIMIT / 4; i += 1) {
      const answer = await send(ahead, { body: failing });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('INVALID_INPUT');
    }
    const after = await counts();
    // Each failing one run once here and handed on; yoga's known-query plugin does not run it again.
    expect({ ahead: after.ahead - before.ahead, handedOn: after.handedOn - before.handedOn }).toEqual({ ahead: LIMIT / 4, handedOn: LIMIT / 4 });
    // The bucket is empty: the next known read is limited, and yoga answers it, as it answers one sent to it alone.
    const limited = await send(ahead, { body: known, headers: { 'x-request-id': 'limited-1' } });
    const alone = await send(yogaOnly, { body: known, headers: { 'x-request-id': 'limited-1' } });
    expect(limited.status).toBe(429);
    expect(limited).toEqual(alone);
    expect(JSON.parse(limited.body).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await counts()).ahead).toBe(after.ahead);

    // Charged before its body is read, as yoga charges it: a limited client gets its 429 while its body is still on
    // the way (here it never comes).
    const { port } = ahead.address() as AddressInfo;
    const early = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(known.length + 100) } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      });
      req.on('error', reject);
      req.write(known);
    });
    expect(early).toBe(429);
  });

  it('refuses a request whose Host makes no URL with 400 and a code, where yoga alone leaks a stack trace in a 500', async () => {
    const known = JSON.stringify({ query: TRUST, variables: { did: scene.agent.did } });
    const bad = { host: 'localhost:99999', 'x-request-id': 'bad-host-1' };
    const graphql = await send(ahead, { body: known, headers: bad });
    expect(graphql.status).toBe(400);
    expect(graphql.headers['x-request-id']).toBe('bad-host-1');
    expect(JSON.parse(graphql.body)).toEqual({ errors: [{ message: expect.stringContaining('Host'), extensions: { code: 'BAD_REQUEST' } }] });
    const rest = await send(ahead, { method: 'GET', path: '/api/reputation/agent/x/reputation', headers: bad });
    expect(rest.status).toBe(400);
    expect(JSON.parse(rest.body)).toMatchObject({ success: false, code: 'BAD_REQUEST' });
    // `OPTIONS *` with a good Host: the target makes no URL either.
    const star = await send(ahead, { method: 'OPTIONS', path: '*' });
    expect(star.status).toBe(400);
    for (const answer of [graphql, rest, star]) expect(answer.body).not.toMatch(/node_modules|\n\s+at /);
    // Counted and logged as any answer.
    expect(lines.find((line) => line.requestId === 'bad-host-1')).toMatchObject({ msg: 'request', method: 'POST', path: '/graphql', status: 400 });
    // What yoga alone answers, and why this is refused ahead of it.
    const alone = await send(yogaOnly, { body: known, headers: bad });
    expect(alone.status).toBe(500);
    expect(alone.body).toMatch(/Invalid URL/);
  });

  it('says its answer varies by Origin when CORS origins are configured, as yoga does', async () => {
    const withCors = await createTestApp('embedded', { CREDENCE_CORS_ORIGINS: 'https://app.example' });
    const own = await listen(withCors.app.listener);
    const alone = await listen(withCors.app.yoga as unknown as RequestListener);
    try {
      const body = JSON.stringify({ query: '{ serviceInfo { did } }' });
      for (let i = 0; i < 2; i += 1) expect((await send(alone, { body })).status).toBe(200);
      const answer = await send(own, { body, headers: { 'x-request-id': 'cors-1' } });
      expect(answer).toEqual(await send(alone, { body, headers: { 'x-request-id': 'cors-1' } }));
      expect(answer.headers.vary).toBe('Origin');
      expect(/^credence_graphql_known_query_requests_total\{outcome="answered_ahead"\} 1$/m.test(await (await withCors.fetch('/metrics')).text())).toBe(true);
    } finally {
      await new Promise((resolve) => own.close(resolve));
      await new Promise((resolve) => alone.close(resolve));
      await withCors.close();
    }
  });
});
