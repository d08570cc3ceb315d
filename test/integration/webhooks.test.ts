// Webhooks end to end: change detection in the receipt transaction writes the outbox, the delivery worker (injected
// clock and jitter) POSTs signed bodies to a local receiver that fails the first two deliveries, retries after the
// backoff, and each event arrives exactly once; watching, the delivery log, re-sending and secret rotation.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintAuthToken } from '../../src/auth/mint-token.ts';
import { signSettlementEvent, signTaskReceipt } from '../../src/client/signing.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { silentLogger } from '../../src/logger.ts';
import { startServer } from '../../src/main.ts';
import { createDeliveryWorker, type DeliveryWorkerOptions } from '../../src/webhooks/delivery-worker.ts';
import { newEventId } from '../../src/webhooks/events.ts';
import { verifyWebhookSignature } from '../../src/webhooks/signature.ts';
import { escrowVerifiedReceipt, issue } from '../helpers/credentials.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { receiptInput, recordEscrow, settlementInput, signReceipt, SUBMIT, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp, type TestKey } from '../helpers/test-app.ts';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

interface HookedPlatform {
  key: TestKey;
  secret: string;
  path: string;
}

const WATCH = /* GraphQL */ `
  mutation($dids: [String!]!) {
    watchAgents(dids: $dids) { __typename ... on WatchAgentsPayload { dids added } ... on Error { code message } }
  }
`;
const UNWATCH = /* GraphQL */ `
  mutation($dids: [String!]!) {
    unwatchAgents(dids: $dids) { __typename ... on UnwatchAgentsPayload { dids removed } ... on Error { code message } }
  }
`;
const DELIVERIES = /* GraphQL */ `
  query($did: String!, $status: WebhookDeliveryStatus, $first: Int, $after: String) {
    platform(did: $did) {
      webhookDeliveries(status: $status, first: $first, after: $after) {
        edges { cursor node { id type agentDid status attempts redeliveries lastStatusCode lastError deliveredAt nextAttemptAt body } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;
const REDELIVER = /* GraphQL */ `
  mutation($id: ID!) {
    redeliverWebhook(id: $id) { __typename ... on RedeliverWebhookPayload { delivery { id status attempts redeliveries } } ... on Error { code message } }
  }
`;
const ROTATE = /* GraphQL */ `
  mutation { rotateWebhookSecret { __typename ... on RotateWebhookSecretPayload { webhookSecret platform { did } } ... on Error { code message } } }
`;

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

describe.each(testDatabaseKinds)('webhooks on %s database', (kind) => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let submitter: HookedPlatform;
  let watcher: HookedPlatform;
  let bystander: HookedPlatform;
  let scene: Scene;

  const workerOptions = (overrides: Partial<DeliveryWorkerOptions> = {}): DeliveryWorkerOptions => ({
    db: t.testDatabase.database.db,
    clock: () => t.now,
    random: () => 0.5,
    timeoutMs: 5_000,
    maxAttempts: 8,
    backoff: { baseSeconds: 30, capSeconds: 600 },
    // The receivers listen on 127.0.0.1.
    allowPrivateAddresses: true,
    ...overrides,
  });
  const worker = (overrides: Partial<DeliveryWorkerOptions> = {}) => createDeliveryWorker(workerOptions(overrides));
  const advance = (ms: number) => t.setNow(new Date(t.now.getTime() + ms));

  async function hookedPlatform(path: string, approve = true): Promise<HookedPlatform> {
    const key = newKey();
    const registered = await t.gql(
      `mutation($input: RegisterPlatformInput!) { registerPlatform(input: $input) { __typename ... on RegisterPlatformPayload { webhookSecret } } }`,
      { input: { name: `Market ${path}`, webhookUrl: receiver.url(path) } },
      key,
    );
    const secret = registered.data?.registerPlatform?.webhookSecret;
    if (typeof secret !== 'string') throw new Error(JSON.stringify(registered));
    if (approve) {
      const approved = await t.gql(`mutation($did: String!) { approvePlatform(did: $did) { __typename } }`, { did: key.did }, t.admin);
      if (approved.data?.approvePlatform?.__typename !== 'PlatformPayload') throw new Error(JSON.stringify(approved));
    }
    return { key, secret, path };
  }

  async function outbox(agentDid: string) {
    return t.testDatabase.database.db.selectFrom('webhook_outbox').selectAll().where('agent_did', '=', agentDid).orderBy('created_at').execute();
  }

  const bodyOf = (request: ReceivedWebhook) => JSON.parse(request.rawBody);
  const verify = (request: ReceivedWebhook, secret: string, nowSeconds = seconds(t.now)) =>
    verifyWebhookSignature({ secret, rawBody: request.rawBody, header: request.headers['x-credence-signature'] as string | undefined, nowSeconds });

  beforeAll(async () => {
    t = await createTestApp(kind, { CREDENCE_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' });
    receiver = await startWebhookReceiver();
    submitter = await hookedPlatform('/submitter');
    watcher = await hookedPlatform('/watcher');
    bystander = await hookedPlatform('/bystander');
    scene = { platform: submitter.key, agent: newKey(), buyer: newKey() };
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  it('delivers one signed trust.changed to the submitting and the watching platform, none to others, retrying through two failures', async () => {
    expect((await t.gql(WATCH, { dids: [scene.agent.did] }, watcher.key)).data.watchAgents).toMatchObject({ __typename: 'WatchAgentsPayload', added: 1 });
    // The bystander watches someone else.
    expect((await t.gql(WATCH, { dids: [newKey().did] }, bystander.key)).data.watchAgents.added).toBe(1);

    const escrowId = `esc_${randomUUID().slice(0, 8)}`;
    await recordEscrow(t, scene, escrowId, ['FUNDED', 'RELEASED', 'SETTLED']);
    const before = (await t.gql(`query($did: String!) { trust(did: $did) { tier score } }`, { did: scene.agent.did })).data.trust;
    const submitted = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { escrowId }) })).data.submitReceipt;
    expect(submitted.receipt.confidence).toBe('ESCROW_VERIFIED');
    const after = (await t.gql(`query($did: String!) { trust(did: $did) { tier score } }`, { did: scene.agent.did })).data.trust;
    expect(after.tier).not.toBe(before.tier);

    // Written in the receipt's transaction: the rows are there before any worker ran.
    const rows = await outbox(scene.agent.did);
    expect(rows.map((row) => [row.platform_did, row.event_type, row.status]).sort()).toEqual(
      [
        [submitter.key.did, 'trust.changed', 'PENDING'],
        [watcher.key.did, 'trust.changed', 'PENDING'],
      ].sort(),
    );

    receiver.failNext(submitter.path, 500, 500);
    const first = await worker().runOnce();
    expect(first).toMatchObject({ claimed: 2, delivered: 1, retrying: 1 });
    // Not due yet: the backoff (30 s base, jitter 0.5 → 22.5 s) has not passed.
    expect((await worker().runOnce()).claimed).toBe(0);
    advance(23_000);
    expect(await worker().runOnce()).toMatchObject({ claimed: 1, retrying: 1 });
    advance(30_000);
    expect((await worker().runOnce()).claimed).toBe(0);
    advance(16_000);
    expect(await worker().runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(await worker().drain()).toMatchObject({ claimed: 0 });

    const toSubmitter = receiver.requests.filter((r) => r.path === submitter.path);
    expect(toSubmitter.map((r) => r.status)).toEqual([500, 500, 200]);
    // The same event each time; accepted exactly once.
    expect(new Set(toSubmitter.map((r) => bodyOf(r).id)).size).toBe(1);
    expect(receiver.accepted(submitter.path)).toHaveLength(1);
    expect(receiver.accepted(watcher.path)).toHaveLength(1);
    expect(receiver.requests.filter((r) => r.path === bystander.path)).toHaveLength(0);

    for (const [platform, request] of [[submitter, receiver.accepted(submitter.path)[0]!], [watcher, receiver.accepted(watcher.path)[0]!]] as const) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(verify(request, platform.secret)).toMatchObject({ ok: true });
      // Another platform's secret does not verify it.
      expect(verify(request, bystander.secret)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
      const body = bodyOf(request);
      expect(Object.keys(body)).toEqual(['id', 'type', 'data', 'created_at']);
      expect(body).toMatchObject({ type: 'trust.changed', data: { did: scene.agent.did, tier: after.tier, previous_tier: before.tier, cause: 'receipt.submitted' } });
      expect(body.data.score).toBeCloseTo(after.score, 6);
      expect(body.id).toMatch(/^evt_[0-9a-f]{32}$/);
    }

    // The receiver's side of the verifier: a tampered body and an expired timestamp fail.
    const delivered = receiver.accepted(submitter.path)[0]!;
    const tampered = { ...delivered, rawBody: delivered.rawBody.replace(`"tier":"${after.tier}"`, '"tier":"A"') };
    expect(tampered.rawBody).not.toBe(delivered.rawBody);
    expect(verify(tampered, submitter.secret)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    expect(verify(delivered, submitter.secret, seconds(t.now) + 301)).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });

    // The delivery log shows the story.
    const log = (await t.gql(DELIVERIES, { did: submitter.key.did }, submitter.key)).data.platform.webhookDeliveries.edges.map((e: any) => e.node);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ id: bodyOf(delivered).id, type: 'trust.changed', agentDid: scene.agent.did, status: 'DELIVERED', attempts: 3, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    expect(log[0].body).toBe(delivered.rawBody);
  });

  it('announces nothing for a duplicate submission', async () => {
    const before = (await outbox(scene.agent.did)).length;
    const receipt = signReceipt(t, scene);
    expect((await t.gql(SUBMIT, { receipt })).data.submitReceipt.duplicate).toBe(false);
    const afterFirst = (await outbox(scene.agent.did)).length;
    expect((await t.gql(SUBMIT, { receipt })).data.submitReceipt.duplicate).toBe(true);
    expect((await outbox(scene.agent.did)).length).toBe(afterFirst);
    expect(afterFirst).toBeGreaterThanOrEqual(before);
    await worker().drain();
  });

  it('sends receipt.revoked and credential.revoked (with any trust change) to the subscribed platforms', async () => {
    const agent = newKey();
    const local: Scene = { platform: submitter.key, agent, buyer: newKey() };
    expect((await t.gql(WATCH, { dids: [agent.did] }, watcher.key)).data.watchAgents.added).toBe(1);
    const receiptId = await escrowVerifiedReceipt(t, local);
    const issued = await issue(t, agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId });
    expect(issued.__typename).toBe('IssueCredentialPayload');
    await worker().drain();
    const seen = receiver.requests.length;

    const revoked = await t.gql(
      `mutation($id: ID!) { revokeReceipt(receiptId: $id, reason: "refunded off-platform") { __typename } }`,
      { id: receiptId },
      submitter.key,
    );
    expect(revoked.data.revokeReceipt.__typename).toBe('RevokeReceiptPayload');
    expect(await worker().drain()).toMatchObject({ failed: 0, retrying: 0 });
    const fresh = receiver.requests.slice(seen);
    for (const platform of [submitter, watcher]) {
      const types = fresh.filter((r) => r.path === platform.path).map((r) => bodyOf(r).type).sort();
      // Revoking the only receipt drops the agent back to F: a trust change too.
      expect(types).toEqual(['credential.revoked', 'receipt.revoked', 'trust.changed']);
      for (const request of fresh.filter((r) => r.path === platform.path)) expect(verify(request, platform.secret).ok).toBe(true);
    }
    expect(fresh.some((r) => r.path === bystander.path)).toBe(false);
    const byType = new Map(fresh.filter((r) => r.path === watcher.path).map((r) => [bodyOf(r).type, bodyOf(r).data]));
    expect(byType.get('receipt.revoked')).toMatchObject({ receipt_id: receiptId, subject: agent.did, platform: submitter.key.did, reason: 'refunded off-platform' });
    expect(byType.get('credential.revoked')).toMatchObject({ credential_id: issued.credential.credentialId, subject: agent.did, receipt_id: receiptId });
    expect(byType.get('trust.changed')).toMatchObject({ did: agent.did, tier: 'F', cause: 'receipt.revoked' });
  });

  it('stops sending to a platform that unwatches (unless it submitted receipts about the agent)', async () => {
    const agent = newKey();
    const local: Scene = { platform: submitter.key, agent, buyer: newKey() };
    expect((await t.gql(WATCH, { dids: [agent.did, agent.did] }, watcher.key)).data.watchAgents).toMatchObject({ dids: [agent.did], added: 1 });
    expect((await t.gql(UNWATCH, { dids: [agent.did] }, watcher.key)).data.unwatchAgents).toMatchObject({ dids: [agent.did], removed: 1 });
    expect((await t.gql(UNWATCH, { dids: [agent.did] }, watcher.key)).data.unwatchAgents.removed).toBe(0);
    await escrowVerifiedReceipt(t, local);
    const rows = await outbox(agent.did);
    expect(rows.map((row) => row.platform_did)).toEqual([submitter.key.did]);
    await worker().drain();
  });

  it('refuses bad watch input and non-platform callers, storing nothing', async () => {
    const count = async () =>
      Number((await t.testDatabase.database.db.selectFrom('webhook_watches').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const notDid = await t.gql(WATCH, { dids: ['not-a-did'] }, watcher.key);
    expect(notDid.data.watchAgents).toMatchObject({ __typename: 'InputError', code: 'INVALID_INPUT' });
    const tooMany = await t.gql(WATCH, { dids: Array.from({ length: 101 }, () => newKey().did) }, watcher.key);
    expect(tooMany.data.watchAgents.code).toBe('INVALID_INPUT');
    expect((await t.gql(WATCH, { dids: [] }, watcher.key)).data.watchAgents.code).toBe('INVALID_INPUT');
    expect((await t.gql(WATCH, { dids: [newKey().did] })).data.watchAgents.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(WATCH, { dids: [newKey().did] }, newKey())).data.watchAgents.code).toBe('UNKNOWN_PLATFORM');
    const pending = await hookedPlatform('/pending', false);
    expect((await t.gql(WATCH, { dids: [newKey().did] }, pending.key)).data.watchAgents.code).toBe('PLATFORM_NOT_APPROVED');
    expect(await count()).toBe(before);
  });

  it('shows deliveries only to the platform and admins, pages them, and filters by status', async () => {
    const forbidden = await t.gql(DELIVERIES, { did: submitter.key.did }, bystander.key);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(forbidden.data.platform.webhookDeliveries).toBeNull();
    expect((await t.gql(DELIVERIES, { did: submitter.key.did })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const all = (await t.gql(DELIVERIES, { did: submitter.key.did, first: 100 }, t.admin)).data.platform.webhookDeliveries.edges;
    expect(all.length).toBeGreaterThan(2);
    const page1 = (await t.gql(DELIVERIES, { did: submitter.key.did, first: 2 }, submitter.key)).data.platform.webhookDeliveries;
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await t.gql(DELIVERIES, { did: submitter.key.did, first: 2, after: page1.pageInfo.endCursor }, submitter.key)).data.platform.webhookDeliveries;
    expect([...page1.edges, ...page2.edges].map((e: any) => e.node.id)).toEqual(all.slice(0, 4).map((e: any) => e.node.id));
    const delivered = (await t.gql(DELIVERIES, { did: submitter.key.did, status: 'DELIVERED', first: 100 }, submitter.key)).data.platform.webhookDeliveries.edges;
    expect(delivered.length).toBe(all.length);
    const failed = (await t.gql(DELIVERIES, { did: submitter.key.did, status: 'FAILED' }, submitter.key)).data.platform.webhookDeliveries.edges;
    expect(failed).toEqual([]);
    const badCursor = await t.gql(DELIVERIES, { did: submitter.key.did, after: 'bm9wZQ' }, submitter.key);
    expect(badCursor.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
  });

  it('re-sends a delivery on request, and signs with the rotated secret after rotateWebhookSecret', async () => {
    const [latest] = (await t.gql(DELIVERIES, { did: submitter.key.did, first: 1 }, submitter.key)).data.platform.webhookDeliveries.edges;
    const id = latest.node.id;
    expect((await t.gql(REDELIVER, { id }, bystander.key)).data.redeliverWebhook.code).toBe('NOT_FOUND');
    expect((await t.gql(REDELIVER, { id: 'evt_nope' }, submitter.key)).data.redeliverWebhook.code).toBe('INVALID_INPUT');
    expect((await t.gql(REDELIVER, { id: newEventId() }, submitter.key)).data.redeliverWebhook.code).toBe('NOT_FOUND');

    const requeued = (await t.gql(REDELIVER, { id }, submitter.key)).data.redeliverWebhook;
    expect(requeued).toMatchObject({ __typename: 'RedeliverWebhookPayload', delivery: { id, status: 'PENDING', attempts: 0, redeliveries: 1 } });
    const seen = receiver.requests.length;
    expect(await worker().drain()).toMatchObject({ claimed: 1, delivered: 1 });
    const [resent] = receiver.requests.slice(seen);
    expect(resent!.path).toBe(submitter.path);
    expect(bodyOf(resent!).id).toBe(id);
    expect(resent!.rawBody).toBe(latest.node.body);
    expect(verify(resent!, submitter.secret).ok).toBe(true);

    const rotated = (await t.gql(ROTATE, {}, submitter.key)).data.rotateWebhookSecret;
    expect(rotated).toMatchObject({ __typename: 'RotateWebhookSecretPayload', platform: { did: submitter.key.did } });
    expect(rotated.webhookSecret).toMatch(/^whsec_/);
    expect(rotated.webhookSecret).not.toBe(submitter.secret);
    expect((await t.gql(ROTATE, {}, newKey())).data.rotateWebhookSecret.code).toBe('UNKNOWN_PLATFORM');
    expect((await t.gql(ROTATE, {})).data.rotateWebhookSecret.code).toBe('UNAUTHENTICATED');

    await t.gql(REDELIVER, { id }, t.admin);
    const seenAgain = receiver.requests.length;
    await worker().drain();
    const [afterRotation] = receiver.requests.slice(seenAgain);
    expect(verify(afterRotation!, rotated.webhookSecret).ok).toBe(true);
    expect(verify(afterRotation!, submitter.secret)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    submitter.secret = rotated.webhookSecret;
  });

  it('gives up after the maximum attempts (FAILED) and records why', async () => {
    const flaky = await hookedPlatform('/down');
    receiver.alwaysAnswer(flaky.path, 503);
    const agent = newKey();
    await escrowVerifiedReceipt(t, { platform: flaky.key, agent, buyer: newKey() });
    const limited = worker({ maxAttempts: 3 });
    for (let round = 0; round < 3; round += 1) {
      await limited.runOnce();
      advance(600_000);
    }
    expect(await limited.drain()).toMatchObject({ claimed: 0 });
    const [row] = await outbox(agent.did);
    expect(row).toMatchObject({ status: 'FAILED', attempts: 3, last_status_code: 503, last_error: 'HTTP 503', delivered_at: null });
    expect(receiver.requests.filter((r) => r.path === flaky.path)).toHaveLength(3);
    const failed = (await t.gql(DELIVERIES, { did: flaky.key.did, status: 'FAILED' }, flaky.key)).data.platform.webhookDeliveries.edges;
    expect(failed.map((e: any) => e.node.id)).toEqual([row!.id]);
  });

  it('records an unreachable receiver as a retryable failure', async () => {
    const closed = await startWebhookReceiver();
    const url = closed.url('/gone');
    await closed.close();
    const key = newKey();
    await t.gql(`mutation($input: RegisterPlatformInput!) { registerPlatform(input: $input) { __typename } }`, { input: { name: 'Gone', webhookUrl: url } }, key);
    await t.gql(`mutation($did: String!) { approvePlatform(did: $did) { __typename } }`, { did: key.did }, t.admin);
    const agent = newKey();
    await escrowVerifiedReceipt(t, { platform: key, agent, buyer: newKey() });
    expect(await worker().runOnce()).toMatchObject({ claimed: 1, retrying: 1 });
    const [row] = await outbox(agent.did);
    expect(row).toMatchObject({ status: 'PENDING', attempts: 1, last_status_code: null });
    expect(row!.last_error).toMatch(/^request failed: ECONNREFUSED/);
    // The URL (which may carry credentials) is not what gets recorded.
    expect(row!.last_error).not.toContain('127.0.0.1');
    advance(3_600_000);
  });

  it('delivers each event once with two workers running at the same time', async () => {
    // Everything due so far is settled first, so only this test's rows are in play.
    advance(3_600_000 * 24);
    receiver.alwaysAnswer('/gone', 200);
    await worker({ maxAttempts: 1 }).drain();
    const db = t.testDatabase.database.db;
    const ids = Array.from({ length: 30 }, () => newEventId());
    await db
      .insertInto('webhook_outbox')
      .values(
        ids.map((id) => ({
          id,
          platform_did: watcher.key.did,
          event_type: 'trust.changed' as const,
          agent_did: scene.agent.did,
          payload: JSON.stringify({ did: scene.agent.did }),
          created_at: t.now,
          status: 'PENDING' as const,
          next_attempt_at: t.now,
        })),
      )
      .execute();
    // PostgreSQL: a second instance with its own connection pool; embedded: the same single connection.
    const other = kind === 'postgres' ? await openDatabase({ databaseUrl: t.testDatabase.url!, poolSize: 4 }) : null;
    try {
      receiver.delayMs = 5;
      const seen = receiver.requests.length;
      const [a, b] = await Promise.all([
        worker({ batchSize: 3 }).drain(),
        worker({ batchSize: 3, db: other?.db ?? db }).drain(),
      ]);
      expect(a.claimed + b.claimed).toBe(ids.length);
      expect(a.delivered + b.delivered).toBe(ids.length);
      const counts = new Map<string, number>();
      for (const request of receiver.requests.slice(seen)) counts.set(bodyOf(request).id, (counts.get(bodyOf(request).id) ?? 0) + 1);
      expect([...counts.keys()].sort()).toEqual([...ids].sort());
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    } finally {
      receiver.delayMs = 0;
      await other?.close();
    }
  });
});

describe('the server process', () => {
  it('runs the delivery worker on its interval and awaits it on close', async () => {
    const receiver = await startWebhookReceiver();
    const admin = newKey();
    const running = await startServer(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        CREDENCE_DATA_DIR: 'memory://',
        CREDENCE_ADMIN_DIDS: admin.did,
        CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0',
        CREDENCE_WEBHOOK_INTERVAL_SECONDS: '0.1',
        CREDENCE_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true',
      }),
      silentLogger,
    );
    try {
      const address = running.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const gql = async (query: string, variables: Record<string, unknown>, key?: TestKey) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (key) headers.authorization = `Bearer ${mintAuthToken(key, { audience: running.app.serviceDid })}`;
        const response = await fetch(`${base}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
        return (await response.json()) as any;
      };
      const scene: Scene = { platform: newKey(), agent: newKey(), buyer: newKey() };
      const registered = await gql(
        `mutation($input: RegisterPlatformInput!) { registerPlatform(input: $input) { ... on RegisterPlatformPayload { webhookSecret } } }`,
        { input: { name: 'Live market', webhookUrl: receiver.url('/live') } },
        scene.platform,
      );
      const secret = registered.data.registerPlatform.webhookSecret as string;
      await gql(`mutation($did: String!) { approvePlatform(did: $did) { __typename } }`, { did: scene.platform.did }, admin);
      const now = new Date();
      const escrowId = `esc_${randomUUID().slice(0, 8)}`;
      for (const [index, status] of (['FUNDED', 'RELEASED', 'SETTLED'] as const).entries()) {
        const occurredAt = new Date(now.getTime() - (3 - index * 0.1) * 3_600_000).toISOString();
        const event = signSettlementEvent(scene.platform, settlementInput(scene, escrowId, status, { occurredAt }, now), { now });
        expect((await gql(`mutation($event: String!) { recordSettlement(event: $event) { __typename } }`, { event })).data.recordSettlement.__typename).toBe('RecordSettlementPayload');
      }
      const receipt = signTaskReceipt(scene.platform, receiptInput(scene, { escrowId }, now), { now });
      expect((await gql(SUBMIT, { receipt })).data.submitReceipt.receipt.confidence).toBe('ESCROW_VERIFIED');

      await vi.waitFor(() => expect(receiver.accepted('/live')).toHaveLength(1), { timeout: 15_000, interval: 50 });
      const [delivered] = receiver.accepted('/live');
      const check = verifyWebhookSignature({
        secret,
        rawBody: delivered!.rawBody,
        header: delivered!.headers['x-credence-signature'] as string,
        nowSeconds: Math.floor(Date.now() / 1000),
      });
      expect(check.ok).toBe(true);
      expect(JSON.parse(delivered!.rawBody)).toMatchObject({ type: 'trust.changed', data: { did: scene.agent.did } });
    } finally {
      await running.close();
      await receiver.close();
    }
  });
});
