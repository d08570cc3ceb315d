// Abuse limits: rate limits per client address and per DID (with an injected limiter clock), the GraphQL shape
// limits that had no test yet (tokens, cost, directives), the batch cap storing nothing, and slow clients on the
// real server.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startServer, type RunningServer } from '../../src/main.ts';
import { GRAPHQL_LIMITS } from '../../src/http/security.ts';
import { MAX_RECEIPT_BATCH } from '../../src/receipts/receipt.service.ts';
import { createScene, signReceipt } from '../helpers/marketplace.ts';
import { createApp } from '../../src/app.ts';
import { keyPairFromSeed } from '../../src/crypto/ed25519.ts';
import { issuerKeyFromPair } from '../../src/issuer/issuer-key.ts';
import { createTestApp, ISSUER_SEED, newKey, type TestApp } from '../helpers/test-app.ts';

const SERVICE_INFO = JSON.stringify({ query: '{ serviceInfo { did } }' });

describe('rate limits (embedded database, limiter clock injected)', () => {
  let t: TestApp;
  let now = 0;

  beforeAll(async () => {
    t = await createTestApp('embedded', { CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '3', CREDENCE_RATE_LIMIT_DID_PER_MINUTE: '2' }, { limiterClock: () => now });
  });
  afterAll(async () => {
    await t.close();
  });

  /** A request as the node server hands it over: with the peer's socket address. */
  const fromAddress = (address: string, pathname = '/graphql', init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: SERVICE_INFO }) =>
    Promise.resolve(t.app.yoga.handleRequest(new Request(`http://localhost:4000${pathname}`, init), { req: { socket: { remoteAddress: address } } } as never));

  it('limits each client address, answers RATE_LIMITED with a retry hint, and refills with time', async () => {
    for (let i = 0; i < 3; i += 1) expect((await fromAddress('203.0.113.1')).status).toBe(200);
    const limited = await fromAddress('203.0.113.1');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('20');
    const body = (await limited.json()) as any;
    expect(body.errors).toEqual([{ message: 'rate limit exceeded: retry after 20 seconds', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 20 } }]);

    // Another address is not affected; probes and scrapes are never limited.
    expect((await fromAddress('203.0.113.2')).status).toBe(200);
    for (const probe of ['/health', '/ready', '/metrics']) expect((await fromAddress('203.0.113.1', probe, { method: 'GET' })).status).toBe(200);

    // Other routes answer a plain 429 with Retry-After.
    const document = await fromAddress('203.0.113.1', '/.well-known/did.json', { method: 'GET' });
    expect(document.status).toBe(429);
    expect(document.headers.get('retry-after')).toBe('20');
    expect(await document.json()).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 20 });

    now += 20_000;
    expect((await fromAddress('203.0.113.1')).status).toBe(200);
    expect((await fromAddress('203.0.113.1')).status).toBe(429);

    const metrics = await (await t.fetch('/metrics')).text();
    expect(metrics).toMatch(/credence_rate_limited_total\{scope="ip"\} 3/);
  });

  it('believes X-Forwarded-For only when told to trust a proxy', async () => {
    now += 3_600_000;
    const forwarded = (address: string) =>
      fromAddress('10.0.0.1', '/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: SERVICE_INFO });
    // Not trusted: every request is the proxy's own address, whatever the header says.
    const statuses = [];
    for (const address of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']) statuses.push((await forwarded(address)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);

    // A second app on the same database, configured for one proxy in front.
    const proxied = await createApp({
      config: loadConfig({ CREDENCE_PUBLIC_URL: 'http://localhost:4000', CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '1', CREDENCE_TRUST_PROXY: 'true' }),
      database: t.testDatabase.database,
      issuerKey: issuerKeyFromPair(keyPairFromSeed(ISSUER_SEED)),
      clock: () => t.now,
      limiterClock: () => now,
    });
    {
      const send = (header: string) =>
        Promise.resolve(
          proxied.yoga.handleRequest(
            new Request('http://localhost:4000/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': header }, body: SERVICE_INFO }),
            { req: { socket: { remoteAddress: '10.0.0.1' } } } as never,
          ),
        );
      expect((await send('198.51.100.1')).status).toBe(200);
      expect((await send('198.51.100.2')).status).toBe(200);
      expect((await send('198.51.100.1')).status).toBe(429);
      // A client prepending a made-up address does not get a fresh bucket: the proxy's entry is the rightmost.
      expect((await send('192.0.2.77, 198.51.100.1')).status).toBe(429);
    }
  });

  it('limits each authenticated DID without spending the refused token, and never charges a forged DID', async () => {
    now += 3_600_000;
    const agent = newKey();
    const CLAIM = `mutation { claimDid(input: { displayName: "Limited" }) { __typename ... on Error { code } } }`;
    expect((await t.gql(CLAIM, {}, agent)).data.claimDid.__typename).toBe('ClaimDidPayload');
    expect((await t.gql(`{ serviceInfo { did } }`, {}, agent)).status).toBe(200);

    const kept = t.token(agent);
    const refused = await t.gql(CLAIM, {}, kept);
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 30 });

    // A token claiming the agent's DID but signed by someone else charges nobody's bucket and fails as a token.
    const forger = newKey();
    const forged = t.token(forger).split('.');
    const claims = JSON.parse(Buffer.from(forged[1]!, 'base64url').toString());
    claims.iss = agent.did;
    forged[1] = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const forgedAnswer = await t.gql(CLAIM, {}, forged.join('.'));
    expect(forgedAnswer.status).toBe(200);
    expect(forgedAnswer.data.claimDid.code).toBe('UNAUTHENTICATED');

    // Other DIDs are unaffected; after the refill the refused token still works: it was never spent.
    expect((await t.gql(CLAIM, {}, newKey())).data.claimDid.__typename).toBe('ClaimDidPayload');
    now += 30_000;
    const retried = await t.gql(CLAIM, {}, kept);
    expect(retried.status).toBe(200);
    expect(retried.data.claimDid.__typename).toBe('ClaimDidPayload');
  });
});

describe('GraphQL shape limits and the batch cap (embedded database)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('embedded');
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses documents over the token, cost and directive limits before executing them', async () => {
    const tokens = `{ ${'__typename '.repeat(GRAPHQL_LIMITS.maxTokens + 100)} }`;
    const tokenAnswer = await t.gql(tokens);
    expect(tokenAnswer.data).toBeUndefined();
    expect(tokenAnswer.errors?.[0]?.extensions?.code).toBe('TOO_MANY_TOKENS');
    expect(tokenAnswer.errors?.[0]?.message).toMatch(/token limit/i);

    // Fragments multiply cost without multiplying tokens: 5^5 spreads of a small selection.
    const levels = 5;
    const fragments = [`fragment F0 on Query { serviceInfo { did version issuerKeys { keyId publicKeyMultibase status } } }`];
    for (let level = 1; level <= levels; level += 1) {
      fragments.push(`fragment F${level} on Query { ${Array.from({ length: 5 }, (_, i) => `a${i}: __typename ...F${level - 1}`).join(' ')} }`);
    }
    const costly = `query { ...F${levels} } ${fragments.join(' ')}`;
    const costAnswer = await t.gql(costly);
    expect(costAnswer.data).toBeUndefined();
    expect(costAnswer.errors?.map((e) => e.message).join(' ')).toMatch(/cost/i);

    const directives = `{ serviceInfo { did ${'@include(if: true) '.repeat(GRAPHQL_LIMITS.maxDirectives + 5)} } }`;
    const directiveAnswer = await t.gql(directives);
    expect(directiveAnswer.data).toBeUndefined();
    expect(directiveAnswer.errors?.[0]?.message).toMatch(/directive/i);

    expect((await t.gql('{ serviceInfo { did } }')).data.serviceInfo.did).toBe(t.app.serviceDid);
  });

  it('refuses NUL characters and deep bracket nesting before they reach the parser or the database', async () => {
    const did = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
    for (const answer of [
      await t.gql('query($did: String!) { trust(did: $did) { score } }', { did: `${did}\u0000` }),
      await t.gql('{ trust(did: "did:key:\\u0000") { score } }'),
      await t.gql('{ agent(did: "did:key:\\u{0}") { did } }'),
    ]) {
      expect(answer.data).toBeUndefined();
      expect(answer.errors).toEqual([{ message: 'NUL characters (U+0000) are not accepted', extensions: { code: 'INVALID_INPUT' } }]);
    }
    // Within the token limit, but the parser would recurse thousands of levels deep.
    const deep = await t.gql(`{ trust(did: ${'['.repeat(2_400)}"x"${']'.repeat(2_400)}) { score } }`);
    expect(deep.status).toBe(200);
    expect(deep.errors).toEqual([{ message: `Syntax Error: nesting deeper than ${GRAPHQL_LIMITS.maxNesting} levels`, extensions: { code: 'QUERY_TOO_NESTED' } }]);
    // Malformed variables in a GET are the client's error, not the server's.
    const get = await t.fetch(`/graphql?query=${encodeURIComponent('query($did: String!) { trust(did: $did) { score } }')}&variables=%7Bnot-json`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(400);
    expect(((await get.json()) as any).errors[0]).toMatchObject({ message: 'variables is not valid JSON', extensions: { code: 'BAD_REQUEST' } });
    const nullBody = await t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' });
    expect(nullBody.status).toBe(400);
  });

  it(`stores nothing from a batch of ${MAX_RECEIPT_BATCH + 1} valid receipts`, async () => {
    const scene = await createScene(t);
    const receipts = Array.from({ length: MAX_RECEIPT_BATCH + 1 }, () => ({ receipt: signReceipt(t, scene) }));
    const BATCH = `mutation($receipts: [ReceiptSubmissionInput!]!) { submitReceipts(receipts: $receipts) { __typename ... on Error { code message } } }`;
    const answer = await t.gql(BATCH, { receipts });
    expect(answer.data.submitReceipts).toMatchObject({ __typename: 'InputError', code: 'INVALID_INPUT' });
    const stored = await t.testDatabase.database.db.selectFrom('receipts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(0);
    // The cap is not an off-by-one: the full batch goes through.
    const full = await t.gql(`mutation($receipts: [ReceiptSubmissionInput!]!) { submitReceipts(receipts: $receipts) { ... on SubmitReceiptsPayload { results { __typename } } } }`, {
      receipts: receipts.slice(0, MAX_RECEIPT_BATCH),
    });
    expect(full.data.submitReceipts.results.filter((r: any) => r.__typename === 'SubmitReceiptPayload')).toHaveLength(MAX_RECEIPT_BATCH);
  });
});

describe('slow clients and per-address limits on the real server', () => {
  let dataDir: string;
  let running: RunningServer;
  let port: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'credence-abuse-'));
    const config = loadConfig({
      CREDENCE_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      CREDENCE_LOG_LEVEL: 'silent',
      CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0',
      CREDENCE_HEADERS_TIMEOUT_SECONDS: '0.3',
      CREDENCE_REQUEST_TIMEOUT_SECONDS: '0.6',
      // One request per 30 s refill: the third request inside this test cannot have earned a token back.
      CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '2',
    });
    running = await startServer(config);
    port = Number(new URL(running.url).port);
  });
  afterAll(async () => {
    await running?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** POST /graphql (or GET `pathname`) from a given loopback address: every 127/8 address reaches the server. */
  function from(localAddress: string, pathname = '/graphql'): Promise<{ status: number; retryAfter: string | undefined }> {
    return new Promise((resolve, reject) => {
      const post = pathname === '/graphql';
      const request = httpRequest(
        { host: '127.0.0.1', port, path: pathname, method: post ? 'POST' : 'GET', localAddress, headers: post ? { 'content-type': 'application/json' } : {} },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] as string | undefined }));
        },
      );
      request.on('error', reject);
      request.end(post ? SERVICE_INFO : undefined);
    });
  }

  it('limits by socket address and keeps answering probes', async () => {
    expect((await from('127.0.0.2')).status).toBe(200);
    expect((await from('127.0.0.2')).status).toBe(200);
    const limited = await from('127.0.0.2');
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect((await from('127.0.0.2', '/health')).status).toBe(200);
    expect((await from('127.0.0.3')).status).toBe(200);
  });

  /** Writes `parts` and then stalls; resolves with everything the server sent before it closed the socket. */
  function stall(parts: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      socket.on('connect', () => {
        for (const part of parts) socket.write(part);
      });
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
    });
  }

  it('answers 408 and closes the socket when the headers never finish', async () => {
    const answer = await stall(['POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: appl']);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('answers 408 and closes the socket when the body never finishes', async () => {
    const answer = await stall(['POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n', '{"query": "{ serv']);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

});
