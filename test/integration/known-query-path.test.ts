// The known-query path (src/http/known-query-path.ts): a POST of a document already served through the whole
// pipeline is answered ahead of yoga, with exactly the answer yoga gives; anything it must not answer goes on to yoga,
// which answers as it always did.
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

  async function knownQueryCounts(): Promise<{ answered: number; handedOn: number }> {
    const text = await (await t.fetch('/metrics')).text();
    const count = (outcome: string) => Number(new RegExp(`^credence_graphql_known_query_requests_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text)?.[1]);
    return { answered: count('answered'), handedOn: count('handed_on') };
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
    // Each case, and the same request with a document yoga has not seen (so yoga alone answers it).
    const cases: Array<{ name: string; body: (query: string) => unknown; headers?: Record<string, string>; handedOn?: number }> = [
      { name: 'variables that do not coerce', body: (q) => ({ query: q, variables: { did: 5 } }), handedOn: 1 },
      { name: 'a missing variable', body: (q) => ({ query: q }), handedOn: 1 },
      { name: 'a DID the resolver refuses', body: (q) => ({ query: q, variables: { did: 'not-a-did' } }), handedOn: 1 },
      { name: 'a NUL in the variables', body: (q) => ({ query: q, variables: { did: `did:key:z6Mk\u0000` } }) },
      { name: 'another operation name', body: (q) => ({ query: q, variables: { did: scene.agent.did }, operationName: 'Other' }) },
      { name: 'an unknown parameter', body: (q) => ({ query: q, variables: { did: scene.agent.did }, unexpected: 1 }) },
      { name: 'extensions', body: (q) => ({ query: q, variables: { did: scene.agent.did }, extensions: { persistedQuery: { version: 1, sha256Hash: 'ab' } } }) },
      { name: 'variables that are not an object', body: (q) => ({ query: q, variables: [scene.agent.did] }) },
      { name: 'a batch', body: (q) => [{ query: q, variables: { did: scene.agent.did } }] },
      { name: 'a body that is not JSON', body: (q) => `{"query": ${JSON.stringify(q)}, "variables": ` },
      { name: 'an Accept it does not take', body: (q) => ({ query: q, variables: { did: scene.agent.did } }), headers: { accept: 'text/event-stream' } },
      { name: 'another charset', body: (q) => ({ query: q, variables: { did: scene.agent.did } }), headers: { accept: 'application/json; charset=latin1' } },
      { name: 'multipart', body: (q) => ({ query: q, variables: { did: scene.agent.did } }), headers: { accept: 'multipart/mixed' } },
      { name: 'nothing acceptable', body: (q) => ({ query: q, variables: { did: scene.agent.did } }), headers: { accept: 'text/html' } },
    ];
    for (const each of cases) {
      const before = await knownQueryCounts();
      const answer = await post(each.body(query), each.headers);
      const after = await knownQueryCounts();
      expect({ case: each.name, answered: after.answered - before.answered, handedOn: after.handedOn - before.handedOn }).toEqual({
        case: each.name,
        answered: 0,
        handedOn: each.handedOn ?? 0,
      });
      const twin = await post(each.body(fresh(TRUST)), each.headers);
      // Error locations point into the document, which is the same up to its trailing comment. Compared as JSON:
      // graphql-js puts `errors` first, a compiled query `data`.
      const parsed = ({ status, contentType, body }: Answer) => ({ case: each.name, status, contentType, body: contentType?.includes('json') ? (JSON.parse(body) as unknown) : body });
      expect(parsed(answer)).toEqual(parsed(twin));
    }
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
