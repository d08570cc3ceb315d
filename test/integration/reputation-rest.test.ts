// The reference-compatible REST API under /api/reputation/: every route against the seed's documented shapes (ajv
// schemas in test/fixtures), the same numbers as GraphQL for the same agent, and the error envelope with its status
// for each failure class, leaving stored data untouched.
import { randomUUID } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTaskReceipt } from '../../src/client/signing.ts';
import { formatReputationDelta } from '../../src/rest/reputation-shapes.ts';
import {
  CREDENTIAL_SCHEMA,
  CREDENTIALS_SCHEMA,
  ERROR_SCHEMA,
  RECEIPT_SUBMITTED_SCHEMA,
  RECEIPTS_SCHEMA,
  REPUTATION_SCHEMA,
  REVOCATION_LIST_SCHEMA,
  VERIFY_SCHEMA,
} from '../fixtures/reputation-api.schemas.ts';
import { issue, VERIFY } from '../helpers/credentials.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createScene, receiptInput, recordEscrow, registerPlatform, signReceipt, SUBMIT, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats.default(ajv);

function conforms(schema: object, body: unknown): void {
  const validate: ValidateFunction = ajv.compile(schema);
  const ok = validate(body);
  expect(ok, JSON.stringify(validate.errors)).toBe(true);
}

const DAY = 86_400_000;

const TRUST = /* GraphQL */ `
  query($did: String!) {
    trust(did: $did) {
      did asOf score tier confidence
      vector { E P B D R A C }
      windows {
        d7 { tasks accepted disputed refunded acceptedRate disputeRate volumeUsd avgValueUsd uniqueCounterparties escrowVerifiedShare verifiedVolumeUsd }
        d30 { tasks accepted disputed refunded acceptedRate disputeRate volumeUsd avgValueUsd uniqueCounterparties escrowVerifiedShare verifiedVolumeUsd }
        d90 { tasks accepted disputed refunded acceptedRate disputeRate volumeUsd avgValueUsd uniqueCounterparties escrowVerifiedShare verifiedVolumeUsd }
        lifetime { tasks accepted disputed refunded acceptedRate disputeRate volumeUsd avgValueUsd uniqueCounterparties escrowVerifiedShare verifiedVolumeUsd }
      }
      flags { code detail }
    }
  }
`;

const RECEIPTS = /* GraphQL */ `
  query($did: String!) {
    receipts(did: $did, first: 100) {
      edges { node { receiptId subject counterparty platform taskId actionCategory actionType outcome amount currency valueUsd escrowId confidence occurredAt receivedAt revoked revokedReason } }
    }
  }
`;

const CREDENTIALS = /* GraphQL */ `
  query($did: String!) {
    credentials(did: $did, first: 100) { edges { node { credentialId type format subject issuer issuedAt expiresAt revoked revokedAt } } }
  }
`;

const RECEIPT = /* GraphQL */ `
  query($id: ID!) { receipt(receiptId: $id) { receiptId outcome valueUsd confidence jwt revoked } }
`;

async function json(response: Response): Promise<any> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return response.json();
}

function windowFromGraphQL(w: any) {
  return {
    task_count: w.tasks,
    accepted_count: w.accepted,
    disputed_count: w.disputed,
    refunded_count: w.refunded,
    accepted_rate: w.acceptedRate,
    dispute_rate: w.disputeRate,
    total_volume: w.volumeUsd,
    avg_task_value: w.avgValueUsd,
    unique_buyers: w.uniqueCounterparties,
    escrow_verified_share: w.escrowVerifiedShare,
    verified_volume: w.verifiedVolumeUsd,
  };
}

describe.each(testDatabaseKinds)('the reference REST API on %s database', (kind) => {
  let t: TestApp;
  let scene: Scene;
  const receiptIds: string[] = [];
  let taskCredentialId: string;
  let taskCredentialJwt: string;
  let reputationCredentialId: string;
  let revokedCredentialId: string;

  const get = (path: string, init?: RequestInit) => t.fetch(`/api/reputation/${path}`, init);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    t.fetch(`/api/reputation/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  async function expectError(response: Response, status: number, code: string): Promise<any> {
    expect(response.status).toBe(status);
    const body = await json(response);
    conforms(ERROR_SCHEMA, body);
    expect(body.code).toBe(code);
    return body;
  }

  /** An escrow-verified receipt JWT for a fresh buyer (the escrow recorded, the receipt not yet submitted). */
  async function settledJob(occurredAt: string, receiptId?: string) {
    const buyer = newKey();
    const job = { ...scene, buyer };
    const escrowId = `esc_${randomUUID().slice(0, 8)}`;
    await recordEscrow(t, job, escrowId, ['FUNDED', 'RELEASED', 'SETTLED'], { occurredAt });
    return signReceipt(t, job, { escrowId, occurredAt }, scene.platform, receiptId);
  }

  beforeAll(async () => {
    t = await createTestApp(kind);
    scene = await createScene(t);
    // Three escrow-verified jobs from three buyers (1, 10 and 40 days ago), one disputed job without escrow.
    for (const age of [1, 10, 40]) {
      const jwt = await settledJob(new Date(t.now.getTime() - age * DAY).toISOString());
      const submitted = (await t.gql(SUBMIT, { receipt: jwt })).data.submitReceipt;
      if (submitted.receipt?.confidence !== 'ESCROW_VERIFIED') throw new Error(JSON.stringify(submitted));
      receiptIds.push(submitted.receipt.receiptId);
    }
    const disputed = signReceipt(t, { ...scene, buyer: newKey() }, { outcome: 'disputed', occurredAt: new Date(t.now.getTime() - 5 * DAY).toISOString() });
    const submittedDispute = (await t.gql(SUBMIT, { receipt: disputed })).data.submitReceipt;
    if (submittedDispute.__typename !== 'SubmitReceiptPayload') throw new Error(JSON.stringify(submittedDispute));
    receiptIds.push(submittedDispute.receipt.receiptId);

    const task = await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId: receiptIds[0] });
    taskCredentialId = task.credential.credentialId;
    taskCredentialJwt = task.credential.encoded;
    const reputation = await issue(t, scene.agent, { type: 'REPUTATION', format: 'JSON_LD' });
    reputationCredentialId = reputation.credential.credentialId;
    const revoked = await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId: receiptIds[1] });
    revokedCredentialId = revoked.credential.credentialId;
    const revocation = await t.gql(
      `mutation($id: ID!) { revokeCredential(id: $id, reason: "issued in error") { __typename } }`,
      { id: revokedCredentialId },
      t.admin,
    );
    if (revocation.data.revokeCredential.__typename !== 'RevokeCredentialPayload') throw new Error(JSON.stringify(revocation));
  });
  afterAll(async () => {
    await t.close();
  });

  describe('GET agent/:did/reputation', () => {
    it('answers the Phase 1 and Phase 2 fields of the seed with the numbers GraphQL gives', async () => {
      const response = await get(`agent/${encodeURIComponent(scene.agent.did)}/reputation`);
      expect(response.status).toBe(200);
      const body = await json(response);
      conforms(REPUTATION_SCHEMA, body);

      const trust = (await t.gql(TRUST, { did: scene.agent.did })).data.trust;
      expect(body.did).toBe(scene.agent.did);
      expect(body.score).toBe(trust.score);
      expect(body.tier).toBe(trust.tier);
      expect(body.confidence).toBe(trust.confidence);
      expect(body.totalTasks).toBe(trust.windows.lifetime.tasks);
      expect(body.successRate).toBe(trust.windows.lifetime.acceptedRate);
      expect(body.trust_vector).toEqual(trust.vector);
      expect(body.computed_at).toBe(trust.asOf);
      expect(body.reputation.windows).toEqual({
        last_7_days: windowFromGraphQL(trust.windows.d7),
        last_30_days: windowFromGraphQL(trust.windows.d30),
        last_90_days: windowFromGraphQL(trust.windows.d90),
        all_time: windowFromGraphQL(trust.windows.lifetime),
      });
      expect(body.reputation.anti_gaming.adjusted_weight).toBeCloseTo(1 + trust.vector.A, 4);

      // The agent's own history, as set up: 4 economic receipts, 3 accepted, 2 live credentials (one revoked).
      expect(body.totalTasks).toBe(4);
      expect(body.successRate).toBe(0.75);
      expect(body.reputation.windows.last_7_days.task_count).toBe(2);
      expect(body.reputation.windows.all_time.unique_buyers).toBe(4);
      expect(body.credentials).toBe(2);
      expect(body.lastActive).toBe(new Date(t.now.getTime() - 1 * DAY).toISOString());
    });

    it('takes the DID unencoded in the path too', async () => {
      const body = await json(await get(`agent/${scene.agent.did}/reputation`));
      expect(body.did).toBe(scene.agent.did);
    });

    it('answers an unknown DID with an empty history (as GraphQL: tier F, no tasks)', async () => {
      const stranger = newKey().did;
      const response = await get(`agent/${stranger}/reputation`);
      expect(response.status).toBe(200);
      const body = await json(response);
      conforms(REPUTATION_SCHEMA, body);
      expect(body).toMatchObject({ did: stranger, totalTasks: 0, successRate: 0, credentials: 0, lastActive: null, tier: 'F' });
    });

    it('refuses what is not a DID with 400 INVALID_INPUT', async () => {
      const body = await expectError(await get('agent/not-a-did/reputation'), 400, 'INVALID_INPUT');
      expect(body.field).toBe('did');
      await expectError(await get('agent/%E0%A4%A/reputation'), 400, 'INVALID_INPUT');
    });
  });

  describe('GET receipts?did=', () => {
    it('lists the receipts newest first in the seed shape, as GraphQL has them', async () => {
      const response = await get(`receipts?did=${encodeURIComponent(scene.agent.did)}`);
      expect(response.status).toBe(200);
      const body = await json(response);
      conforms(RECEIPTS_SCHEMA, body);
      expect(body).toMatchObject({ total: 4, limit: 20, offset: 0 });

      const nodes = (await t.gql(RECEIPTS, { did: scene.agent.did })).data.receipts.edges.map((edge: any) => edge.node);
      expect(body.receipts.map((r: any) => r.receipt_id)).toEqual(nodes.map((n: any) => n.receiptId));
      for (const [index, node] of nodes.entries()) {
        expect(body.receipts[index]).toMatchObject({
          receipt_id: node.receiptId,
          task_id: node.taskId,
          agent_did: node.subject,
          buyer_did: node.counterparty,
          platform_did: node.platform,
          amount: Number(node.amount),
          currency: node.currency,
          amount_usd: node.valueUsd,
          outcome: node.outcome,
          category: node.actionCategory,
          action_category: node.actionCategory,
          action_type: node.actionType,
          escrow_id: node.escrowId,
          confidence: node.confidence,
          revoked: node.revoked,
          occurred_at: node.occurredAt,
          created_at: node.receivedAt,
        });
      }
    });

    it('pages with limit and offset', async () => {
      const all = (await json(await get(`receipts?did=${scene.agent.did}`))).receipts.map((r: any) => r.receipt_id);
      const first = await json(await get(`receipts?did=${scene.agent.did}&limit=3`));
      const second = await json(await get(`receipts?did=${scene.agent.did}&limit=3&offset=3`));
      conforms(RECEIPTS_SCHEMA, second);
      expect(first).toMatchObject({ total: 4, limit: 3, offset: 0 });
      expect(second).toMatchObject({ total: 4, limit: 3, offset: 3 });
      expect([...first.receipts, ...second.receipts].map((r: any) => r.receipt_id)).toEqual(all);
    });

    it('refuses a missing DID and bad paging with 400', async () => {
      await expectError(await get('receipts'), 400, 'INVALID_INPUT');
      await expectError(await get('receipts?did=nope'), 400, 'INVALID_INPUT');
      expect((await expectError(await get(`receipts?did=${scene.agent.did}&limit=0`), 400, 'INVALID_INPUT')).field).toBe('limit');
      expect((await expectError(await get(`receipts?did=${scene.agent.did}&limit=101`), 400, 'INVALID_INPUT')).field).toBe('limit');
      expect((await expectError(await get(`receipts?did=${scene.agent.did}&offset=-1`), 400, 'INVALID_INPUT')).field).toBe('offset');
      await expectError(await get(`receipts?did=${scene.agent.did}&limit=abc`), 400, 'INVALID_INPUT');
    });
  });

  describe('GET credentials?did= and credential/:id', () => {
    it('lists the credentials issued to a DID, as GraphQL has them', async () => {
      const body = await json(await get(`credentials?did=${scene.agent.did}`));
      conforms(CREDENTIALS_SCHEMA, body);
      const nodes = (await t.gql(CREDENTIALS, { did: scene.agent.did })).data.credentials.edges.map((edge: any) => edge.node);
      expect(body.total).toBe(3);
      expect(body.credentials.map((c: any) => c.id)).toEqual(nodes.map((n: any) => n.credentialId));
      for (const [index, node] of nodes.entries()) {
        expect(body.credentials[index]).toMatchObject({
          id: node.credentialId,
          credential_type: node.type === 'TASK_COMPLETION' ? 'TaskCompletionCredential' : 'ReputationCredential',
          issuer_did: node.issuer,
          subject_did: node.subject,
          format: node.format,
          revoked: node.revoked,
          issued_at: node.issuedAt,
          expires_at: node.expiresAt,
          revoked_at: node.revokedAt,
        });
      }
      expect(body.credentials.find((c: any) => c.id === revokedCredentialId).revoked).toBe(true);
    });

    it('serves one credential in the seed shape, JWT and JSON-LD', async () => {
      const jwt = await json(await get(`credential/${encodeURIComponent(taskCredentialId)}`));
      conforms(CREDENTIAL_SCHEMA, jwt);
      expect(jwt.credential).toMatchObject({
        id: taskCredentialId,
        type: 'TaskCompletionCredential',
        issuer: t.app.serviceDid,
        subject: scene.agent.did,
        format: 'JWT',
        revoked: false,
        proof: { type: 'JwtProof2020', jwt: taskCredentialJwt },
        encoded: taskCredentialJwt,
      });

      const jsonLd = await json(await get(`credential/${reputationCredentialId}`));
      conforms(CREDENTIAL_SCHEMA, jsonLd);
      expect(jsonLd.credential).toMatchObject({ id: reputationCredentialId, type: 'ReputationCredential', format: 'JSON_LD' });
      expect(jsonLd.credential.proof.type).toBe('Ed25519Signature2020');
      expect(jsonLd.credential.encoded.id).toBe(reputationCredentialId);
      expect(jsonLd.credential.expirationDate).not.toBeNull();

      // The bare UUID works as well.
      const bare = await json(await get(`credential/${reputationCredentialId.slice('urn:uuid:'.length)}`));
      expect(bare.credential.id).toBe(reputationCredentialId);
    });

    it('answers 404 for an unknown credential and 400 for what cannot be an id', async () => {
      await expectError(await get(`credential/urn:uuid:${randomUUID()}`), 404, 'NOT_FOUND');
      await expectError(await get('credential/cred_ghi789'), 400, 'INVALID_INPUT');
      await expectError(await get(`credentials?did=did:web:example.com`), 400, 'INVALID_INPUT');
    });
  });

  describe('POST verify', () => {
    it('verifies a stored credential by id, and one sent whole, with the verdict GraphQL gives', async () => {
      const byId = await json(await post('verify', { credentialId: taskCredentialId }));
      conforms(VERIFY_SCHEMA, byId);
      const graphql = (await t.gql(VERIFY, { credential: taskCredentialJwt })).data.verifyCredential;
      expect(byId).toMatchObject({
        valid: true,
        revoked: false,
        issuer: graphql.issuer,
        expiresAt: null,
        credentialId: graphql.credentialId,
        subject: graphql.subject,
        types: graphql.types,
        issuedByService: true,
        errors: [],
      });
      expect(graphql.valid).toBe(true);

      const whole = await json(await post('verify', { credential: taskCredentialJwt }));
      expect(whole).toEqual(byId);

      const document = (await json(await get(`credential/${reputationCredentialId}`))).credential.encoded;
      const jsonLd = await json(await post('verify', { credential: document }));
      conforms(VERIFY_SCHEMA, jsonLd);
      expect(jsonLd).toMatchObject({ valid: true, revoked: false, format: 'JSON_LD' });
      expect(jsonLd.expiresAt).toBe(new Date(document.validUntil).toISOString());
    });

    it('reports a revoked credential as invalid and revoked, and a tampered one as invalid', async () => {
      const revoked = await json(await post('verify', { credentialId: revokedCredentialId }));
      conforms(VERIFY_SCHEMA, revoked);
      expect(revoked).toMatchObject({ valid: false, revoked: true });

      const [header, payload, signature] = taskCredentialJwt.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
      claims.sub = newKey().did;
      const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
      const verdict = await json(await post('verify', { credential: forged }));
      expect(verdict.valid).toBe(false);
      expect(verdict.errors.length).toBeGreaterThan(0);
    });

    it('answers bad requests with 400 and an unknown id with 404', async () => {
      await expectError(await post('verify', {}), 400, 'INVALID_INPUT');
      await expectError(await post('verify', { credentialId: taskCredentialId, credential: taskCredentialJwt }), 400, 'INVALID_INPUT');
      await expectError(await post('verify', '{"credentialId": '), 400, 'INVALID_INPUT');
      await expectError(await post('verify', '[1, 2]'), 400, 'INVALID_INPUT');
      await expectError(await post('verify', { credentialId: 'nope' }), 400, 'INVALID_INPUT');
      await expectError(await post('verify', { credentialId: `urn:uuid:${randomUUID()}` }), 404, 'NOT_FOUND');
    });
  });

  describe('GET revocation-list', () => {
    it('lists the revocations with reasons, as GraphQL does', async () => {
      const body = await json(await get('revocation-list'));
      conforms(REVOCATION_LIST_SCHEMA, body);
      const graphql = (await t.gql('{ revocationList { revoked { credentialId reason revokedAt } updatedAt statusListCredentialUrl } }')).data
        .revocationList;
      expect(body.revocations).toEqual(graphql.revoked);
      expect(body.revocations).toEqual([{ credentialId: revokedCredentialId, reason: 'issued in error', revokedAt: t.now.toISOString() }]);
      expect(body.updatedAt).toBe(graphql.updatedAt);
      expect(body.statusListCredentialUrl).toBe(graphql.statusListCredentialUrl);
    });

    it('answers 404 for a list that does not exist', async () => {
      await expectError(await get('revocation-list?listId=99'), 404, 'NOT_FOUND');
      await expectError(await get('revocation-list?listId=x'), 400, 'INVALID_INPUT');
    });
  });

  describe('GET badge/:did', () => {
    it('draws the acceptance rate and task count as an SVG, cached by ETag', async () => {
      const response = await get(`badge/${scene.agent.did}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      const svg = await response.text();
      expect(svg).toMatch(/^<svg /);
      expect(svg).toContain('reputation');
      expect(svg).toContain('75% \u00b7 4 tasks');
      const etag = response.headers.get('etag')!;
      const again = await get(`badge/${scene.agent.did}`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      // `.svg` may be appended, as image hosts like.
      expect(await (await get(`badge/${scene.agent.did}.svg`)).text()).toBe(svg);
    });

    it('says no data for an unknown DID and invalid did (400) for garbage', async () => {
      expect(await (await get(`badge/${newKey().did}`)).text()).toContain('no data');
      const bad = await get('badge/garbage');
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('invalid did');
    });
  });

  describe('POST receipt', () => {
    it('stores a signed receipt, issues its task credential and answers the real reputation delta', async () => {
      const jwt = await settledJob(new Date(t.now.getTime() - 2 * DAY).toISOString());
      const before = (await t.gql(TRUST, { did: scene.agent.did })).data.trust;
      const response = await post('receipt', { receipt: jwt });
      expect(response.status).toBe(201);
      const body = await json(response);
      conforms(RECEIPT_SUBMITTED_SCHEMA, body);
      const after = (await t.gql(TRUST, { did: scene.agent.did })).data.trust;
      expect(after.windows.lifetime.tasks).toBe(before.windows.lifetime.tasks + 1);
      expect(body.reputationDelta).toBe(formatReputationDelta(before.score, after.score));
      expect(body).toMatchObject({ duplicate: false, confidence: 'ESCROW_VERIFIED', score: after.score, tier: after.tier });

      const stored = (await t.gql(RECEIPT, { id: body.receiptId })).data.receipt;
      expect(stored).toMatchObject({ receiptId: body.receiptId, confidence: 'ESCROW_VERIFIED', jwt });
      // The task credential the reference issues per settled task, JSON-LD (Ed25519Signature2020) as in the seed.
      const credential = (await json(await get(`credential/${body.credentialId}`))).credential;
      expect(credential).toMatchObject({ type: 'TaskCompletionCredential', subject: scene.agent.did, format: 'JSON_LD' });
      expect(credential.proof.type).toBe('Ed25519Signature2020');
      expect((await json(await post('verify', { credentialId: body.credentialId }))).valid).toBe(true);

      // A replay is the duplicate GraphQL would report: the same receipt and credential, nothing new.
      const replay = await post('receipt', { receipt: jwt });
      expect(replay.status).toBe(200);
      expect(await json(replay)).toMatchObject({ receiptId: body.receiptId, credentialId: body.credentialId, duplicate: true, reputationDelta: '+0.00' });
      expect((await t.gql(SUBMIT, { receipt: jwt })).data.submitReceipt).toMatchObject({ duplicate: true, receipt: { receiptId: body.receiptId } });
      const credentials = (await json(await get(`credentials?did=${scene.agent.did}&limit=100`))).credentials;
      expect(credentials.filter((c: any) => c.receipt_id === body.receiptId)).toHaveLength(1);
    });

    it('answers the score change a receipt causes: a dispute costs points', async () => {
      const before = (await t.gql(TRUST, { did: scene.agent.did })).data.trust;
      const jwt = signReceipt(t, { ...scene, buyer: newKey() }, { outcome: 'disputed', occurredAt: new Date(t.now.getTime() - DAY).toISOString() });
      const response = await post('receipt', { receipt: jwt });
      expect(response.status).toBe(201);
      const body = await json(response);
      const after = (await t.gql(TRUST, { did: scene.agent.did })).data.trust;
      expect(after.score).toBeLessThan(before.score);
      expect(body.reputationDelta).toBe(formatReputationDelta(before.score, after.score));
      expect(body.reputationDelta).toMatch(/^-[0-9]+\.[0-9]{2}$/);
      expect(Number(body.reputationDelta)).toBeCloseTo(after.score - before.score, 2);
      expect(body).toMatchObject({ credentialId: null, confidence: 'PLATFORM_SIGNED', score: after.score });
    });

    it('answers a receipt without escrow with credentialId null, and takes co-signatures', async () => {
      const buyer = newKey();
      const jwt = signReceipt(t, { ...scene, buyer }, { actionCategory: 'productivity.completion', actionType: 'code_review', value: undefined });
      const { cosignReceipt } = await import('../../src/client/signing.ts');
      const response = await post('receipt', { receipt: jwt, cosignatures: [cosignReceipt(buyer, jwt, { now: t.now })] });
      expect(response.status).toBe(201);
      const body = await json(response);
      conforms(RECEIPT_SUBMITTED_SCHEMA, body);
      expect(body).toMatchObject({ credentialId: null, confidence: 'COUNTERPARTY_SIGNED' });
    });

    it('refuses the same receipt id with other content with 409 RECEIPT_CONFLICT, as GraphQL does, and keeps the first', async () => {
      const receiptId = randomUUID();
      const completion = { actionCategory: 'productivity.completion', actionType: 'code_review', value: undefined } as const;
      const first = signReceipt(t, { ...scene, buyer: newKey() }, { ...completion, outcome: 'accepted' }, scene.platform, receiptId);
      expect((await post('receipt', { receipt: first })).status).toBe(201);
      const other = signReceipt(t, { ...scene, buyer: newKey() }, { ...completion, outcome: 'rejected' }, scene.platform, receiptId);
      await expectError(await post('receipt', { receipt: other }), 409, 'RECEIPT_CONFLICT');
      expect((await t.gql(SUBMIT, { receipt: other })).data.submitReceipt.code).toBe('RECEIPT_CONFLICT');
      expect((await t.gql(RECEIPT, { id: receiptId })).data.receipt).toMatchObject({ outcome: 'accepted', jwt: first });
    });

    it('answers a forged signature with 401 INVALID_SIGNATURE and stores nothing', async () => {
      const receiptId = randomUUID();
      const jwt = signReceipt(t, scene, {}, scene.platform, receiptId);
      const [header, payload] = jwt.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
      claims.vc.credentialSubject.receipt.value.usd = 50_000;
      const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${jwt.split('.')[2]}`;
      await expectError(await post('receipt', { receipt: forged }), 401, 'INVALID_SIGNATURE');
      expect((await t.gql(SUBMIT, { receipt: forged })).data.submitReceipt.code).toBe('INVALID_SIGNATURE');
      expect((await t.gql(RECEIPT, { id: receiptId })).data.receipt).toBeNull();
      // What is not a JWS at all is the same failure to GraphQL: the signature cannot be checked.
      await expectError(await post('receipt', { receipt: 'not.a.jwt' }), 401, 'INVALID_SIGNATURE');
    });

    it('answers an unknown platform with 401 and an unapproved one with 403', async () => {
      const stranger = newKey();
      const unknown = signTaskReceipt(stranger, receiptInput(scene, {}, t.now), { now: t.now });
      await expectError(await post('receipt', { receipt: unknown }), 401, 'UNKNOWN_PLATFORM');
      const pending = newKey();
      await registerPlatform(t, pending, false);
      const unapproved = signTaskReceipt(pending, receiptInput(scene, {}, t.now), { now: t.now });
      await expectError(await post('receipt', { receipt: unapproved }), 403, 'PLATFORM_NOT_APPROVED');
    });

    it('answers malformed input with 400 and stores nothing', async () => {
      const count = async () => (await json(await get(`receipts?did=${scene.agent.did}`))).total;
      const before = await count();
      await expectError(await post('receipt', '{"receipt": "abc'), 400, 'INVALID_INPUT');
      await expectError(await post('receipt', ''), 400, 'INVALID_INPUT');
      expect((await expectError(await post('receipt', {}), 400, 'INVALID_INPUT')).field).toBe('receipt');
      await expectError(await post('receipt', { receipt: 42 }), 400, 'INVALID_INPUT');
      await expectError(await post('receipt', { receipt: signReceipt(t, scene, { counterparty: scene.agent.did }) }), 400, 'SELF_DEALING');
      await expectError(await post('receipt', { receipt: signReceipt(t, scene), credentialFormat: 'PDF' }), 400, 'INVALID_INPUT');
      expect(await count()).toBe(before);
    });

    it('answers an oversized body with 413 in the envelope, before reading it all', async () => {
      const big = JSON.stringify({ receipt: 'x'.repeat(400_000) });
      const declared = await post('receipt', big);
      expect(declared.status).toBe(413);
      expect(await json(declared)).toMatchObject({ success: false, code: 'PAYLOAD_TOO_LARGE' });
      // Without a Content-Length (streamed), the limit holds while reading.
      const stream = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 40; i += 1) controller.enqueue(new TextEncoder().encode('x'.repeat(10_000)));
          controller.close();
        },
      });
      const streamed = await t.fetch('/api/reputation/receipt', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);
      expect((await json(streamed)).code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  describe('routing', () => {
    it('answers unknown routes with 404 and wrong methods with 405, in the envelope', async () => {
      await expectError(await get('nothing/here'), 404, 'NOT_FOUND');
      const wrongMethod = await get('receipt');
      await expectError(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
      expect(wrongMethod.headers.get('allow')).toBe('POST');
      const postToRead = await post('revocation-list', {});
      expect(postToRead.status).toBe(405);
      expect(postToRead.headers.get('allow')).toBe('GET, HEAD');
    });

    it('answers HEAD like GET without a body', async () => {
      const head = await get(`agent/${scene.agent.did}/reputation`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
    });
  });
});

describe('the reference REST API under a rate limit (embedded database, limiter clock injected)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('embedded', { CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '2' }, { limiterClock: () => 0 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 429 RATE_LIMITED in the envelope, with Retry-After', async () => {
    // A request as the node server hands it over: with the peer's socket address.
    const fromAddress = (path: string) =>
      Promise.resolve(t.app.yoga.handleRequest(new Request(`http://localhost:4000${path}`), { req: { socket: { remoteAddress: '203.0.113.9' } } } as never));
    const path = `/api/reputation/agent/${newKey().did}/reputation`;
    expect((await fromAddress(path)).status).toBe(200);
    expect((await fromAddress(path)).status).toBe(200);
    const limited = await fromAddress(path);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = await limited.json();
    conforms(ERROR_SCHEMA, body);
    expect(body).toMatchObject({ success: false, code: 'RATE_LIMITED' });
  });
});
