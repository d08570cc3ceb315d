import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJWT, EdDSASigner } from 'did-jwt';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createTestApp, newKey, ISSUER_SEED, type TestApp } from '../helpers/test-app.ts';

const CLAIM = /* GraphQL */ `
  mutation Claim($input: ClaimDidInput) {
    claimDid(input: $input) {
      __typename
      ... on ClaimDidPayload { agent { id did displayName kind claimedAt } }
      ... on Error { code message }
      ... on InputError { field }
    }
  }
`;

const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterPlatformInput!) {
    registerPlatform(input: $input) {
      __typename
      ... on RegisterPlatformPayload { webhookSecret platform { id did name domain status webhookUrl } }
      ... on Error { code message }
      ... on InputError { field }
    }
  }
`;

const APPROVE = /* GraphQL */ `
  mutation Approve($did: String!) {
    approvePlatform(did: $did) {
      __typename
      ... on PlatformPayload { platform { did status approvedAt } }
      ... on Error { code message }
      ... on InputError { field }
    }
  }
`;

const SUSPEND = /* GraphQL */ `
  mutation Suspend($did: String!, $reason: String!) {
    suspendPlatform(did: $did, reason: $reason) {
      __typename
      ... on PlatformPayload { platform { did status statusReason } }
      ... on Error { code message }
    }
  }
`;

describe.each(testDatabaseKinds)('identity on %s database', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('describes itself: serviceInfo and the did:web document agree', async () => {
    const { data } = await t.gql(`{ serviceInfo { did version statusListUrl contextUrl issuerKeys { id type publicKeyMultibase status } } }`);
    expect(data.serviceInfo.did).toBe('did:web:localhost%3A4000');
    expect(data.serviceInfo.issuerKeys).toHaveLength(1);
    const [key] = data.serviceInfo.issuerKeys;
    expect(key).toMatchObject({ type: 'Ed25519VerificationKey2020', status: 'ACTIVE' });
    const response = await t.fetch('/.well-known/did.json');
    expect(response.headers.get('content-type')).toContain('application/did+json');
    const document = await response.json();
    expect(document.id).toBe('did:web:localhost%3A4000');
    expect(document.verificationMethod[0]).toMatchObject({ id: key.id, publicKeyMultibase: key.publicKeyMultibase });
    expect(document.assertionMethod).toContain(key.id);
    // The private seed never appears in what the service publishes.
    const seedText = Buffer.from(ISSUER_SEED).toString('base64url');
    expect(JSON.stringify(document)).not.toContain(seedText);
    expect(JSON.stringify(data)).not.toContain(seedText);
  });

  it('answers /health, /ready and serves GraphiQL on GET /graphql', async () => {
    expect((await t.fetch('/health')).status).toBe(200);
    const ready = await t.fetch('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const graphiql = await t.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    expect(await graphiql.text()).toContain('GraphiQL');
  });

  it('claims a DID with a did-jwt token; viewer returns it; the token cannot be replayed', async () => {
    const agent = newKey();
    const iat = Math.floor(t.now.getTime() / 1000);
    const jwt = await createJWT(
      { aud: t.app.serviceDid, iat, exp: iat + 120, jti: `claim-${agent.did.slice(-8)}` },
      { issuer: agent.did, signer: EdDSASigner(agent.secretKey) },
      { alg: 'EdDSA' },
    );
    const claimed = await t.gql(CLAIM, { input: { displayName: 'Ada', kind: 'AGENT' } }, jwt);
    expect(claimed.data.claimDid).toMatchObject({ __typename: 'ClaimDidPayload', agent: { did: agent.did, displayName: 'Ada', kind: 'AGENT' } });
    const replay = await t.gql(CLAIM, {}, jwt);
    expect(replay.data.claimDid).toMatchObject({ __typename: 'AuthError', code: 'TOKEN_REPLAYED' });
    const viewer = await t.gql('{ viewer { did displayName } }', {}, agent);
    expect(viewer.data.viewer).toEqual({ did: agent.did, displayName: 'Ada' });
    const anonymous = await t.gql('{ viewer { did } }');
    expect(anonymous.data.viewer).toBeNull();
  });

  it('refuses expired, wrong-audience and tampered tokens with their codes', async () => {
    const agent = newKey();
    const expired = t.token(agent, { now: new Date(t.now.getTime() - 10 * 60_000) });
    expect((await t.gql(CLAIM, {}, expired)).data.claimDid.code).toBe('TOKEN_EXPIRED');
    const wrongAudience = t.token(agent, { audience: 'did:web:other.example' });
    expect((await t.gql(CLAIM, {}, wrongAudience)).data.claimDid.code).toBe('UNAUTHENTICATED');
    const [h, p, s] = t.token(agent).split('.') as [string, string, string];
    const tampered = `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
    expect((await t.gql(CLAIM, {}, tampered)).data.claimDid.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(CLAIM, {})).data.claimDid.code).toBe('UNAUTHENTICATED');
    // A query needing the caller reports a bad token as a GraphQL error with its code.
    const viewer = await t.gql('{ viewer { did } }', {}, expired);
    expect(viewer.errors?.[0]?.extensions?.code).toBe('TOKEN_EXPIRED');
    expect(await t.gql('{ agent(did: $did) { did } }'.replace('$did', JSON.stringify(agent.did)))).toMatchObject({ data: { agent: null } });
  });

  it('keeps one agent when a DID is claimed twice, or twenty times at once', async () => {
    const agent = newKey();
    const first = await t.gql(CLAIM, { input: { displayName: 'First' } }, agent);
    const again = await t.gql(CLAIM, { input: { kind: 'SERVICE' } }, agent);
    expect(again.data.claimDid.agent).toMatchObject({ displayName: 'First', kind: 'SERVICE', claimedAt: first.data.claimDid.agent.claimedAt });

    const racer = newKey();
    const results = await Promise.all(Array.from({ length: 20 }, () => t.gql(CLAIM, { input: { displayName: 'Racer' } }, racer)));
    expect(results.every((r) => r.data.claimDid.__typename === 'ClaimDidPayload')).toBe(true);
    const rows = await t.testDatabase.database.db.selectFrom('agents').select('did').where('did', '=', racer.did).execute();
    expect(rows).toHaveLength(1);
  });

  it('rejects invalid claim input as INVALID_INPUT naming the field, storing nothing', async () => {
    const agent = newKey();
    const tooLong = await t.gql(CLAIM, { input: { displayName: 'x'.repeat(101) } }, agent);
    expect(tooLong.data.claimDid).toMatchObject({ __typename: 'InputError', code: 'INVALID_INPUT', field: 'input.displayName' });
    const control = await t.gql(CLAIM, { input: { displayName: 'a\u0000b' } }, newKey());
    expect(control.data.claimDid.code).toBe('INVALID_INPUT');
    const stored = await t.gql(`{ agent(did: "${agent.did}") { did } }`);
    expect(stored.data.agent).toBeNull();
  });

  it('registers a platform once, shows its secret once, and lets only admins approve or suspend', async () => {
    const market = newKey();
    const registered = await t.gql(REGISTER, { input: { name: 'Market One', domain: 'Market1.Example', webhookUrl: 'https://market1.example/hooks' } }, market);
    const payload = registered.data.registerPlatform;
    expect(payload.__typename).toBe('RegisterPlatformPayload');
    expect(payload.webhookSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(payload.platform).toMatchObject({ did: market.did, status: 'PENDING', domain: 'market1.example' });

    const again = await t.gql(REGISTER, { input: { name: 'Market One' } }, market);
    expect(again.data.registerPlatform.code).toBe('ALREADY_EXISTS');

    const byStranger = await t.gql(APPROVE, { did: market.did }, newKey());
    expect(byStranger.data.approvePlatform).toMatchObject({ __typename: 'AuthError', code: 'FORBIDDEN' });
    const anonymous = await t.gql(APPROVE, { did: market.did });
    expect(anonymous.data.approvePlatform.code).toBe('UNAUTHENTICATED');
    const stillPending = await t.gql(`{ platform(did: "${market.did}") { status webhookUrl } }`);
    expect(stillPending.data.platform).toEqual({ status: 'PENDING', webhookUrl: null });

    const approved = await t.gql(APPROVE, { did: market.did }, t.admin);
    expect(approved.data.approvePlatform.platform).toMatchObject({ status: 'APPROVED' });
    expect(approved.data.approvePlatform.platform.approvedAt).toBe(t.now.toISOString());

    const ownView = await t.gql(`{ platform(did: "${market.did}") { webhookUrl } }`, {}, market);
    expect(ownView.data.platform.webhookUrl).toBe('https://market1.example/hooks');

    const suspended = await t.gql(SUSPEND, { did: market.did, reason: 'forged receipts' }, t.admin);
    expect(suspended.data.suspendPlatform.platform).toEqual({ did: market.did, status: 'SUSPENDED', statusReason: 'forged receipts' });

    const unknown = await t.gql(APPROVE, { did: newKey().did }, t.admin);
    expect(unknown.data.approvePlatform.code).toBe('NOT_FOUND');
    const badDid = await t.gql(APPROVE, { did: 'did:web:nope' }, t.admin);
    expect(badDid.data.approvePlatform).toMatchObject({ code: 'INVALID_INPUT', field: 'did' });
  });

  it('validates platform registration input', async () => {
    const bad = await t.gql(REGISTER, { input: { name: 'X', webhookUrl: 'ftp://x.example' } }, newKey());
    expect(bad.data.registerPlatform).toMatchObject({ code: 'INVALID_INPUT', field: 'input.webhookUrl' });
    const empty = await t.gql(REGISTER, { input: { name: '   ' } }, newKey());
    expect(empty.data.registerPlatform).toMatchObject({ code: 'INVALID_INPUT', field: 'input.name' });
  });

  it('pages platforms with Relay cursors and resolves Agent and Platform through node', async () => {
    const keys = [newKey(), newKey(), newKey()];
    for (const [index, key] of keys.entries()) {
      t.setNow(new Date(Date.parse('2026-11-02T00:00:00Z') + index * 1000));
      await t.gql(REGISTER, { input: { name: `Paged ${index}` } }, key);
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await t.gql(`query($after: String) { platforms(first: 2, after: $after) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`, { after });
      seen.push(...page.data.platforms.edges.map((edge: any) => edge.node.name));
      if (!page.data.platforms.pageInfo.hasNextPage) break;
      after = page.data.platforms.pageInfo.endCursor;
    }
    expect(seen.filter((name) => name.startsWith('Paged'))).toEqual(['Paged 0', 'Paged 1', 'Paged 2']);
    expect(new Set(seen).size).toBe(seen.length);

    const platform = await t.gql(`{ platform(did: "${keys[0]!.did}") { id } }`);
    const viaNode = await t.gql(`query($id: ID!) { node(id: $id) { __typename ... on Platform { did } } }`, { id: platform.data.platform.id });
    expect(viaNode.data.node).toEqual({ __typename: 'Platform', did: keys[0]!.did });

    const agent = newKey();
    const claimed = await t.gql(CLAIM, {}, agent);
    const agentNode = await t.gql(`query($id: ID!) { node(id: $id) { __typename ... on Agent { did } } }`, { id: claimed.data.claimDid.agent.id });
    expect(agentNode.data.node).toEqual({ __typename: 'Agent', did: agent.did });
  });

  it('refuses a 20-level query and a 2 MB body with clear errors, then keeps serving', async () => {
    const deep = `{ ${'node(id: "x") { ... on Agent { '.repeat(10)} did ${'} }'.repeat(10)} }`;
    const deepResult = await t.gql(deep);
    expect(deepResult.errors?.[0]?.message).toMatch(/depth/i);
    const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: serviceInfo { did }`).join(' ')} }`;
    expect((await t.gql(aliases)).errors?.[0]?.message).toMatch(/alias/i);

    const huge = JSON.stringify({ query: '{ serviceInfo { did } }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    const tooLarge = await t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge });
    expect(tooLarge.status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 40; i += 1) controller.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
        controller.close();
      },
    });
    const chunked = await t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);

    const after = await t.gql('{ serviceInfo { did } }');
    expect(after.data.serviceInfo.did).toBe(t.app.serviceDid);
  });

  it('masks unexpected errors and keeps codes on known ones', async () => {
    const broken = await t.gql('{ platforms(first: 1, after: "not-a-cursor") { edges { cursor } } }');
    expect(broken.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    const malformed = await t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(malformed.status).toBe(400);
  });
});
