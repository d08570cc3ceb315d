// The known-query path (src/http/known-query-path.ts): a POST or GET of a document already served through the whole
// pipeline (named by its text, or by its hash alone) is answered ahead of yoga, with exactly the answer yoga gives;
// anything it must not answer goes on to yoga, which answers as it always did.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScene, recordEscrow, signReceipt, SUBMIT, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const TRUST = 'query($did: String!) { trust(did: $did) { did asOf score tier confidence vector { E P B D R A C } flags { code } } }';
const BATCH = 'query Batch($dids: [String!]!) { trustBatch(dids: $dids) { did score tier } }';
const CHECK = 'query($did: String!, $policy: TrustPolicyInput!) { checkTrust(did: $did, policy: $policy) { allowed reasons } }';
const SERVICE = '{ serviceInfo { did } }';

interface Answer {
  status: number;
  contentType: string | null;
  body: string;
}

/** A GET's answer, with the cache headers http-cache.ts adds. */
interface GetAnswer extends Answer {
  etag: string | null;
  cacheControl: string | null;
  vary: string | null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hashed = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });

describe('known-query path (embedded database)', () => {
  let t: TestApp;
  let scene: Scene;
  let now = 0;
  let documents = 0;

  beforeAll(async () => {
    t = await createTestApp('embedded', { CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '1000' }, { limiterClock: () => now });
    scene = await createScene(t);
    await recordEscrow(t, scene, 'esc_known_1', ['FUNDED', 'RELEASED', 'SETTLED']);
    const stored = await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { escrowId: 'esc_known_1' }) });
    expect(stored.errors).toBeUndefined();
  });
  afterAll(async () => {
    await t.close();
  });

  /** A document no request has sent before: the same operation, written once more with a comment of its own. */
  const fresh = (query: string) => `${query}\n# ${(documents += 1)}`;

  async function post(body: unknown, headers: Record<string, string> = {}, address = '192.0.2.1'): Promise<Answer> {
    const request = new Request('http://localhost:4000/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    // As the node server hands a request over: with the peer's socket address (rate limits count by it).
    const response = await t.app.yoga.handleRequest(request, { req: { socket: { remoteAddress: address } } } as never);
    return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
  }

  /** A GET of /graphql with these parameters (objects as JSON, as clients send them). */
  async function get(params: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GetAnswer> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) search.set(name, typeof value === 'string' ? value : JSON.stringify(value));
    const request = new Request(`http://localhost:4000/graphql?${search}`, { headers });
    const response = await t.app.yoga.handleRequest(request, { req: { socket: { remoteAddress: '192.0.2.2' } } } as never);
    const header = (name: string) => response.headers.get(name);
    return { status: response.status, contentType: header('content-type'), body: await response.text(), etag: header('etag'), cacheControl: header('cache-control'), vary: header('vary') };
  }

  async function knownQueryCounts(): Promise<{ answered: number; handedOn: number }> {
    const text = await (await t.fetch('/metrics')).text();
    const count = (outcome: string) => Number(new RegExp(`^credence_graphql_known_query_requests_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text)?.[1]);
    return { answered: count('answered'), handedOn: count('handed_on') };
  }

  /**
   * Each case's request for the known `query` is handed on (counted so, never answered), and gets the answer yoga
   * gives the same request for a document it has not seen (so yoga alone answers it).
   */
  async function expectHandedOn<R>(
    cases: ReadonlyArray<{ name: string; request: (query: string) => R; headers?: Record<string, string>; handedOn?: number }>,
    query: string,
    send: (request: R, headers?: Record<string, string>) => Promise<Answer>,
  ): Promise<void> {
    for (const each of cases) {
      const before = await knownQueryCounts();
      const answer = await send(each.request(query), each.headers);
      const after = await knownQueryCounts();
      expect({ case: each.name, answered: after.answered - before.answered, handedOn: after.handedOn - before.handedOn }).toEqual({
        case: each.name,
        answered: 0,
        handedOn: each.handedOn ?? 0,
      });
      const twin = await send(each.request(fresh(TRUST)), each.headers);
      // Error locations point into the document, which is the same up to its trailing comment. Compared as JSON:
      // graphql-js puts `errors` first, a compiled query `data`.
      const parsed = ({ status, contentType, body }: Answer) => ({ case: each.name, status, contentType, body: contentType?.includes('json') ? (JSON.parse(body) as unknown) : body });
      expect(parsed(answer)).toEqual(parsed(twin));
    }
  }

  /** Sends `body` until its document is known (twice through yoga: graphql-js, then compiled), returning yoga's answers. */
  async function makeKnown(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Answer[]> {
    return [await post(body, headers), await post(body, headers)];
  }

  it('answers a document already served exactly as the full pipeline did, for every Accept it takes', async () => {
    const operations: Array<[string, Record<string, unknown>]> = [
      [TRUST, { did: scene.agent.did }],
      [BATCH, { dids: [scene.agent.did, scene.buyer.did, newKey().did] }],
      [CHECK, { did: scene.agent.did, policy: { minTier: 'C', maxDisputeRate: 0.1 } }],
      [SERVICE, {}],
    ];
    const accepts: Array<Record<string, string>> = [
      {},
      { accept: '*/*' },
      { accept: 'application/json' },
      { accept: 'application/graphql-response+json' },
      { accept: 'application/graphql-response+json, application/json;q=0.9' },
      { accept: 'application/json; charset=utf-8' },
      { accept: 'text/html, application/*' },
      { accept: 'application/json, text/event-stream' },
    ];
    for (const [query, variables] of operations) {
      for (const accept of accepts) {
        const body = { query: fresh(query), variables };
        const [first, second] = await makeKnown(body, accept);
        const before = await knownQueryCounts();
        const third = await post(body, accept);
        const after = await knownQueryCounts();
        expect(after.answered - before.answered).toBe(1);
        expect(first!.status).toBe(200);
        expect(JSON.parse(first!.body).errors).toBeUndefined();
        expect(second).toEqual(first);
        expect(third).toEqual(first);
      }
    }
    // The answers were real: the agent's report is there, with the settled work.
    const trust = JSON.parse((await post({ query: TRUST, variables: { did: scene.agent.did } })).body);
    expect(trust.data.trust.did).toBe(scene.agent.did);
    expect(trust.data.trust.flags.map((flag: { code: string }) => flag.code)).not.toContain('NO_HISTORY');
  });

  it('hands on to yoga every request it must not answer, which yoga answers as for a document it never saw', async () => {
    const query = fresh(TRUST);
    await makeKnown({ query, variables: { did: scene.agent.did } });
    const cases: Array<{ name: string; request: (query: string) => unknown; headers?: Record<string, string>; handedOn?: number }> = [
      { name: 'variables that do not coerce', request: (q) => ({ query: q, variables: { did: 5 } }), handedOn: 1 },
      { name: 'a missing variable', request: (q) => ({ query: q }), handedOn: 1 },
      { name: 'a DID the resolver refuses', request: (q) => ({ query: q, variables: { did: 'not-a-did' } }), handedOn: 1 },
      { name: 'a NUL in the variables', request: (q) => ({ query: q, variables: { did: `did:key:z6Mk\u0000` } }) },
      { name: 'another operation name', request: (q) => ({ query: q, variables: { did: scene.agent.did }, operationName: 'Other' }) },
      { name: 'an unknown parameter', request: (q) => ({ query: q, variables: { did: scene.agent.did }, unexpected: 1 }) },
      { name: 'extensions', request: (q) => ({ query: q, variables: { did: scene.agent.did }, extensions: { persistedQuery: { version: 1, sha256Hash: 'ab' } } }) },
      { name: 'variables that are not an object', request: (q) => ({ query: q, variables: [scene.agent.did] }) },
      { name: 'a batch', request: (q) => [{ query: q, variables: { did: scene.agent.did } }] },
      { name: 'a body that is not JSON', request: (q) => `{"query": ${JSON.stringify(q)}, "variables": ` },
      { name: 'an Accept it does not take', request: (q) => ({ query: q, variables: { did: scene.agent.did } }), headers: { accept: 'text/event-stream' } },
      { name: 'another charset', request: (q) => ({ query: q, variables: { did: scene.agent.did } }), headers: { accept: 'application/json; charset=latin1' } },
      { name: 'multipart', request: (q) => ({ query: q, variables: { did: scene.agent.did } }), headers: { accept: 'multipart/mixed' } },
      { name: 'nothing acceptable', request: (q) => ({ query: q, variables: { did: scene.agent.did } }), headers: { accept: 'text/html' } },
    ];
    await expectHandedOn(cases, query, post);
  });

  it('answers a GET of a known document exactly as the full pipeline did, cache headers and 304 included', async () => {
    const operations: Array<[string, Record<string, unknown>]> = [
      [TRUST, { did: scene.agent.did }],
      [SERVICE, {}],
    ];
    const accepts: Array<Record<string, string>> = [{}, { accept: 'application/json' }, { accept: 'application/graphql-response+json' }, { accept: '*/*' }];
    for (const [query, variables] of operations) {
      for (const accept of accepts) {
        // A parameter yoga ignores (a cache buster) is ignored here too.
        const params = { query: fresh(query), variables, _: '12345' };
        const first = await get(params, accept);
        const second = await get(params, accept);
        const before = await knownQueryCounts();
        const third = await get(params, accept);
        expect(await knownQueryCounts()).toEqual({ ...before, answered: before.answered + 1 });
        expect(first.status).toBe(200);
        expect(first.etag).toMatch(/^"[0-9a-f]{32}"$/);
        expect(first.cacheControl).toBe('public, max-age=0, must-revalidate');
        expect(second).toEqual(first);
        expect(third).toEqual(first);
        // The path's answer goes through http-cache.ts's response hook: a matching If-None-Match is a 304.
        const revalidated = await get(params, { ...accept, 'if-none-match': first.etag! });
        expect(await knownQueryCounts()).toEqual({ ...before, answered: before.answered + 2 });
        expect({ status: revalidated.status, body: revalidated.body, etag: revalidated.etag }).toEqual({ status: 304, body: '', etag: first.etag });
      }
    }
  });

  it('answers a known document named by its hash alone, by POST and by GET', async () => {
    const query = fresh(BATCH);
    const variables = { dids: [scene.agent.did, scene.buyer.did] };
    // Sent with its text (yoga checks the hash and remembers the text), twice: then the document is known.
    const [withText] = await makeKnown({ query, variables, extensions: hashed(query) });
    expect(JSON.parse(withText!.body).errors).toBeUndefined();
    const before = await knownQueryCounts();
    const byPost = await post({ variables, extensions: hashed(query) });
    const byGet = await get({ variables, extensions: hashed(query) });
    expect(await knownQueryCounts()).toEqual({ ...before, answered: before.answered + 2 });
    expect(byPost).toEqual(withText);
    expect({ status: byGet.status, contentType: byGet.contentType, body: byGet.body }).toEqual(withText);
    // The hash with its text again: yoga's to check, not the path's.
    const again = await post({ query, variables, extensions: hashed(query) });
    expect(await knownQueryCounts()).toEqual({ ...before, answered: before.answered + 2 });
    expect(again).toEqual(withText);
  });

  it('hands on to yoga every GET it must not answer', async () => {
    const query = fresh(TRUST);
    const variables = { did: scene.agent.did };
    await get({ query, variables });
    await get({ query, variables });
    const unknownHash = { persistedQuery: { version: 1, sha256Hash: sha256('{ never }') } };
    const cases: Array<{ name: string; request: (query: string) => Record<string, unknown>; headers?: Record<string, string>; handedOn?: number }> = [
      { name: 'a browser (GraphiQL)', request: (q) => ({ query: q, variables }), headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } },
      { name: 'variables that are not JSON', request: (q) => ({ query: q, variables: '{"did": ' }) },
      { name: 'variables that do not coerce', request: (q) => ({ query: q, variables: { did: 5 } }), handedOn: 1 },
      // Unused by the query, but past the nesting bound every parameter is read with (400 from yoga).
      { name: 'variables nested too deep', request: (q) => ({ query: q, variables: `{"did":${JSON.stringify(scene.agent.did)},"pad":${'['.repeat(70)}${']'.repeat(70)}}` }) },
      { name: 'extensions nested too deep', request: (q) => ({ query: q, variables, extensions: `{"persistedQuery":{"version":1,"sha256Hash":"${sha256(q)}","pad":${'['.repeat(70)}${']'.repeat(70)}}}` }) },
      { name: 'another operation name', request: (q) => ({ query: q, variables, operationName: 'Other' }) },
      { name: 'an unknown hash alone', request: () => ({ variables, extensions: unknownHash }) },
      { name: 'a hash that does not match its text', request: (q) => ({ query: q, variables, extensions: unknownHash }) },
      { name: 'extensions beyond a hash', request: (q) => ({ query: q, variables, extensions: { tracing: true } }) },
      { name: 'a malformed hash', request: () => ({ variables, extensions: { persistedQuery: { version: 2, sha256Hash: 'ab' } } }) },
      { name: 'no query', request: () => ({ variables }) },
      { name: 'an Accept it does not take', request: (q) => ({ query: q, variables }), headers: { accept: 'text/event-stream' } },
    ];
    await expectHandedOn(cases, query, get);
  });

  it('answers a request with a bearer token as the caller, and hands on a refused one with its token still verified', async () => {
    const query = fresh('query($did: String!) { trustAnchors { did } agent(did: $did) { did } }');
    const asAdmin = () => ({ authorization: `Bearer ${t.token(t.admin)}` });
    const variables = { did: scene.agent.did };
    const first = await post({ query, variables }, asAdmin());
    await post({ query, variables }, asAdmin());
    const before = await knownQueryCounts();
    const third = await post({ query, variables }, asAdmin());
    expect(await knownQueryCounts()).toEqual({ ...before, answered: before.answered + 1 });
    // As JSON: graphql-js orders two root fields as they resolve, compiled code as they are written.
    const parsed = (answer: Answer) => ({ ...answer, body: JSON.parse(answer.body) as unknown });
    expect(parsed(third)).toEqual(parsed(first!));
    expect(JSON.parse(third.body).data.trustAnchors).toEqual([]);

    // Anonymous: the admin-only field is refused, so yoga answers, as it would have without the path.
    const anonymous = await post({ query, variables });
    expect(JSON.parse(anonymous.body).errors.map((error: { extensions: { code: string } }) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
    expect((await knownQueryCounts()).handedOn).toBe(before.handedOn + 1);

    // The admin with a DID the resolver refuses: the path's run verified (and spent) the single-use token; yoga's
    // run answers with the same verified caller (no replay error), exactly as yoga alone answers.
    const refused = { did: 'not-a-did' };
    const handedOn = await post({ query, variables: refused }, asAdmin());
    const alone = await post({ query: fresh('query($did: String!) { trustAnchors { did } agent(did: $did) { did } }'), variables: refused }, asAdmin());
    expect((await knownQueryCounts()).handedOn).toBe(before.handedOn + 2);
    expect(parsed(handedOn)).toEqual(parsed(alone));
    // Only the refused DID: a replayed token would have refused trustAnchors too.
    expect(JSON.parse(handedOn.body).errors.map((error: { extensions: { code: string } }) => error.extensions.code)).toEqual(['INVALID_INPUT']);
    expect(JSON.parse(handedOn.body).data).toEqual({ trustAnchors: [], agent: null });

    // A token used twice is a replay, on the path as off it.
    const token = asAdmin();
    expect(JSON.parse((await post({ query, variables }, token)).body).data.trustAnchors).toEqual([]);
    const replayed = await post({ query, variables }, token);
    const replayedAlone = await post({ query: fresh('query($did: String!) { trustAnchors { did } agent(did: $did) { did } }'), variables }, token);
    expect(parsed(replayed)).toEqual(parsed(replayedAlone));
    expect(JSON.parse(replayed.body).errors[0].extensions.code).toBeTruthy();
  });

  it('answers a document once it is known, and changes in trust show in its answers', async () => {
    const body = { query: fresh(TRUST), variables: { did: scene.agent.did } };
    await makeKnown(body);
    const before = JSON.parse((await post(body)).body).data.trust;
    t.setNow(new Date(t.now.getTime() + 60_000));
    await recordEscrow(t, scene, 'esc_known_2', ['FUNDED', 'RELEASED', 'SETTLED']);
    const stored = await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { escrowId: 'esc_known_2' }) });
    expect(stored.errors).toBeUndefined();
    const counts = await knownQueryCounts();
    const after = JSON.parse((await post(body)).body).data.trust;
    expect((await knownQueryCounts()).answered).toBe(counts.answered + 1);
    expect(after.asOf).not.toBe(before.asOf);
    // Through the whole pipeline (a document yoga has not seen), the same report.
    const whole = JSON.parse((await post({ ...body, query: fresh(TRUST) })).body).data.trust;
    expect(after).toEqual(whole);
  });

  it('still counts requests against the rate limit and logs them with their operation', async () => {
    const limited = await createTestApp(t.testDatabase, { CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '4' }, { limiterClock: () => now });
    const send = async () => {
      const response = await limited.app.yoga.handleRequest(
        new Request('http://localhost:4000/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query ServiceDid { serviceInfo { did } }' }) }),
        { req: { socket: { remoteAddress: '198.51.100.9' } } } as never,
      );
      return response.status;
    };
    const statuses = [await send(), await send(), await send(), await send(), await send()];
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const metrics = await (await limited.fetch('/metrics')).text();
    // The third and fourth were answered on the known-query path, and counted as requests of their operation.
    expect(metrics).toMatch(/^credence_graphql_known_query_requests_total\{outcome="answered"\} 2$/m);
    expect(metrics).toMatch(/^credence_graphql_requests_total\{[^}]*operation="ServiceDid"[^}]*\} 4$/m);
  });
});
