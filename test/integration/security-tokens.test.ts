// Which bearer tokens charge a DID's rate bucket: only those that pass every check, replay included. A replayed,
// already-spent token counts toward its sender's address, so it cannot lock the token's owner out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

describe.each(testDatabaseKinds)('a spent token cannot lock its owner out (%s database)', (kind) => {
  let t: TestApp;
  let now = 0;
  beforeAll(async () => {
    t = await createTestApp(kind, { CREDENCE_RATE_LIMIT_DID_PER_MINUTE: '5', CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '1000' }, { limiterClock: () => now });
  });
  afterAll(async () => {
    await t.close();
  });

  it('replaying one spent token many times charges the caller, not the DID, so the owner\'s fresh requests pass', async () => {
    const agent = newKey();
    const CLAIM = `mutation { claimDid(input: { displayName: "Owner" }) { __typename ... on Error { code } } }`;
    const spent = t.token(agent);
    expect((await t.gql(CLAIM, {}, spent)).data.claimDid.__typename).toBe('ClaimDidPayload');
    const send = (token: string) =>
      Promise.resolve(
        t.app.yoga.handleRequest(
          new Request('http://localhost:4000/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: CLAIM }) }),
          { req: { socket: { remoteAddress: '198.51.100.66' } } } as never,
        ),
      );
    for (let i = 0; i < 30; i += 1) {
      const replay = await send(spent);
      expect(replay.status).toBe(200);
      expect(((await replay.json()) as any).data.claimDid.code).toBe('TOKEN_REPLAYED');
    }
    // The owner still has its whole bucket (four fresh requests after the one it made).
    for (let i = 0; i < 4; i += 1) {
      const fresh = await t.gql(CLAIM, {}, agent);
      expect(fresh.status).toBe(200);
      expect(fresh.data.claimDid.__typename).toBe('ClaimDidPayload');
    }
    // And the DID limit itself still holds for tokens that pass every check.
    expect((await t.gql(CLAIM, {}, agent)).status).toBe(429);
    // The replays were charged to their sender's address instead.
    const limitedAddress = await createTestApp(kind, { CREDENCE_RATE_LIMIT_DID_PER_MINUTE: '5', CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '3' }, { limiterClock: () => now });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const response = await limitedAddress.app.yoga.handleRequest(
          new Request('http://localhost:4000/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${spent}` }, body: JSON.stringify({ query: CLAIM }) }),
          { req: { socket: { remoteAddress: '198.51.100.67' } } } as never,
        );
        statuses.push(response.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await limitedAddress.close();
    }
  });
});
