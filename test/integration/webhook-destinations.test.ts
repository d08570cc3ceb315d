// Webhook hardening: with the default config a platform cannot point its webhook at loopback, private or other
// special-purpose addresses (refused at registration, and at delivery when the host resolves there), and finished
// outbox rows are purged after the retention (injected clock).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createDeliveryWorker, DESTINATION_NOT_ALLOWED, type DeliveryWorkerOptions } from '../../src/webhooks/delivery-worker.ts';
import { newEventId } from '../../src/webhooks/events.ts';
import { escrowVerifiedReceipt } from '../helpers/credentials.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createTestApp, newKey, type TestApp, type TestKey } from '../helpers/test-app.ts';

const REGISTER = /* GraphQL */ `
  mutation($input: RegisterPlatformInput!) {
    registerPlatform(input: $input) {
      __typename
      ... on RegisterPlatformPayload { webhookSecret platform { did } }
      ... on InputError { code field message }
    }
  }
`;

describe('webhook settings', () => {
  it('default to refusing private addresses and keeping finished deliveries 30 days', () => {
    const config = loadConfig({});
    expect(config.webhooks).toMatchObject({ allowPrivateAddresses: false, retentionDays: 30 });
    expect(loadConfig({ CREDENCE_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true', CREDENCE_WEBHOOK_RETENTION_DAYS: '0' }).webhooks).toMatchObject({
      allowPrivateAddresses: true,
      retentionDays: 0,
    });
    expect(() => loadConfig({ CREDENCE_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'yes' })).toThrow(/CREDENCE_WEBHOOK_ALLOW_PRIVATE_ADDRESSES/);
    expect(() => loadConfig({ CREDENCE_WEBHOOK_RETENTION_DAYS: '-1' })).toThrow(/CREDENCE_WEBHOOK_RETENTION_DAYS/);
  });
});

describe.each(testDatabaseKinds)('webhook destinations and retention on %s database', (kind) => {
  let t: TestApp;

  const advance = (ms: number) => t.setNow(new Date(t.now.getTime() + ms));
  const okFetch = () => vi.fn<typeof fetch>(async () => new Response(null, { status: 204 }));
  const workerOptions = (overrides: Partial<DeliveryWorkerOptions>): DeliveryWorkerOptions => ({
    db: t.testDatabase.database.db,
    clock: () => t.now,
    random: () => 0.5,
    timeoutMs: 5_000,
    maxAttempts: 8,
    backoff: { baseSeconds: 30, capSeconds: 600 },
    ...overrides,
  });

  async function platformCount(did: string) {
    return (await t.testDatabase.database.db.selectFrom('platforms').select('did').where('did', '=', did).execute()).length;
  }

  async function hookedPlatform(webhookUrl: string): Promise<TestKey> {
    const key = newKey();
    const registered = await t.gql(REGISTER, { input: { name: 'Hooked market', webhookUrl } }, key);
    if (registered.data?.registerPlatform?.__typename !== 'RegisterPlatformPayload') throw new Error(JSON.stringify(registered));
    const approved = await t.gql(`mutation($did: String!) { approvePlatform(did: $did) { __typename } }`, { did: key.did }, t.admin);
    if (approved.data?.approvePlatform?.__typename !== 'PlatformPayload') throw new Error(JSON.stringify(approved));
    return key;
  }

  async function outbox(agentDid: string) {
    return t.testDatabase.database.db.selectFrom('webhook_outbox').selectAll().where('agent_did', '=', agentDid).execute();
  }

  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    'http://127.0.0.1:9/x',
    'http://[::1]/x',
    'http://10.0.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:127.0.0.1]/x',
    'http://2130706433/',
    'http://localhost:8080/',
    'http://localhost.:8080/',
    'https://user:secret@hooks.example.com/x',
  ])('refuses to register the webhook URL %s and stores nothing', async (webhookUrl) => {
    const key = newKey();
    const registered = await t.gql(REGISTER, { input: { name: 'Sneaky market', webhookUrl } }, key);
    expect(registered.data.registerPlatform).toMatchObject({ __typename: 'InputError', code: 'INVALID_INPUT', field: 'input.webhookUrl' });
    expect(registered.data.registerPlatform.message).not.toContain('secret');
    expect(await platformCount(key.did)).toBe(0);
  });

  it('registers a public webhook URL', async () => {
    const key = newKey();
    const registered = await t.gql(REGISTER, { input: { name: 'Fine market', webhookUrl: 'https://hooks.example.com/credence' } }, key);
    expect(registered.data.registerPlatform.__typename).toBe('RegisterPlatformPayload');
    expect(await platformCount(key.did)).toBe(1);
  });

  it('does not send to a host that resolves to a private address, and fails that delivery for good', async () => {
    const platform = await hookedPlatform('https://rebind.example.com/hook');
    const agent = newKey();
    await escrowVerifiedReceipt(t, { platform, agent, buyer: newKey() });
    const doFetch = okFetch();
    const lookup = vi.fn(async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '::ffff:127.0.0.1', family: 6 },
    ]);
    const round = await createDeliveryWorker(workerOptions({ fetch: doFetch, lookup })).drain();
    expect(round).toMatchObject({ claimed: 1, delivered: 0, failed: 1 });
    expect(lookup).toHaveBeenCalledWith('rebind.example.com');
    expect(doFetch).not.toHaveBeenCalled();
    const [row] = await outbox(agent.did);
    expect(row).toMatchObject({ status: 'FAILED', attempts: 1, last_error: DESTINATION_NOT_ALLOWED, last_status_code: null, delivered_at: null });
  });

  it('sends when every address is public, and sends anywhere when private addresses are allowed', async () => {
    const platform = await hookedPlatform('https://public.example.com/hook');
    const agent = newKey();
    await escrowVerifiedReceipt(t, { platform, agent, buyer: newKey() });
    const doFetch = okFetch();
    const lookup = vi.fn(async () => [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::248', family: 6 }]);
    expect(await createDeliveryWorker(workerOptions({ fetch: doFetch, lookup })).drain()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(doFetch).toHaveBeenCalledTimes(1);
    expect(String(doFetch.mock.calls[0]![0])).toBe('https://public.example.com/hook');

    const other = await hookedPlatform('https://internal.example.com/hook');
    const agent2 = newKey();
    await escrowVerifiedReceipt(t, { platform: other, agent: agent2, buyer: newKey() });
    const privateLookup = vi.fn(async () => [{ address: '10.1.2.3', family: 4 }]);
    const allowedFetch = okFetch();
    const allowed = createDeliveryWorker(workerOptions({ fetch: allowedFetch, lookup: privateLookup, allowPrivateAddresses: true }));
    expect(await allowed.drain()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(privateLookup).not.toHaveBeenCalled();
    expect(allowedFetch).toHaveBeenCalledTimes(1);
  });

  it('retries a host that does not resolve, without naming it', async () => {
    const platform = await hookedPlatform('https://nxdomain.example.com/hook');
    const agent = newKey();
    await escrowVerifiedReceipt(t, { platform, agent, buyer: newKey() });
    const doFetch = okFetch();
    const lookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nxdomain.example.com'), { code: 'ENOTFOUND' });
    };
    expect(await createDeliveryWorker(workerOptions({ fetch: doFetch, lookup })).runOnce()).toMatchObject({ claimed: 1, retrying: 1 });
    expect(doFetch).not.toHaveBeenCalled();
    const [row] = await outbox(agent.did);
    expect(row).toMatchObject({ status: 'PENDING', attempts: 1, last_error: 'lookup failed: ENOTFOUND' });
    // Settled so later tests start from an empty queue.
    advance(3_600_000);
    const ok = async () => [{ address: '93.184.216.34', family: 4 }];
    expect(await createDeliveryWorker(workerOptions({ fetch: okFetch(), lookup: ok })).drain()).toMatchObject({ delivered: 1 });
  });

  it('purges DELIVERED and FAILED rows older than the retention, in batches, and keeps the rest', async () => {
    const db = t.testDatabase.database.db;
    // Everything earlier in this file is settled; start from a clean slate of finished rows.
    await db.deleteFrom('webhook_outbox').execute();
    const platform = await hookedPlatform('https://retention.example.com/hook');
    const lookup = async () => [{ address: '93.184.216.34', family: 4 }];
    const deliverOne = async (status: 'ok' | 'fail' | 'pending') => {
      const agent = newKey();
      await escrowVerifiedReceipt(t, { platform, agent, buyer: newKey() });
      if (status !== 'pending') {
        const doFetch = vi.fn<typeof fetch>(async () => new Response(null, { status: status === 'ok' ? 200 : 500 }));
        await createDeliveryWorker(workerOptions({ fetch: doFetch, lookup, maxAttempts: 1 })).drain();
      }
      return (await outbox(agent.did))[0]!;
    };
    const oldDelivered = await deliverOne('ok');
    const oldFailed = await deliverOne('fail');
    expect([oldDelivered.status, oldFailed.status]).toEqual(['DELIVERED', 'FAILED']);
    advance(20 * 86_400_000);
    const youngDelivered = await deliverOne('ok');
    // Pending is never purged, however old: the worker that would deliver it is merely off.
    const oldPending = await deliverOne('pending');
    advance(11 * 86_400_000);

    expect(await createDeliveryWorker(workerOptions({ lookup, retentionDays: 0 })).purgeFinished()).toBe(0);
    expect(await createDeliveryWorker(workerOptions({ lookup })).purgeFinished()).toBe(0);
    const purger = createDeliveryWorker(workerOptions({ lookup, retentionDays: 30 }));
    expect(await purger.purgeFinished()).toBe(2);
    const left = (await db.selectFrom('webhook_outbox').select(['id', 'status']).execute()).map((row) => row.id).sort();
    expect(left).toEqual([youngDelivered.id, oldPending.id].sort());
    expect(await purger.purgeFinished()).toBe(0);
    advance(20 * 86_400_000);
    expect(await purger.purgeFinished()).toBe(1);
    expect((await db.selectFrom('webhook_outbox').select('id').execute()).map((row) => row.id)).toEqual([oldPending.id]);
  });

  it('purges more rows than one batch holds', async () => {
    const db = t.testDatabase.database.db;
    await db.deleteFrom('webhook_outbox').execute();
    const template = await db.selectFrom('platforms').select('did').limit(1).executeTakeFirstOrThrow();
    const old = new Date(t.now.getTime() - 40 * 86_400_000);
    const rows = Array.from({ length: 2_345 }, (_, index) => ({
      id: newEventId(),
      platform_did: template.did,
      agent_did: `did:key:purge${index}`,
      event_type: 'trust.changed',
      payload: '{}',
      status: 'DELIVERED' as const,
      attempts: 1,
      next_attempt_at: old,
      last_attempt_at: old,
      delivered_at: old,
      created_at: old,
    }));
    for (let offset = 0; offset < rows.length; offset += 500) {
      await db.insertInto('webhook_outbox').values(rows.slice(offset, offset + 500) as any).execute();
    }
    expect(await createDeliveryWorker(workerOptions({ retentionDays: 30 })).purgeFinished()).toBe(2_345);
    expect(await db.selectFrom('webhook_outbox').select('id').execute()).toEqual([]);
  });
});
