// Trust reads about a malformed or non-Ed25519 DID answer INVALID_INPUT (as the pages answer 400), never a tier F
// report that would read as a bad agent; and they store nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const BAD = [
  'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do', // one character short
  'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme', // secp256k1
  'did:example:123',
  'did:key:hello',
];

describe.each(testDatabaseKinds)('DID input on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const count = async (table: 'receipts' | 'agents') =>
    Number((await t.testDatabase.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it.each(BAD)('trust, trustBatch and checkTrust refuse %s with INVALID_INPUT', async (did) => {
    const before = [await count('receipts'), await count('agents')];
    const trust = await t.gql('query($did: String!) { trust(did: $did) { tier score } }', { did });
    expect(trust.data?.trust ?? null).toBeNull();
    expect(trust.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    expect(trust.errors?.[0]?.message).toContain('Ed25519 did:key');

    const batch = await t.gql('query($dids: [String!]!) { trustBatch(dids: $dids) { tier } }', { dids: [newKey().did, did] });
    expect(batch.data?.trustBatch ?? null).toBeNull();
    expect(batch.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');

    const check = await t.gql('query($did: String!) { checkTrust(did: $did, policy: { minTier: C }) { allowed } }', { did });
    expect(check.data?.checkTrust ?? null).toBeNull();
    expect(check.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    expect([await count('receipts'), await count('agents')]).toEqual(before);
  });

  it.each(BAD)('REST reputation, receipts and badge refuse %s with 400 INVALID_INPUT', async (did) => {
    const reputation = await t.fetch(`/api/reputation/agent/${encodeURIComponent(did)}/reputation`);
    expect(reputation.status).toBe(400);
    expect(JSON.stringify(await reputation.json())).toContain('INVALID_INPUT');
    const receipts = await t.fetch(`/api/reputation/receipts?did=${encodeURIComponent(did)}`);
    expect(receipts.status).toBe(400);
    expect(JSON.stringify(await receipts.json())).toContain('INVALID_INPUT');
    const badge = await t.fetch(`/api/reputation/badge/${encodeURIComponent(did)}`);
    expect(badge.status).toBe(400);
    expect(await badge.text()).toContain('invalid did');
  });

  it('a valid did:key or did:web without history still gets its NO_HISTORY report', async () => {
    for (const did of [newKey().did, 'did:web:market.example']) {
      const { data, errors } = await t.gql('query($did: String!) { trust(did: $did) { did tier flags { code } } }', { did });
      expect(errors).toBeUndefined();
      expect(data.trust).toMatchObject({ did, tier: 'F' });
      expect(data.trust.flags.map((flag: { code: string }) => flag.code)).toContain('NO_HISTORY');
      expect((await t.fetch(`/api/reputation/agent/${encodeURIComponent(did)}/reputation`)).status).toBe(200);
    }
  });
});
