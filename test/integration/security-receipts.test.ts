// Regression tests for the receipt and escrow findings of the security review: each test is
// named after the finding it closes and failed before the fix.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { didKeyFromPublicKey, encodeJws, privateKeyObject } from '../../src/crypto/ed25519.ts';
import { RECEIPT_TYPE, VC_V1_CONTEXT } from '../../src/receipts/receipt-verification.ts';
import { CREDENCE_RECEIPT_CONTEXT } from '../../src/client/signing.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { escrowVerifiedReceipt, issue } from '../helpers/credentials.ts';
import {
  cosignReceipt,
  createScene,
  receiptInput,
  RECORD,
  recordEscrow,
  registerPlatform,
  settlementInput,
  signReceipt,
  signSettlementEvent,
  SUBMIT,
  type Scene,
} from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp, type TestKey } from '../helpers/test-app.ts';

const REVOKE_RECEIPT = /* GraphQL */ `
  mutation($id: ID!, $reason: String!) {
    revokeReceipt(receiptId: $id, reason: $reason) {
      __typename
      ... on RevokeReceiptPayload { receipt { revoked revokedReason } }
      ... on Error { code message }
    }
  }
`;

const CHECK_TRUST = /* GraphQL */ `
  query($did: String!, $policy: TrustPolicyInput!) { checkTrust(did: $did, policy: $policy) { allowed reasons } }
`;

/** Signs an arbitrary receipt payload, for shapes the client helpers will not produce. */
function signRawReceipt(platform: TestKey, mutate: (payload: Record<string, any>) => void, t: TestApp, scene: Scene): string {
  const { subject, ...receipt } = receiptInput(scene, { actionCategory: 'productivity.completion', actionType: 'task_completed', value: null }, t.now);
  const payload: Record<string, any> = {
    iss: didKeyFromPublicKey(platform.publicKey),
    sub: subject,
    nbf: Math.floor(t.now.getTime() / 1000),
    jti: `urn:uuid:${randomUUID()}`,
    vc: {
      '@context': [VC_V1_CONTEXT, CREDENCE_RECEIPT_CONTEXT],
      type: ['VerifiableCredential', RECEIPT_TYPE],
      credentialSubject: { id: subject, receipt },
    },
  };
  mutate(payload);
  return encodeJws({ alg: 'EdDSA', typ: 'JWT' }, payload, privateKeyObject(platform));
}

describe.each(testDatabaseKinds)('receipt integrity on %s database', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const db = () => t.testDatabase.database.db;
  const countReceipts = async (subjectDid: string) =>
    Number((await db().selectFrom('receipts').select((eb) => eb.fn.countAll().as('n')).where('subject_did', '=', subjectDid).executeTakeFirstOrThrow()).n);
  const postReceipt = (body: unknown) =>
    t.fetch('/api/reputation/receipt', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  describe('finding 17.4: escrow value binding', () => {
    it('a 500 USD escrow does not make a receipt claiming 10,000,000 USD escrow-verified, and checkTrust does not count it', async () => {
      const scene = await createScene(t);
      await recordEscrow(t, scene, 'esc_inflated', ['FUNDED', 'RELEASED', 'SETTLED']);
      const inflated = signReceipt(t, scene, { escrowId: 'esc_inflated', value: { amount: '500.00', currency: 'USDC', usd: 10_000_000 } });
      const answer = (await t.gql(SUBMIT, { receipt: inflated })).data.submitReceipt;
      expect(answer).toMatchObject({ __typename: 'ConflictError', code: 'ESCROW_MISMATCH' });
      expect(answer.message).toMatch(/usd/i);
      expect(await countReceipts(scene.agent.did)).toBe(0);

      // More than a cent away is refused too; within a cent is the escrow's value, stored as the escrow recorded it.
      const offByTwoCents = signReceipt(t, scene, { escrowId: 'esc_inflated', value: { amount: '500.00', currency: 'USDC', usd: 500.02 } });
      expect((await t.gql(SUBMIT, { receipt: offByTwoCents })).data.submitReceipt.code).toBe('ESCROW_MISMATCH');
      const withinACent = signReceipt(t, scene, { escrowId: 'esc_inflated', value: { amount: '500.00', currency: 'USDC', usd: 500.01 } });
      const honest = (await t.gql(SUBMIT, { receipt: withinACent })).data.submitReceipt;
      expect(honest.receipt).toMatchObject({ confidence: 'ESCROW_VERIFIED', valueUsd: 500 });

      const check = await t.gql(CHECK_TRUST, { did: scene.agent.did, policy: { minVerifiedVolumeUsd: 1_000_000 } });
      expect(check.data.checkTrust.allowed).toBe(false);
      expect(check.data.checkTrust.reasons.join(' ')).toMatch(/verified/i);
    });

    it('refuses a later settlement event whose usd, amount, currency or job differs from the funded escrow', async () => {
      const scene = await createScene(t);
      await recordEscrow(t, scene, 'esc_terms', ['FUNDED']);
      const later = (overrides: Parameters<typeof settlementInput>[3]) =>
        signSettlementEvent(scene.platform, settlementInput(scene, 'esc_terms', 'RELEASED', { occurredAt: new Date(t.now.getTime() - 3_600_000).toISOString(), ...overrides }, t.now), { now: t.now });
      for (const overrides of [{ usd: 10_000_000 }, { usd: 500.02 }, { currency: 'USDT' }, { amount: '500.01' }, { jobId: 'job_other' }]) {
        const answer = (await t.gql(RECORD, { event: later(overrides) })).data.recordSettlement;
        expect(answer, JSON.stringify(overrides)).toMatchObject({ __typename: 'ConflictError', code: 'ESCROW_MISMATCH' });
      }
      const settlement = await t.app.services.settlements.find(scene.platform.did, 'esc_terms');
      expect(settlement).toMatchObject({ status: 'FUNDED', amount: '500.00', currency: 'USDC' });
      expect(Number(settlement!.value_usd)).toBe(500);
      expect((await t.app.services.settlements.events(scene.platform.did, 'esc_terms')).map((e) => e.status)).toEqual(['FUNDED']);
      // The same terms (the usd within a cent) move it on.
      expect((await t.gql(RECORD, { event: later({ usd: 500.004 }) })).data.recordSettlement.settlement.status).toBe('RELEASED');
    });

    it('holds in the database: settlement terms cannot change and an ESCROW_VERIFIED row must carry its escrow value', async () => {
      const scene = await createScene(t);
      await recordEscrow(t, scene, 'esc_db', ['FUNDED', 'RELEASED', 'SETTLED']);
      await expect(
        db().updateTable('settlements').set({ value_usd: 10_000_000 }).where('platform_did', '=', scene.platform.did).where('escrow_id', '=', 'esc_db').execute(),
      ).rejects.toThrow(/terms/);
      const stored = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { escrowId: 'esc_db' }) })).data.submitReceipt.receipt;
      await expect(
        db().updateTable('receipts').set({ value_usd: 10_000_000 }).where('receipt_id', '=', stored.receiptId).execute(),
      ).rejects.toThrow(/escrow/);
    });
  });

  describe('finding 17.5: suspended platforms cannot revoke', () => {
    it('a suspended platform cannot revoke its receipts (PLATFORM_NOT_APPROVED); the receipt and its credential stand; an admin still can', async () => {
      const scene = await createScene(t);
      const receiptId = await escrowVerifiedReceipt(t, scene);
      const credential = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId })).credential;
      await t.gql(`mutation { suspendPlatform(did: "${scene.platform.did}", reason: "key leaked") { __typename } }`, {}, t.admin);

      const refused = (await t.gql(REVOKE_RECEIPT, { id: receiptId, reason: 'erase history' }, scene.platform)).data.revokeReceipt;
      expect(refused).toMatchObject({ __typename: 'PlatformError', code: 'PLATFORM_NOT_APPROVED' });
      const [receipt] = await t.app.services.receipts.findByIds([receiptId]);
      expect(receipt!.revoked_at).toBeNull();
      const [row] = await t.app.services.credentials.findByIds([credential.credentialId]);
      expect(row!.revoked_at).toBeNull();

      const byAdmin = (await t.gql(REVOKE_RECEIPT, { id: receiptId, reason: 'fraud' }, t.admin)).data.revokeReceipt;
      expect(byAdmin.receipt).toEqual({ revoked: true, revokedReason: 'fraud' });
    });

    it('a pending platform cannot revoke either', async () => {
      const scene = await createScene(t);
      const stored = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene) })).data.submitReceipt.receipt;
      await db().updateTable('platforms').set({ status: 'PENDING' }).where('did', '=', scene.platform.did).execute();
      const refused = (await t.gql(REVOKE_RECEIPT, { id: stored.receiptId, reason: 'x' }, scene.platform)).data.revokeReceipt;
      expect(refused.code).toBe('PLATFORM_NOT_APPROVED');
      expect((await t.app.services.receipts.findByIds([stored.receiptId]))[0]!.revoked_at).toBeNull();
    });
  });

  describe('finding 17.9: co-signatures and signature encodings', () => {
    it('a resubmitted receipt keeps the co-signature it brings instead of dropping it', async () => {
      const scene = await createScene(t);
      const jwt = signReceipt(t, scene);
      expect((await t.gql(SUBMIT, { receipt: jwt })).data.submitReceipt.receipt.confidence).toBe('PLATFORM_SIGNED');
      const cosignature = cosignReceipt(scene.buyer, jwt, { now: t.now });
      const again = (await t.gql(SUBMIT, { receipt: jwt, cosignatures: [cosignature] })).data.submitReceipt;
      expect(again).toMatchObject({ duplicate: true, receipt: { confidence: 'COUNTERPARTY_SIGNED' } });
      const [row] = await t.app.services.receipts.findByIds([again.receipt.receiptId]);
      expect(row!.cosignatures).toEqual([cosignature]);

      // A later, different co-signature by the same counterparty adds nothing; a bad one is still refused.
      const later = cosignReceipt(scene.buyer, jwt, { now: new Date(t.now.getTime() + 1_000) });
      expect((await t.gql(SUBMIT, { receipt: jwt, cosignatures: [later] })).data.submitReceipt).toMatchObject({ duplicate: true });
      expect((await t.app.services.receipts.findByIds([row!.receipt_id]))[0]!.cosignatures).toEqual([cosignature]);
      expect((await t.gql(SUBMIT, { receipt: jwt, cosignatures: [cosignReceipt(newKey(), jwt, { now: t.now })] })).data.submitReceipt.code).toBe('INVALID_SIGNATURE');

      // Also through REST, and also racing: one co-signature is stored.
      const other = signReceipt(t, scene);
      await postReceipt({ receipt: other });
      const cos = cosignReceipt(scene.buyer, other, { now: t.now });
      const answers = await Promise.all(Array.from({ length: 6 }, () => postReceipt({ receipt: other, cosignatures: [cos] }).then((r) => r.json() as any)));
      expect(answers.every((a) => a.success && a.duplicate && a.confidence === 'COUNTERPARTY_SIGNED')).toBe(true);
      const [otherRow] = await t.app.services.receipts.findByIds([answers[0].receiptId]);
      expect(otherRow!.cosignatures).toEqual([cos]);
    });

    it('a platform naming itself as counterparty cannot co-sign its own receipt', async () => {
      const scene = await createScene(t);
      const selfish = signReceipt(t, scene, { counterparty: scene.platform.did });
      const answer = (await t.gql(SUBMIT, { receipt: selfish, cosignatures: [cosignReceipt(scene.platform, selfish, { now: t.now })] })).data.submitReceipt;
      expect(answer).toMatchObject({ __typename: 'ConflictError', code: 'SELF_DEALING' });
      // Not even where it may report as itself (a verification it made), nor by resubmitting with the co-signature.
      const verification = signReceipt(t, scene, { counterparty: scene.platform.did, actionCategory: 'identity.verification', actionType: 'kyc_passed', value: null });
      const cosigned = (await t.gql(SUBMIT, { receipt: verification, cosignatures: [cosignReceipt(scene.platform, verification, { now: t.now })] })).data.submitReceipt;
      expect(cosigned).toMatchObject({ __typename: 'ConflictError', code: 'SELF_DEALING' });
      expect(await countReceipts(scene.agent.did)).toBe(0);
      expect((await t.gql(SUBMIT, { receipt: verification })).data.submitReceipt.receipt.confidence).toBe('PLATFORM_SIGNED');
      const again = (await t.gql(SUBMIT, { receipt: verification, cosignatures: [cosignReceipt(scene.platform, verification, { now: t.now })] })).data.submitReceipt;
      expect(again.code).toBe('SELF_DEALING');
      const [row] = await db().selectFrom('receipts').selectAll().where('subject_did', '=', scene.agent.did).execute();
      expect(row).toMatchObject({ confidence: 'PLATFORM_SIGNED', cosignatures: [] });
      await expect(db().updateTable('receipts').set({ confidence: 'COUNTERPARTY_SIGNED' }).where('receipt_id', '=', row!.receipt_id).execute()).rejects.toThrow(/counterparty/);
    });

    it('another encoding of the same signature neither stores nor blocks the genuine receipt', async () => {
      const scene = await createScene(t);
      const jwt = signReceipt(t, scene);
      const [header, payload, signature] = jwt.split('.') as [string, string, string];
      // 64 bytes are 86 base64url characters; the last one carries 4 unused bits. Flipping them decodes the same.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(signature.at(-1)!);
      const variant = `${header}.${payload}.${signature.slice(0, -1)}${alphabet[last ^ 1]}`;
      expect(Buffer.from(variant.split('.')[2]!, 'base64url').equals(Buffer.from(signature, 'base64url'))).toBe(true);
      expect((await t.gql(SUBMIT, { receipt: variant })).data.submitReceipt.code).toBe('INVALID_SIGNATURE');
      expect((await t.gql(SUBMIT, { receipt: jwt })).data.submitReceipt).toMatchObject({ duplicate: false });
    });
  });

  describe('finding 19.4: loose receipt shapes', () => {
    it('refuses a platform naming itself as the receipt counterparty, as for the subject, except where it reports as itself', async () => {
      const scene = await createScene(t);
      const answer = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { counterparty: scene.platform.did }) })).data.submitReceipt;
      expect(answer).toMatchObject({ __typename: 'ConflictError', code: 'SELF_DEALING' });
      for (const [actionCategory, actionType] of [['productivity.completion', 'task_completed'], ['social.endorsement', 'endorsed']] as const) {
        const other = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { counterparty: scene.platform.did, actionCategory, actionType, value: null }) })).data.submitReceipt;
        expect(other, actionCategory).toMatchObject({ __typename: 'ConflictError', code: 'SELF_DEALING' });
      }
      const rest = await postReceipt({ receipt: signReceipt(t, scene, { counterparty: scene.platform.did }) });
      expect(rest.status).toBe(400);
      expect(await rest.json()).toMatchObject({ success: false, code: 'SELF_DEALING' });
      expect(await countReceipts(scene.agent.did)).toBe(0);
      // The database refuses it too.
      await expect(
        db().insertInto('receipts').values({
          receipt_id: randomUUID(), subject_did: scene.agent.did, counterparty_did: scene.platform.did, platform_did: scene.platform.did,
          action_category: 'productivity.completion', action_type: 'task_completed', outcome: 'accepted', confidence: 'PLATFORM_SIGNED',
          occurred_at: t.now, received_at: t.now, content_hash: 'x', jwt: 'x',
        }).execute(),
      ).rejects.toThrow(/counterparty/);

      // A platform acting as itself (docs/trust-model.md §5): its identity verifications and the violations it saw.
      for (const [actionCategory, actionType, outcome] of [['identity.verification', 'kyc_passed', 'accepted'], ['compliance.violation', 'tos_breach', 'disputed']] as const) {
        const own = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { counterparty: scene.platform.did, actionCategory, actionType, outcome, value: null }) })).data.submitReceipt;
        expect(own, actionCategory).toMatchObject({ __typename: 'SubmitReceiptPayload', receipt: { confidence: 'PLATFORM_SIGNED', counterparty: scene.platform.did } });
      }
      expect(await countReceipts(scene.agent.did)).toBe(2);
    });

    it('refuses unknown top-level keys in a receipt payload as strictly as unknown claim keys', async () => {
      const scene = await createScene(t);
      const cases: Array<[string, (payload: Record<string, any>) => void]> = [
        ['top level', (p) => { p.admin = true; }],
        ['vc', (p) => { p.vc.evidence = [{ id: 'https://example.com' }]; }],
        ['claim', (p) => { p.vc.credentialSubject.receipt.bonus = 1; }],
      ];
      for (const [where, mutate] of cases) {
        const answer = (await t.gql(SUBMIT, { receipt: signRawReceipt(scene.platform, mutate, t, scene) })).data.submitReceipt;
        expect(answer, where).toMatchObject({ __typename: 'InputError', code: 'INVALID_INPUT' });
      }
      // The JWT claims a standard library adds (iat) are still fine.
      const withIat = signRawReceipt(scene.platform, (p) => { p.iat = p.nbf; }, t, scene);
      expect((await t.gql(SUBMIT, { receipt: withIat })).data.submitReceipt.__typename).toBe('SubmitReceiptPayload');
      expect(await countReceipts(scene.agent.did)).toBe(1);
    });
  });

  it('other platforms are unaffected: a second approved platform still revokes its own receipts', async () => {
    const scene = await createScene(t);
    const other = newKey();
    await registerPlatform(t, other);
    const stored = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene, {}, other) })).data.submitReceipt.receipt;
    expect((await t.gql(REVOKE_RECEIPT, { id: stored.receiptId, reason: 'mistake' }, other)).data.revokeReceipt.receipt.revoked).toBe(true);
  });
});
