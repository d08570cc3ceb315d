// Inputs that used to end as masked internal errors (HTTP 500 or "Unexpected error."): NUL bytes in cursors, node
// ids, token ids, mutation arguments and REST bodies; dates outside the accepted range; deeply nested JSON bodies.
// Each answers INVALID_INPUT (or 400) and nothing is logged as unexpected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintAuthToken } from '../../src/auth/mint-token.ts';
import { createLogger } from '../../src/logger.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const AGENTS = async (t: TestApp) =>
  Number((await t.testDatabase.database.db.selectFrom('agents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe.each(testDatabaseKinds)('inputs that used to end in a masked 500 answer INVALID_INPUT (%s database)', (kind) => {
  let t: TestApp;
  const logs: string[] = [];
  beforeAll(async () => {
    t = await createTestApp(kind, {}, { logger: createLogger('debug', (line) => logs.push(line)) });
  });
  afterAll(async () => {
    await t.close();
  });

  const code = (answer: any): string | undefined => answer.errors?.[0]?.extensions?.code;

  it('NUL bytes in cursors and node ids answer INVALID_INPUT', async () => {
    const agent = newKey();
    const nulCursor = Buffer.from('2026-01-01T00:00:00.000Z|a\u0000b').toString('base64url');
    const nulId = Buffer.from('Agent:did:key:z6Mk\u0000').toString('base64');
    for (const answer of [
      await t.gql(`query($after: String) { receipts(did: "${agent.did}", after: $after) { edges { cursor } } }`, { after: nulCursor }),
      await t.gql(`query($after: String) { credentials(did: "${agent.did}", after: $after) { edges { cursor } } }`, { after: nulCursor }),
      await t.gql(`query($after: String) { platforms(after: $after) { edges { cursor } } }`, { after: Buffer.from('2026-01-01T00:00:00.000Z|did:key:\u0000').toString('base64url') }),
      await t.gql(`query($after: String) { platforms(after: $after) { edges { cursor } } }`, { after: '2026-01-01T00:00:00.000Z|did:key:\u0000' }),
      await t.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: nulId }),
    ]) {
      expect(answer.errors?.[0]?.message).not.toBe('Unexpected error.');
      if (answer.errors) expect(code(answer)).toBe('INVALID_INPUT');
    }
    expect(logs.filter((line) => line.includes('"unexpected error"'))).toEqual([]);
  });

  it('NUL bytes in mutation arguments answer INVALID_INPUT and store nothing', async () => {
    const before = await AGENTS(t);
    const key = newKey();
    const register = await t.gql(
      `mutation($input: RegisterPlatformInput!) { registerPlatform(input: $input) { __typename ... on Error { code } } }`,
      { input: { name: 'Nul\u0000Market', domain: 'nul.example', webhookUrl: 'https://nul.example/hook' } },
      key,
    );
    expect(register.data?.registerPlatform?.code ?? code(register)).toBe('INVALID_INPUT');
    // Refused before any lookup (no such credential) or by the NUL guard: either way a typed answer, never a 500.
    const revoke = await t.gql(`mutation($id: ID!) { revokeCredential(id: $id, reason: "x\u0000y") { __typename ... on Error { code } } }`, { id: 'urn:uuid:\u0000' }, t.admin);
    expect(['INVALID_INPUT', 'NOT_FOUND']).toContain(revoke.data?.revokeCredential?.code ?? code(revoke));
    const revokeReceipt = await t.gql(`mutation { revokeReceipt(receiptId: "r\\u0000", reason: "why") { __typename ... on Error { code } } }`, {}, key);
    expect(revokeReceipt.data?.revokeReceipt?.code ?? code(revokeReceipt)).toBe('INVALID_INPUT');
    const redeliver = await t.gql(`mutation { redeliverWebhook(id: "evt_\\u0000") { __typename ... on Error { code } } }`, {}, key);
    expect(redeliver.data?.redeliverWebhook?.code ?? code(redeliver)).toBe('INVALID_INPUT');
    expect(await AGENTS(t)).toBe(before);
    expect(logs.filter((line) => line.includes('"unexpected error"'))).toEqual([]);
  });

  it('a NUL in a token jti is reported as a bad token, on reads and on scoped mutations alike', async () => {
    const agent = newKey();
    const token = mintAuthToken(agent, { audience: t.app.serviceDid, now: t.now, jti: 'abcdefgh\u0000' });
    const claim = await t.gql(`mutation { claimDid { __typename ... on Error { code message } } }`, {}, token);
    expect(claim.data.claimDid.code).toBe('UNAUTHENTICATED');
    expect(claim.data.claimDid.message).toMatch(/jti/);
    const scoped = await t.gql(`mutation { approvePlatform(did: "${agent.did}") { __typename ... on Error { code message } } }`, {}, token);
    expect(scoped.data.approvePlatform.code).toBe('UNAUTHENTICATED');
    expect(scoped.data.approvePlatform.message).toMatch(/jti/);
    expect(scoped.data.approvePlatform.message).not.toMatch(/needs a DID-JWT bearer token/);
    expect(logs.filter((line) => line.includes('"unexpected error"'))).toEqual([]);
  });

  it.each(['+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '10000-01-01T00:00:00Z'])('trust(asOf: %s) answers INVALID_INPUT', async (asOf) => {
    const did = newKey().did;
    const literal = await t.gql(`{ trust(did: "${did}", asOf: "${asOf}") { score } }`);
    expect(code(literal)).toBe('INVALID_INPUT');
    const variable = await t.gql(`query($asOf: DateTime) { trust(did: "${did}", asOf: $asOf) { score } }`, { asOf });
    expect(code(variable)).toBe('INVALID_INPUT');
    expect(logs.filter((line) => line.includes('"unexpected error"'))).toEqual([]);
  });

  it('dates inside the accepted range still work', async () => {
    const did = newKey().did;
    for (const asOf of ['1970-01-01T00:00:00Z', '2026-11-01T12:00:00Z', '9999-12-31T23:59:59Z']) {
      const answer = await t.gql(`query($asOf: DateTime) { trust(did: "${did}", asOf: $asOf) { asOf } }`, { asOf });
      expect(answer.errors).toBeUndefined();
      expect(answer.data.trust.asOf).toBe(new Date(asOf).toISOString());
    }
  });

  it('a 5,000-deep JSON body to REST /api/reputation/verify answers 400', async () => {
    const deep = `{"credential":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`;
    const response = await t.fetch('/api/reputation/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ success: false, code: 'INVALID_INPUT' });
    const deepArray = `{"credential":{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}}`;
    const arrays = await t.fetch('/api/reputation/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: deepArray });
    expect(arrays.status).toBe(400);
    // GraphQL bodies are bounded the same way.
    const gql = await t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"query":"{ serviceInfo { did } }","variables":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}` });
    expect(gql.status).toBe(400);
    expect(logs.filter((line) => line.includes('"unexpected error"'))).toEqual([]);
  });

  it('a NUL byte in a REST body answers 400 INVALID_INPUT', async () => {
    const response = await t.fetch('/api/reputation/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ credentialId: 'urn:uuid:\u0000' }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'INVALID_INPUT' });
    const receipt = await t.fetch('/api/reputation/receipt', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ receipt: 'a.b.c\u0000' }) });
    expect(receipt.status).toBe(400);
  });
});
