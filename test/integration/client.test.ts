// The typed client (`credence/client`) against a real HTTP server over loopback: reads, policy checks, receipts,
// settlements, credentials, the error codes it surfaces, and the README's "check before you hire" example run as
// written (the exact file, in its own process).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCredenceClient,
  CredenceClientError,
  signSettlementEvent,
  signTaskReceipt,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  type CredenceClient,
} from '../../src/client/index.ts';
import { signWebhook } from '../../src/webhooks/signature.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createScene, receiptInput, recordEscrow, registerPlatform, settlementInput, signReceipt, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp, type TestKey } from '../helpers/test-app.ts';

const DAY = 86_400_000;
const EXAMPLE = fileURLToPath(new URL('../../examples/check-before-hire.ts', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const TRUST = /* GraphQL */ `
  query($did: String!) {
    trust(did: $did) {
      did asOf score tier confidence vector { E P B D R A C }
      windows { lifetime { tasks accepted disputed refunded acceptedRate disputeRate volumeUsd avgValueUsd uniqueCounterparties escrowVerifiedShare verifiedVolumeUsd } }
      client { jobsAsClient disputesFiled disputeRate restricted }
      flags { code severity detail }
      explanation { factor points detail }
    }
  }
`;

async function expectClientError(promise: Promise<unknown>, code: string): Promise<CredenceClientError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a CredenceClientError ${code}`);
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CredenceClientError);
  expect((error as CredenceClientError).code).toBe(code);
  return error as CredenceClientError;
}

function runExample(url: string, did: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // credence-source: the example's `credence/client` import is this checkout's sources, built or not.
    const child = spawn(process.execPath, ['--conditions=credence-source', '--import', 'tsx', EXAMPLE, did], {
      cwd: ROOT,
      env: { ...process.env, CREDENCE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.each(testDatabaseKinds)('the typed client on %s database', (kind) => {
  let t: TestApp;
  let server: Server;
  let url: string;
  let scene: Scene;
  let secondPlatform: TestKey;
  let escrowReceiptId: string;
  const didFetches: string[] = [];

  /** A client for `key`, minting tokens on the test clock, counting the DID-document lookups. */
  const clientFor = (key?: TestKey, options: { audience?: string } = {}): CredenceClient =>
    createCredenceClient({
      url,
      ...(key ? { key } : {}),
      ...options,
      now: () => t.now,
      fetch: (input, init) => {
        if (String(input).endsWith('/.well-known/did.json')) didFetches.push(String(input));
        return fetch(input, init);
      },
    });

  beforeAll(async () => {
    t = await createTestApp(kind);
    server = createServer(t.app.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // An established agent: eight escrow-verified jobs for eight buyers on two platforms over four months.
    scene = await createScene(t);
    secondPlatform = newKey();
    await registerPlatform(t, secondPlatform);
    const platformClient = clientFor();
    for (let i = 0; i < 8; i += 1) {
      const job = { ...scene, buyer: newKey(), platform: i % 2 ? secondPlatform : scene.platform };
      const occurredAt = new Date(t.now.getTime() - (10 + i * 15) * DAY).toISOString();
      const escrowId = `esc_${randomUUID().slice(0, 8)}`;
      await recordEscrow(t, job, escrowId, ['FUNDED', 'RELEASED', 'SETTLED'], { occurredAt });
      const { receipt } = await platformClient.submitReceipt(signReceipt(t, job, { escrowId, occurredAt }, job.platform));
      if (receipt.confidence !== 'ESCROW_VERIFIED') throw new Error(JSON.stringify(receipt));
      escrowReceiptId ??= receipt.receiptId;
    }
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await t.close();
  });

  describe('trust reads', () => {
    it('answers trust(did) with the report GraphQL gives, typed', async () => {
      const report = await clientFor().trust(scene.agent.did);
      const graphql = (await t.gql(TRUST, { did: scene.agent.did })).data.trust;
      expect(report).toMatchObject(graphql);
      expect(report.windows.lifetime.tasks).toBe(8);
      expect(report.windows.d7).toEqual(expect.objectContaining({ tasks: 0 }));
      expect(['A', 'B', 'C']).toContain(report.tier);
    });

    it('reads trust as of an earlier moment', async () => {
      const asOf = new Date(t.now.getTime() - 60 * DAY);
      const report = await clientFor().trust(scene.agent.did, { asOf });
      expect(report.asOf).toBe(asOf.toISOString());
      expect(report.windows.lifetime.tasks).toBeLessThan(8);
    });

    it('answers trustBatch in input order, unknown DIDs included', async () => {
      const stranger = newKey().did;
      const reports = await clientFor().trustBatch([scene.agent.did, stranger, scene.agent.did]);
      expect(reports.map((r) => r.did)).toEqual([scene.agent.did, stranger, scene.agent.did]);
      expect(reports[1]!.tier).toBe('F');
      expect(reports[1]!.flags.map((f) => f.code)).toContain('NO_HISTORY');
      await expectClientError(clientFor().trustBatch(Array.from({ length: 101 }, () => stranger)), 'INVALID_INPUT');
    });

    it('checkTrust gives a reason for every failed rule, and allows what passes', async () => {
      const client = clientFor();
      const denied = await client.checkTrust(scene.agent.did, { minScore: 99, minVerifiedVolumeUsd: 1_000_000, rejectFlags: ['LOW_CREDIBILITY_PLATFORM'] });
      expect(denied.allowed).toBe(false);
      expect(denied.reasons).toHaveLength(3);
      expect(denied.reasons.join(' ')).toMatch(/score/);
      expect(denied.report.did).toBe(scene.agent.did);
      const allowed = await client.checkTrust(scene.agent.did, { minTier: 'D', maxDisputeRate: 0.1, window: 'D90' });
      expect(allowed).toMatchObject({ allowed: true, reasons: [] });
      await expectClientError(client.checkTrust(scene.agent.did, { maxDisputeRate: 2 }), 'INVALID_INPUT');
    });
  });

  describe('receipts and settlements', () => {
    it('submits receipts in a batch: each item stored, a duplicate, or its own error', async () => {
      const client = clientFor();
      const buyer = newKey();
      const fresh = signReceipt(t, { ...scene, buyer }, { actionCategory: 'productivity.completion', actionType: 'code_review', value: undefined });
      const alreadyStored = signReceipt(t, { ...scene, buyer }, { actionCategory: 'productivity.task', actionType: 'review', value: undefined });
      await client.submitReceipt(alreadyStored);
      const forged = `${fresh.slice(0, -4)}AAAA`;
      const selfDealt = signReceipt(t, scene, { counterparty: scene.agent.did });
      const results = await client.submitReceipts([fresh, { receipt: alreadyStored }, forged, selfDealt]);
      expect(results).toHaveLength(4);
      expect(results[0]).toMatchObject({ ok: true, duplicate: false, receipt: { subject: scene.agent.did, confidence: 'PLATFORM_SIGNED' } });
      expect(results[1]).toMatchObject({ ok: true, duplicate: true });
      expect(results[2]).toMatchObject({ ok: false, code: 'INVALID_SIGNATURE' });
      expect(results[3]).toMatchObject({ ok: false, code: 'SELF_DEALING' });
      // The forged one was not stored; the fresh one was.
      const stored = await t.gql(`query($id: ID!) { receipt(receiptId: $id) { receiptId } }`, {
        id: results[0]!.ok ? results[0]!.receipt.receiptId : '',
      });
      expect(stored.data.receipt).not.toBeNull();
    });

    it('throws the service\'s code for a refused single receipt', async () => {
      const client = clientFor();
      const receiptId = randomUUID();
      const first = signTaskReceipt(scene.platform, receiptInput(scene, { value: undefined, actionCategory: 'productivity.task' }, t.now), { now: t.now, receiptId });
      expect((await client.submitReceipt({ receipt: first, cosignatures: [] })).duplicate).toBe(false);
      expect((await client.submitReceipt(first)).duplicate).toBe(true);
      const conflicting = signTaskReceipt(scene.platform, receiptInput(scene, { value: undefined, actionCategory: 'productivity.task', outcome: 'rejected' }, t.now), {
        now: t.now,
        receiptId,
      });
      await expectClientError(client.submitReceipt(conflicting), 'RECEIPT_CONFLICT');
      await expectClientError(client.submitReceipt(signTaskReceipt(newKey(), receiptInput(scene, {}, t.now), { now: t.now })), 'UNKNOWN_PLATFORM');
      const error = await expectClientError(client.submitReceipt('not a jwt'), 'INVALID_SIGNATURE');
      expect(error.message).toMatch(/malformed/);
    });

    it('records settlements, idempotently, and surfaces an invalid transition', async () => {
      const client = clientFor();
      const escrowId = `esc_${randomUUID().slice(0, 8)}`;
      const funded = signSettlementEvent(scene.platform, settlementInput(scene, escrowId, 'FUNDED', {}, t.now), { now: t.now });
      const recorded = await client.recordSettlement(funded);
      expect(recorded).toMatchObject({ duplicate: false, settlement: { escrowId, status: 'FUNDED', beneficiary: scene.agent.did, platform: scene.platform.did } });
      expect(recorded.settlement.events).toHaveLength(1);
      expect((await client.recordSettlement(funded)).duplicate).toBe(true);
      const settled = signSettlementEvent(scene.platform, settlementInput(scene, escrowId, 'SETTLED', {}, t.now), { now: t.now });
      await expectClientError(client.recordSettlement(settled), 'INVALID_TRANSITION');
    });
  });

  describe('credentials', () => {
    it('issues with a fresh token per request (audience read once), and verifies', async () => {
      const fetchesBefore = didFetches.length;
      const agentClient = clientFor(scene.agent);
      const jwt = await agentClient.issueCredential({ type: 'TASK_COMPLETION', format: 'JWT', receiptId: escrowReceiptId });
      expect(jwt).toMatchObject({ type: 'TASK_COMPLETION', format: 'JWT', subject: scene.agent.did, issuer: t.app.serviceDid, revoked: false });
      // A second authenticated request needs a second token: a replayed one would be TOKEN_REPLAYED.
      const reputation = await agentClient.issueCredential({ type: 'REPUTATION', format: 'JSON_LD' });
      expect(reputation.type).toBe('REPUTATION');
      expect(didFetches.length - fetchesBefore).toBe(1);
      expect(await agentClient.serviceDid()).toBe(t.app.serviceDid);

      const verified = await clientFor().verifyCredential(jwt.encoded);
      expect(verified).toMatchObject({ valid: true, revoked: false, issuedByService: true, credentialId: jwt.credentialId, errors: [] });
      const verifiedObject = await clientFor().verifyCredential(JSON.parse(reputation.encoded));
      expect(verifiedObject).toMatchObject({ valid: true, format: 'JSON_LD' });
      const tampered = await clientFor().verifyCredential(jwt.encoded.replace(/.{4}$/, 'AAAA'));
      expect(tampered.valid).toBe(false);
    });

    it('surfaces auth failures with their codes', async () => {
      await expectClientError(clientFor().issueCredential({ type: 'REPUTATION', format: 'JWT' }), 'NO_KEY');
      const stranger = newKey();
      await expectClientError(clientFor(stranger).issueCredential({ type: 'TASK_COMPLETION', format: 'JWT', receiptId: escrowReceiptId }), 'FORBIDDEN');
      const error = await expectClientError(
        clientFor(scene.agent, { audience: 'did:web:somewhere.else' }).issueCredential({ type: 'REPUTATION', format: 'JWT' }),
        'UNAUTHENTICATED',
      );
      expect(error.message).toMatch(/aud/);
    });
  });

  describe('transport', () => {
    it('reports an unreachable service as NETWORK_ERROR and a non-Credence answer as HTTP_ERROR', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      await expectClientError(createCredenceClient({ url: `http://127.0.0.1:${port}` }).trust(scene.agent.did), 'NETWORK_ERROR');

      const teapot = createCredenceClient({ url, fetch: async () => new Response('no', { status: 502 }) });
      const error = await expectClientError(teapot.trust(scene.agent.did), 'HTTP_ERROR');
      expect(error.details.status).toBe(502);
    });

    it('accepts the /graphql URL as well as the base URL', async () => {
      const report = await createCredenceClient({ url: `${url}/graphql/` }).trust(scene.agent.did);
      expect(report.did).toBe(scene.agent.did);
    });
  });

  describe('webhook verification', () => {
    it('re-exports the verifier: a signed body verifies, a tampered one does not', () => {
      const secret = 'whsec_test';
      const body = JSON.stringify({ id: 'evt_1', type: 'trust.changed', data: { did: scene.agent.did }, created_at: t.now.toISOString() });
      const nowSeconds = Math.floor(t.now.getTime() / 1000);
      const header = signWebhook(secret, body, nowSeconds);
      expect(WEBHOOK_SIGNATURE_HEADER).toBe('X-Credence-Signature');
      expect(verifyWebhookSignature({ secret, rawBody: body, header, nowSeconds })).toEqual({ ok: true, timestamp: nowSeconds });
      expect(verifyWebhookSignature({ secret, rawBody: body.replace('trust.changed', 'trust.changeD'), header, nowSeconds })).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });
  });

  describe('the README example', () => {
    it('is in the README exactly as in examples/check-before-hire.ts', async () => {
      const [readme, example] = await Promise.all([readFile(README, 'utf8'), readFile(EXAMPLE, 'utf8')]);
      const section = readme.slice(readme.indexOf('Check before you hire'));
      const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
      expect(block).toBe(example);
      expect(example.trim().split('\n').length).toBeLessThanOrEqual(10);
    });

    it('runs as written: hires the established agent and not a stranger', async () => {
      const hire = await runExample(url, scene.agent.did);
      expect(hire.stderr).toBe('');
      expect(hire.code).toBe(0);
      const report = await clientFor().trust(scene.agent.did);
      expect(hire.stdout).toBe(`hire ${scene.agent.did}: tier ${report.tier}, score ${report.score}\n`);

      const stranger = newKey().did;
      const pass = await runExample(url, stranger);
      expect(pass.code).toBe(0);
      expect(pass.stdout).toMatch(new RegExp(`^do not hire ${stranger}: .*tier`));
    });
  });
});
