// HTTP caching of public reads: ETag and Cache-Control on unauthenticated GET queries, 304 on If-None-Match, a new
// tag after a write, nothing of the sort for authenticated reads, POST or error answers; hashed (persisted) queries.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesEtag, PUBLIC_CACHE_CONTROL } from '../../src/http/http-cache.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createScene, recordEscrow, signReceipt, SUBMIT, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const TRUST = 'query($did: String!) { trust(did: $did) { did score tier confidence } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function getPath(query: string | undefined, variables: Record<string, unknown>, extensions?: Record<string, unknown>): string {
  const params = new URLSearchParams();
  if (query !== undefined) params.set('query', query);
  params.set('variables', JSON.stringify(variables));
  if (extensions) params.set('extensions', JSON.stringify(extensions));
  return `/graphql?${params}`;
}

describe('matchesEtag', () => {
  it('matches a listed tag, a weak form of it, or *', () => {
    expect(matchesEtag('"abc"', '"abc"')).toBe(true);
    expect(matchesEtag('"x", W/"abc"', '"abc"')).toBe(true);
    expect(matchesEtag('*', '"abc"')).toBe(true);
    expect(matchesEtag('"abd"', '"abc"')).toBe(false);
    expect(matchesEtag(null, '"abc"')).toBe(false);
  });
});

describe.each(testDatabaseKinds)('HTTP caching of public reads (%s)', (kind) => {
  let t: TestApp;
  let scene: Scene;
  beforeAll(async () => {
    t = await createTestApp(kind);
    scene = await createScene(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const submitOne = async (escrowId: string) => {
    const work = { ...scene, buyer: newKey() };
    await recordEscrow(t, work, escrowId, ['FUNDED', 'RELEASED', 'SETTLED']);
    const result = await t.gql(SUBMIT, { receipt: signReceipt(t, work, { escrowId }) });
    expect(result.errors).toBeUndefined();
  };

  it('a public GET read carries a stable ETag and Cache-Control; If-None-Match answers 304 without a body', async () => {
    const path = getPath(TRUST, { did: scene.agent.did });
    const first = await t.fetch(path);
    expect(first.status).toBe(200);
    const body = await first.text();
    expect(JSON.parse(body).data.trust.did).toBe(scene.agent.did);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(first.headers.get('cache-control')).toBe(PUBLIC_CACHE_CONTROL);
    expect(first.headers.get('vary')).toBe('Accept, Authorization');
    expect(first.headers.get('x-request-id')).toBeTruthy();

    const again = await t.fetch(path);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe(body);

    const notModified = await t.fetch(path, { headers: { 'if-none-match': etag! } });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(notModified.headers.get('x-request-id')).toBeTruthy();

    const otherTag = await t.fetch(path, { headers: { 'if-none-match': '"0000"' } });
    expect(otherTag.status).toBe(200);
    expect(await otherTag.text()).toBe(body);
  });

  it('the tag changes after a write changes the answer, and the old tag then gets the new body', async () => {
    const path = getPath(TRUST, { did: scene.agent.did });
    const before = await t.fetch(path);
    const beforeBody = await before.text();
    const etag = before.headers.get('etag')!;
    await submitOne(`esc_http_cache_${kind}`);
    // The cached answer follows the write once the change notice has arrived.
    let after: Response | undefined;
    let afterBody = beforeBody;
    for (let i = 0; i < 100 && afterBody === beforeBody; i += 1) {
      after = await t.fetch(path, { headers: { 'if-none-match': etag } });
      afterBody = after.status === 304 ? beforeBody : await after.text();
      if (afterBody === beforeBody) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(after!.status).toBe(200);
    expect(afterBody).not.toBe(beforeBody);
    expect(after!.headers.get('etag')).not.toBe(etag);
    expect(after!.headers.get('etag')).toBe(`"${sha256(afterBody).slice(0, 32)}"`);
  });

  it('no caching headers on authenticated reads, POST reads or answers with errors; no 304 for them', async () => {
    const path = getPath(TRUST, { did: scene.agent.did });
    const etag = (await t.fetch(path)).headers.get('etag')!;

    const authenticated = await t.fetch(path, { headers: { authorization: `Bearer ${t.token(scene.platform)}`, 'if-none-match': etag } });
    expect(authenticated.status).toBe(200);
    expect(authenticated.headers.get('etag')).toBeNull();
    expect(authenticated.headers.get('cache-control')).toBeNull();

    const post = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'if-none-match': etag },
      body: JSON.stringify({ query: TRUST, variables: { did: scene.agent.did } }),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get('etag')).toBeNull();
    expect(post.headers.get('cache-control')).toBeNull();

    const invalid = await t.fetch(getPath(TRUST, { did: 'not a did' }));
    expect((await invalid.json()).errors?.length).toBeGreaterThan(0);
    expect(invalid.headers.get('etag')).toBeNull();
    expect(invalid.headers.get('cache-control')).toBeNull();
  });

  it('a mutation over GET is still refused and carries no caching headers', async () => {
    const response = await t.fetch(getPath('mutation { __typename }', {}));
    expect(response.status).toBe(405);
    expect(response.headers.get('etag')).toBeNull();
  });

  it('hashed queries: unknown hash asks for the text, text with its hash is remembered, then the hash alone runs', async () => {
    const query = `${TRUST} # hashed`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
    const variables = { did: scene.agent.did };

    const unknown = await (await t.fetch(getPath(undefined, variables, extensions))).json();
    expect(unknown.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const withText = await t.fetch(getPath(query, variables, extensions));
    expect(withText.status).toBe(200);
    const withTextBody = await withText.text();
    expect(JSON.parse(withTextBody).data.trust.did).toBe(scene.agent.did);

    const byHash = await t.fetch(getPath(undefined, variables, extensions));
    expect(byHash.status).toBe(200);
    expect(await byHash.text()).toBe(withTextBody);
    expect(byHash.headers.get('etag')).toBe(withText.headers.get('etag'));

    const wrong = await t.fetch(getPath(TRUST, variables, extensions));
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).errors[0].extensions.code).toBe('BAD_REQUEST');

    // A remembered document passes the same checks as one written out: here the nesting limit.
    const nested = `{ trust(did: ${'['.repeat(70)}"x"${']'.repeat(70)}) { did } }`;
    const nestedExtensions = { persistedQuery: { version: 1, sha256Hash: sha256(nested) } };
    expect((await (await t.fetch(getPath(nested, {}, nestedExtensions))).json()).errors[0].extensions.code).toBe('QUERY_TOO_NESTED');
    expect((await (await t.fetch(getPath(undefined, {}, nestedExtensions))).json()).errors[0].extensions.code).toBe('QUERY_TOO_NESTED');

    const malformed = await t.fetch(getPath(undefined, variables, { persistedQuery: { version: 2, sha256Hash: 'xyz' } }));
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});
