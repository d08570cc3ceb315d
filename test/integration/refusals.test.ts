// Every document refused before it runs, under both response media types: HTTP 400 under
// `application/graphql-response+json` (the GraphQL-over-HTTP spec's MUST), 200 under legacy `application/json`, and
// the same stable `extensions.code` either way, with no `data`. Refused documents never reach a resolver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHQL_LIMITS, REFUSAL_CODES } from '../../src/http/security.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const LEGACY_JSON = 'application/json';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp('embedded');
});
afterAll(async () => {
  await t.close();
});

/** Fragments multiply cost without multiplying tokens: 5^5 spreads of a small selection. */
function costlyDocument(): string {
  const fragments = ['fragment F0 on Query { serviceInfo { did version issuerKeys { keyId publicKeyMultibase status } } }'];
  for (let level = 1; level <= 5; level += 1) {
    fragments.push(`fragment F${level} on Query { ${Array.from({ length: 5 }, (_, i) => `a${i}: __typename ...F${level - 1}`).join(' ')} }`);
  }
  return `query { ...F5 } ${fragments.join(' ')}`;
}

const DID = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
// Inline fragments count as a level each, so a valid document can be as deep as wanted.
const deepInline = GRAPHQL_LIMITS.maxDepth;

const REFUSALS: Array<{ name: string; code: string; message: RegExp; query: string; variables?: Record<string, unknown> }> = [
  {
    name: 'depth',
    code: REFUSAL_CODES.depth,
    message: new RegExp(`depth limit of ${GRAPHQL_LIMITS.maxDepth} exceeded`),
    query: `{ serviceInfo { ${'... on ServiceInfo { '.repeat(deepInline)} did ${'} '.repeat(deepInline)} } }`,
  },
  {
    name: 'aliases',
    code: REFUSAL_CODES.aliases,
    message: /aliases limit/i,
    // Aliases of __typename are free (armor's allow list): these are real fields.
    query: `{ ${Array.from({ length: GRAPHQL_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: serviceInfo { did }`).join(' ')} }`,
  },
  {
    name: 'tokens',
    code: REFUSAL_CODES.tokens,
    message: /token limit/i,
    query: `{ ${'__typename '.repeat(GRAPHQL_LIMITS.maxTokens + 100)} }`,
  },
  { name: 'cost', code: REFUSAL_CODES.cost, message: /cost/i, query: costlyDocument() },
  {
    name: 'directives',
    code: REFUSAL_CODES.directives,
    message: /directive/i,
    // One directive per inline fragment, so only the directive count is wrong (@include is not repeatable).
    query: `{ serviceInfo { ${'... on ServiceInfo @include(if: true) { did } '.repeat(GRAPHQL_LIMITS.maxDirectives + 1)} } }`,
  },
  {
    name: 'bracket nesting',
    code: REFUSAL_CODES.nesting,
    message: new RegExp(`nesting deeper than ${GRAPHQL_LIMITS.maxNesting} levels`),
    query: `{ trust(did: ${'['.repeat(2_400)}"x"${']'.repeat(2_400)}) { score } }`,
  },
  {
    name: 'NUL in a variable',
    code: REFUSAL_CODES.nul,
    message: /NUL characters/,
    query: 'query($did: String!) { trust(did: $did) { score } }',
    variables: { did: `${DID}\u0000` },
  },
  { name: 'NUL in the document', code: REFUSAL_CODES.nul, message: /NUL characters/, query: '{ agent(did: "did:key:\\u0000") { did } }' },
];

async function post(accept: string, query: string, variables?: Record<string, unknown>) {
  const response = await t.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as any };
}

describe('documents refused before they run', () => {
  it('uses one distinct code per limit', () => {
    const limitCodes = Object.entries(REFUSAL_CODES).filter(([name]) => name !== 'nul').map(([, code]) => code);
    expect(new Set(limitCodes).size).toBe(limitCodes.length);
  });

  for (const refusal of REFUSALS) {
    it(`${refusal.name}: 400 ${refusal.code} under graphql-response+json, 200 under application/json`, async () => {
      const modern = await post(GRAPHQL_RESPONSE, refusal.query, refusal.variables);
      expect(modern.status, JSON.stringify(modern.body)).toBe(400);
      expect(modern.contentType).toContain(GRAPHQL_RESPONSE);
      expect(modern.body.data).toBeUndefined();
      expect(modern.body.errors[0].extensions.code).toBe(refusal.code);
      expect(modern.body.errors[0].message).toMatch(refusal.message);
      // The status instruction stays inside the server.
      expect(modern.body.errors[0].extensions.http).toBeUndefined();

      const legacy = await post(LEGACY_JSON, refusal.query, refusal.variables);
      expect(legacy.status, JSON.stringify(legacy.body)).toBe(200);
      expect(legacy.contentType).toContain(LEGACY_JSON);
      expect(legacy.body.data).toBeUndefined();
      expect(legacy.body.errors[0].extensions.code).toBe(refusal.code);
    });
  }

  it('refuses a GET the same way', async () => {
    const query = REFUSALS.find((refusal) => refusal.name === 'aliases')!.query;
    const modern = await t.fetch(`/graphql?query=${encodeURIComponent(query)}`, { headers: { accept: GRAPHQL_RESPONSE } });
    expect(modern.status).toBe(400);
    expect(((await modern.json()) as any).errors[0].extensions.code).toBe(REFUSAL_CODES.aliases);
    const legacy = await t.fetch(`/graphql?query=${encodeURIComponent(query)}`, { headers: { accept: LEGACY_JSON } });
    expect(legacy.status).toBe(200);
    expect(((await legacy.json()) as any).errors[0].extensions.code).toBe(REFUSAL_CODES.aliases);
  });

  it('lets documents just inside every limit run', async () => {
    const inside = [
      `{ serviceInfo { ${'... on ServiceInfo { '.repeat(GRAPHQL_LIMITS.maxDepth - 2)} did ${'} '.repeat(GRAPHQL_LIMITS.maxDepth - 2)} } }`,
      `{ ${Array.from({ length: GRAPHQL_LIMITS.maxAliases }, (_, i) => `a${i}: serviceInfo { did }`).join(' ')} }`,
      `{ serviceInfo { ${'... on ServiceInfo @include(if: true) { did } '.repeat(GRAPHQL_LIMITS.maxDirectives)} } }`,
      `{ trust(did: "${DID}") { score } }`,
    ];
    for (const query of inside) {
      const answer = await post(GRAPHQL_RESPONSE, query);
      expect(answer.status, `${query.slice(0, 80)}: ${JSON.stringify(answer.body.errors)}`).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data).toBeDefined();
    }
  });
});
