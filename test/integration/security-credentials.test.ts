// Regression tests for the credential-issuance findings of the security review (revoked credentials stay revoked,
// reputation issuance quota): each test is named after the finding it closes and failed before the fix.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../helpers/database.ts';
import { issue } from '../helpers/credentials.ts';
import { createScene, recordEscrow, signReceipt, SUBMIT } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const REVOKE_CREDENTIAL = /* GraphQL */ `
  mutation($id: ID!, $reason: String!) {
    revokeCredential(id: $id, reason: $reason) {
      __typename
      ... on RevokeCredentialPayload { credential { credentialId revoked } }
      ... on Error { code message }
    }
  }
`;

const REISSUE_CREDENTIAL = /* GraphQL */ `
  mutation($id: ID!) {
    reissueCredential(id: $id) {
      __typename
      ... on IssueCredentialPayload { credential { credentialId type format subject revoked receipt { receiptId } } }
      ... on Error { code message }
    }
  }
`;

describe.each(testDatabaseKinds)('credential issuance integrity on %s database', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind, { CREDENCE_REPUTATION_CREDENTIALS_PER_DAY: '3' });
  });
  afterAll(async () => {
    await t.close();
  });

  const db = () => t.testDatabase.database.db;
  const postReceipt = (body: unknown) =>
    t.fetch('/api/reputation/receipt', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  describe('finding 17.6: a revoked credential stays revoked', () => {
    it('neither replaying the public receipt JWT to REST nor issueCredential gives a fresh credential; an admin can reissue', async () => {
      const scene = await createScene(t);
      const escrowId = `esc_${randomUUID().slice(0, 8)}`;
      await recordEscrow(t, scene, escrowId, ['FUNDED', 'RELEASED', 'SETTLED']);
      const jwt = signReceipt(t, scene, { escrowId });
      const first = (await (await postReceipt({ receipt: jwt })).json()) as any;
      expect(first).toMatchObject({ success: true, duplicate: false, confidence: 'ESCROW_VERIFIED' });
      expect(first.credentialId).toMatch(/^urn:uuid:/);

      const revoked = (await t.gql(REVOKE_CREDENTIAL, { id: first.credentialId, reason: 'issued in error' }, t.admin)).data.revokeCredential;
      expect(revoked.credential.revoked).toBe(true);

      // The receipt JWT is public (Receipt.jwt): anyone can replay it.
      const published = (await t.gql(`query($id: ID!) { receipt(receiptId: $id) { jwt } }`, { id: first.receiptId })).data.receipt.jwt;
      for (const credentialFormat of ['JSON_LD', 'JWT']) {
        const replay = (await (await postReceipt({ receipt: published, credentialFormat })).json()) as any;
        expect(replay).toMatchObject({ success: true, duplicate: true });
        expect(replay.credentialId).toBeNull();
      }
      for (const format of ['JSON_LD', 'JWT']) {
        const again = await issue(t, scene.agent, { type: 'TASK_COMPLETION', format, receiptId: first.receiptId });
        expect(again).toMatchObject({ __typename: 'AuthError', code: 'FORBIDDEN' });
      }
      const live = await db().selectFrom('credentials').select('id').where('receipt_id', '=', first.receiptId).where('revoked_at', 'is', null).execute();
      expect(live).toEqual([]);

      // Re-issue is an admin act.
      expect((await t.gql(REISSUE_CREDENTIAL, { id: first.credentialId }, scene.agent)).data.reissueCredential.code).toBe('FORBIDDEN');
      const reissued = (await t.gql(REISSUE_CREDENTIAL, { id: first.credentialId }, t.admin)).data.reissueCredential;
      expect(reissued).toMatchObject({
        __typename: 'IssueCredentialPayload',
        credential: { type: 'TASK_COMPLETION', format: 'JSON_LD', subject: scene.agent.did, revoked: false, receipt: { receiptId: first.receiptId } },
      });
      expect(reissued.credential.credentialId).not.toBe(first.credentialId);
      // Once per revoked credential: a second reissue is refused, and the agent now gets the reissued one back.
      expect((await t.gql(REISSUE_CREDENTIAL, { id: first.credentialId }, t.admin)).data.reissueCredential.code).toBe('ALREADY_EXISTS');
      const mine = await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId: first.receiptId });
      expect(mine.credential.credentialId).toBe(reissued.credential.credentialId);
      // A live credential is not reissued.
      expect((await t.gql(REISSUE_CREDENTIAL, { id: reissued.credential.credentialId }, t.admin)).data.reissueCredential.code).toBe('INVALID_INPUT');
    });

    it('two admins reissuing the same revoked credential at once make one credential', async () => {
      const scene = await createScene(t);
      const escrowId = `esc_${randomUUID().slice(0, 8)}`;
      await recordEscrow(t, scene, escrowId, ['FUNDED', 'RELEASED', 'SETTLED']);
      const receiptId = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { escrowId }) })).data.submitReceipt.receipt.receiptId;
      const task = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId })).credential;
      const reputation = (await issue(t, newKey(), { type: 'REPUTATION', format: 'JSON_LD' })).credential;
      for (const credential of [task, reputation]) {
        await t.gql(REVOKE_CREDENTIAL, { id: credential.credentialId, reason: 'race' }, t.admin);
        const answers = await Promise.all([0, 1, 2].map(() => t.gql(REISSUE_CREDENTIAL, { id: credential.credentialId }, t.admin)));
        const kinds = answers.map((a) => a.data.reissueCredential.__typename ?? a.data.reissueCredential.code).sort();
        expect(kinds, credential.type).toEqual(['ConflictError', 'ConflictError', 'IssueCredentialPayload']);
        const rows = await db().selectFrom('credentials').select('id').where('reissue_of', '=', credential.credentialId).execute();
        expect(rows).toHaveLength(1);
      }
    });
  });

  describe('finding 17.7: reputation credential quota', () => {
    it('returns the live credential when nothing changed, refuses beyond the per-DID daily quota, and holds under concurrency', async () => {
      const scene = await createScene(t);
      const agent = scene.agent;
      const rows = async () => db().selectFrom('credentials').select('id').where('subject_did', '=', agent.did).where('type', '=', 'REPUTATION').execute();

      const racers = await Promise.all(Array.from({ length: 8 }, () => issue(t, agent, { type: 'REPUTATION', format: 'JWT' })));
      expect(new Set(racers.map((r) => r.credential.credentialId)).size).toBe(1);
      expect(await rows()).toHaveLength(1);

      // Another format is another credential (2 of 3); new history is a new report (3 of 3).
      expect((await issue(t, agent, { type: 'REPUTATION', format: 'JSON_LD' })).credential.format).toBe('JSON_LD');
      expect((await t.gql(SUBMIT, { receipt: signReceipt(t, scene) })).data.submitReceipt.duplicate).toBe(false);
      const third = (await issue(t, agent, { type: 'REPUTATION', format: 'JWT' })).credential;
      expect(third.credentialId).not.toBe(racers[0].credential.credentialId);
      // Asking again for unchanged numbers still answers, without minting.
      expect((await issue(t, agent, { type: 'REPUTATION', format: 'JWT' })).credential.credentialId).toBe(third.credentialId);

      expect((await t.gql(SUBMIT, { receipt: signReceipt(t, scene) })).data.submitReceipt.duplicate).toBe(false);
      const ISSUE_RATE_LIMITED = `mutation($input: IssueCredentialInput!) { issueCredential(input: $input) { __typename ... on RateLimitError { code retryAfterSeconds } } }`;
      const refused = (await t.gql(ISSUE_RATE_LIMITED, { input: { type: 'REPUTATION', format: 'JWT' } }, agent)).data.issueCredential;
      expect(refused).toMatchObject({ __typename: 'RateLimitError', code: 'RATE_LIMITED' });
      expect(refused.retryAfterSeconds).toBeGreaterThan(0);
      expect(await rows()).toHaveLength(3);

      // A day later the quota has room again.
      const start = t.now;
      t.setNow(new Date(start.getTime() + 24 * 3_600_000 + 1_000));
      try {
        expect((await issue(t, agent, { type: 'REPUTATION', format: 'JWT' })).__typename).toBe('IssueCredentialPayload');
      } finally {
        t.setNow(start);
      }
    });

    it('does not hand back a reputation credential an admin revoked', async () => {
      const agent = newKey();
      const first = (await issue(t, agent, { type: 'REPUTATION', format: 'JWT' })).credential;
      await t.gql(REVOKE_CREDENTIAL, { id: first.credentialId, reason: 'gamed' }, t.admin);
      expect(await issue(t, agent, { type: 'REPUTATION', format: 'JWT' })).toMatchObject({ code: 'FORBIDDEN' });
      const reissued = (await t.gql(REISSUE_CREDENTIAL, { id: first.credentialId }, t.admin)).data.reissueCredential;
      expect(reissued, JSON.stringify(reissued)).toMatchObject({ __typename: 'IssueCredentialPayload' });
      expect(reissued.credential).toMatchObject({ type: 'REPUTATION', format: 'JWT', subject: agent.did, revoked: false });
      expect((await issue(t, agent, { type: 'REPUTATION', format: 'JWT' })).credential.credentialId).toBe(reissued.credential.credentialId);
    });
  });

});
