// Request ids, the per-request log line, and /metrics scraped after real traffic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createApp } from '../../src/app.ts';
import { keyPairFromSeed } from '../../src/crypto/ed25519.ts';
import { issuerKeyFromPair } from '../../src/issuer/issuer-key.ts';
import { createLogger } from '../../src/logger.ts';
import { createScene, signReceipt } from '../helpers/marketplace.ts';
import { createTestApp, ISSUER_SEED, newKey, type TestApp } from '../helpers/test-app.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('observability (embedded database)', () => {
  let t: TestApp;
  const lines: Array<Record<string, any>> = [];
  const logger = createLogger('debug', (line) => lines.push(JSON.parse(line)));

  beforeAll(async () => {
    t = await createTestApp('embedded', {}, { logger });
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const requestLines = (id: string) => lines.filter((line) => line.msg === 'request' && line.requestId === id);

  it('echoes a sane incoming request id and logs one line per request with it, and nothing from the body or headers', async () => {
    const secretish = 'Bearer should-never-be-logged';
    const response = await post(
      { query: 'query ServiceInfo { serviceInfo { did } }', operationName: 'ServiceInfo', variables: { pad: 'variable-should-never-be-logged' } },
      { 'x-request-id': 'req-0001.abc:def', authorization: secretish },
    );
    expect(response.headers.get('x-request-id')).toBe('req-0001.abc:def');
    const [line, ...more] = requestLines('req-0001.abc:def');
    expect(more).toEqual([]);
    expect(Object.keys(line!).sort()).toEqual(['durationMs', 'graphqlErrors', 'level', 'method', 'msg', 'operation', 'operationType', 'path', 'requestId', 'status', 'time']);
    expect(line).toMatchObject({ level: 'info', method: 'POST', path: '/graphql', operation: 'ServiceInfo', operationType: 'query', status: 200, graphqlErrors: false });
    expect(typeof line!.durationMs).toBe('number');
    const all = JSON.stringify(lines);
    expect(all).not.toContain('should-never-be-logged');
    // Every line logged while the request ran carries its id (yoga's own debug lines included).
    const during = lines.filter((l) => l.msg === 'Processing GraphQL Parameters' && l.requestId === 'req-0001.abc:def');
    expect(during).toHaveLength(1);
  });

  it('replaces a missing or unreasonable request id with a fresh UUID', async () => {
    for (const header of [undefined, 'has spaces in it', 'x'.repeat(200), '<script>', '-leading-dash', '']) {
      const response = await post({ query: '{ serviceInfo { did } }' }, header === undefined ? {} : { 'x-request-id': header });
      const id = response.headers.get('x-request-id')!;
      expect(id).toMatch(UUID);
      expect(requestLines(id)).toHaveLength(1);
      expect(requestLines(id)[0]!.operation).toBe('{serviceInfo}');
    }
  });

  it('keeps concurrent requests apart in the log', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `concurrent-${i}`);
    // A document of its own per request: a document already answered takes the known-query path, where yoga (and
    // its debug line) does not run.
    await Promise.all(ids.map((id) => post({ query: `{ serviceInfo { did } } # ${id}` }, { 'x-request-id': id })));
    for (const id of ids) {
      expect(requestLines(id)).toHaveLength(1);
      expect(lines.filter((l) => l.requestId === id && l.msg === 'Processing GraphQL Parameters')).toHaveLength(1);
    }
  });

  it('logs an unexpected error with the request id of the request that failed, and masks it', async () => {
    const trust = t.app.services.trust;
    const original = trust.report;
    trust.report = async () => {
      throw new Error('simulated storage failure');
    };
    try {
      const response = await post({ query: 'query Broken { trust(did: "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK") { score } }' }, { 'x-request-id': 'broken-1' });
      const body = (await response.json()) as any;
      expect(body.errors[0].message).toBe('Unexpected error.');
      expect(JSON.stringify(body)).not.toContain('simulated storage failure');
    } finally {
      trust.report = original;
    }
    const failure = lines.find((l) => l.msg === 'unexpected error' && l.requestId === 'broken-1');
    expect(failure).toMatchObject({ level: 'error', error: 'simulated storage failure' });
    expect(requestLines('broken-1')[0]).toMatchObject({ operation: 'Broken', graphqlErrors: true });
  });

  it('serves /metrics in Prometheus text format: requests per route and operation, ingest outcomes, backlog, process', async () => {
    const scene = await createScene(t);
    const SUBMIT = `mutation Submit($receipt: String!) { submitReceipt(receipt: $receipt) { __typename ... on Error { code } } }`;
    const receipt = signReceipt(t, scene);
    expect((await t.gql(SUBMIT, { receipt })).data.submitReceipt.__typename).toBe('SubmitReceiptPayload');
    expect((await t.gql(SUBMIT, { receipt })).data.submitReceipt.__typename).toBe('SubmitReceiptPayload');
    expect((await t.gql(SUBMIT, { receipt: signReceipt(t, scene, {}, newKey()) })).data.submitReceipt.code).toBe('UNKNOWN_PLATFORM');
    expect((await t.gql(SUBMIT, { receipt: 'not.a.jwt' })).data.submitReceipt.code).toBeTruthy();
    expect((await t.fetch('/no/such/route')).status).toBe(404);
    expect((await t.fetch('/.well-known/did.json')).status).toBe(200);

    const response = await t.fetch('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);

    expect(text).toContain('# TYPE credence_http_requests_total counter');
    expect(value(/credence_http_requests_total\{method="POST",route="\/graphql",status="200"\} (\d+)/)).toBeGreaterThanOrEqual(30);
    expect(value(/credence_http_requests_total\{method="GET",route="unmatched",status="404"\} (\d+)/)).toBe(1);
    expect(value(/credence_http_requests_total\{method="GET",route="\/.well-known\/\*",status="200"\} (\d+)/)).toBe(1);
    expect(value(/credence_graphql_requests_total\{operation="ServiceInfo",type="query",result="ok"\} (\d+)/)).toBe(1);
    expect(value(/credence_graphql_requests_total\{operation="Broken",type="query",result="error"\} (\d+)/)).toBe(1);
    expect(value(/credence_graphql_requests_total\{operation="Submit",type="mutation",result="ok"\} (\d+)/)).toBe(4);
    expect(value(/credence_graphql_request_duration_seconds_count\{operation="Submit",type="mutation"\} (\d+)/)).toBe(4);
    expect(text).toMatch(/credence_graphql_request_duration_seconds_bucket\{le="0\.005",operation="\{serviceInfo\}",type="query"\} \d+/);
    expect(text).toMatch(/credence_http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/graphql"\} \d+/);

    expect(value(/credence_receipts_ingested_total\{outcome="stored",code=""\} (\d+)/)).toBe(1);
    expect(value(/credence_receipts_ingested_total\{outcome="duplicate",code=""\} (\d+)/)).toBe(1);
    expect(value(/credence_receipts_ingested_total\{outcome="rejected",code="UNKNOWN_PLATFORM"\} (\d+)/)).toBe(1);
    expect(text).toMatch(/credence_receipts_ingested_total\{outcome="rejected",code="INVALID_[A-Z_]+"\} 1/);

    expect(text).toContain('credence_propagation_duration_seconds_count 0');
    expect(value(/credence_webhook_backlog (\d+)/)).toBe(0);
    expect(text).toMatch(/process_cpu_user_seconds_total \d/);
    expect(text).toMatch(/nodejs_heap_size_used_bytes \d/);
    // The scrape itself is logged at debug level only.
    const scrape = lines.filter((l) => l.msg === 'request' && l.path === '/metrics');
    expect(scrape.map((l) => l.level)).toEqual(['debug']);
  });

  it('reads the webhook backlog from the outbox when there is one, and tolerates its absence', async () => {
    const db = t.testDatabase.database.db;
    const present = (await sql<{ present: boolean }>`select to_regclass('webhook_outbox') is not null as present`.execute(db)).rows[0]!.present;
    const backlog = async () => Number(/credence_webhook_backlog (\d+)/.exec(await (await t.fetch('/metrics')).text())?.[1]);
    if (!present) {
      // An older schema: the gauge reads 0 and the scrape still succeeds.
      expect(await backlog()).toBe(0);
      return;
    }
    const { platform } = await createScene(t);
    await sql`
      insert into webhook_outbox (id, platform_did, event_type, agent_did, payload, created_at, status, attempts, next_attempt_at)
      values ('evt_${sql.raw('0'.repeat(32))}', ${platform.did}, 'trust.changed', ${platform.did}, '{}'::jsonb, now(), 'PENDING', 0, now()),
             ('evt_${sql.raw('1'.repeat(32))}', ${platform.did}, 'trust.changed', ${platform.did}, '{}'::jsonb, now(), 'DELIVERING', 1, now())
    `.execute(db);
    expect(await backlog()).toBe(2);
    await sql`delete from webhook_outbox where platform_did = ${platform.did}`.execute(db);
    expect(await backlog()).toBe(0);
  });

  it('bounds caller-chosen operation names and keeps one registry per app', async () => {
    for (let i = 0; i < 130; i += 1) await post({ query: `query Op${i} { serviceInfo { did } }`, operationName: `Op${i}` });
    const text = await (await t.fetch('/metrics')).text();
    const operations = new Set([...text.matchAll(/credence_graphql_requests_total\{operation="([^"]*)"/g)].map((m) => m[1]));
    expect(operations.size).toBeLessThanOrEqual(101);
    expect(operations.has('other')).toBe(true);

    const second = await createApp({ config: t.config, database: t.testDatabase.database, issuerKey: issuerKeyFromPair(keyPairFromSeed(ISSUER_SEED)), clock: () => t.now });
    const fresh = await (await second.yoga.fetch(new Request('http://localhost:4000/metrics'))).text();
    expect(fresh).not.toMatch(/credence_graphql_requests_total\{/);
  });
});
