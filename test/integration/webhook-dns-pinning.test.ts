// DNS rebinding: the delivery worker resolves a webhook host, checks every address, and then connects only to the
// addresses it checked. The injected resolver changes its answer after the first question (public, then loopback):
// the worker asks once and hands fetch an agent pinned to the first answer; a pinned agent connects to its address
// whatever the name resolves to (here a name that resolves nowhere).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fetch as undiciFetch } from 'undici';
import { createDeliveryWorker } from '../../src/webhooks/delivery-worker.ts';
import { PinnedAgent, pinnedLookup } from '../../src/webhooks/pinned-agent.ts';
import { escrowVerifiedReceipt } from '../helpers/credentials.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

describe('a pinned agent', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('connects to its pinned address for a host name that resolves nowhere, sending that name as Host', async () => {
    const port = new URL(receiver.url('/')).port;
    const agent = new PinnedAgent([{ address: '127.0.0.1', family: 4 }]);
    try {
      const response = await undiciFetch(`http://hooks.rebind.invalid:${port}/pinned`, { method: 'POST', body: '{}', dispatcher: agent });
      expect(response.status).toBe(200);
      await response.body?.cancel();
    } finally {
      await agent.destroy();
    }
    expect(receiver.requests.filter((r) => r.path === '/pinned').map((r) => r.headers.host)).toEqual([`hooks.rebind.invalid:${port}`]);
  });

  it('answers lookups with the pinned addresses only, one or all, by family', async () => {
    const lookup = pinnedLookup([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::248', family: 6 },
    ]);
    const ask = (options: object) =>
      new Promise<unknown>((resolve, reject) => lookup('anything.example', options, (error, address, family) => (error ? reject(error) : resolve([address, family]))));
    expect(await ask({})).toEqual(['93.184.216.34', 4]);
    expect(await ask({ family: 6 })).toEqual(['2606:2800:220:1::248', 6]);
    expect(await ask({ all: true })).toEqual([
      [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::248', family: 6 },
      ],
      undefined,
    ]);
    const v4only = pinnedLookup([{ address: '93.184.216.34', family: 4 }]);
    await expect(new Promise((resolve, reject) => v4only('x', { family: 6 }, (error, address) => (error ? reject(error) : resolve(address))))).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });
});

describe('webhook delivery under DNS rebinding', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('embedded');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('resolves once and connects only to the address it checked, not to the changed answer', async () => {
    const key = newKey();
    const registered = await t.gql(
      `mutation($input: RegisterPlatformInput!) { registerPlatform(input: $input) { __typename } }`,
      { input: { name: 'Rebinding market', webhookUrl: 'https://hooks.rebind.example/hook' } },
      key,
    );
    expect(registered.data.registerPlatform.__typename).toBe('RegisterPlatformPayload');
    await t.gql(`mutation($did: String!) { approvePlatform(did: $did) { __typename } }`, { did: key.did }, t.admin);
    await escrowVerifiedReceipt(t, { platform: key, agent: newKey(), buyer: newKey() });

    // A public answer for the check, loopback for anyone who asks again.
    const answers = [[{ address: '93.184.216.34', family: 4 }]];
    const lookup = vi.fn(async () => answers.shift() ?? [{ address: '127.0.0.1', family: 4 }]);
    const dispatchers: unknown[] = [];
    const doFetch = vi.fn<typeof fetch>(async (_url, init) => {
      dispatchers.push((init as { dispatcher?: unknown }).dispatcher);
      return new Response(null, { status: 204 });
    });
    const worker = createDeliveryWorker({
      db: t.testDatabase.database.db,
      clock: () => t.now,
      random: () => 0.5,
      timeoutMs: 5_000,
      maxAttempts: 8,
      backoff: { baseSeconds: 30, capSeconds: 600 },
      fetch: doFetch,
      lookup,
    });
    expect(await worker.drain()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(doFetch).toHaveBeenCalledTimes(1);
    expect(dispatchers[0]).toBeInstanceOf(PinnedAgent);
    expect((dispatchers[0] as PinnedAgent).addresses).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });
});
