// trustChanged streams hold a slot each: capped per client address and per authenticated DID (one client cannot take
// every slot), ended after an idle spell or at a maximum lifetime (abandoned streams are reclaimed). Short timeouts
// are configured instead of waiting out the defaults.
import { describe, expect, it, vi } from 'vitest';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

describe('trustChanged streams: per-client caps, idle timeout and maximum lifetime', () => {
  const SUBSCRIBE = `subscription($did: String!) { trustChanged(did: $did) { did } }`;

  interface Stream {
    response: Response;
    /** Resolves with the events seen when the stream ends. */
    ended: Promise<string>;
    close(): Promise<void>;
  }

  function open(t: TestApp, address: string, did: string, token?: string): Promise<Stream> {
    return (async () => {
      const response = await t.app.yoga.handleRequest(
        new Request('http://localhost:4000/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query: SUBSCRIBE, variables: { did } }),
        }),
        { req: { socket: { remoteAddress: address } } } as never,
      );
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      const ended = (async () => {
        let text = '';
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            text += value;
          }
        } catch {
          // cancelled
        }
        return text;
      })();
      return { response, ended, close: () => reader.cancel().catch(() => undefined) };
    })();
  }

  it('one address cannot take every slot; one DID neither; others still subscribe', async () => {
    const t = await createTestApp('embedded', { CREDENCE_SUBSCRIPTIONS_PER_ADDRESS: '2', CREDENCE_SUBSCRIPTIONS_PER_DID: '2' });
    const streams: Stream[] = [];
    try {
      const did = newKey().did;
      streams.push(await open(t, '203.0.113.10', did), await open(t, '203.0.113.10', did));
      const third = await open(t, '203.0.113.10', did);
      streams.push(third);
      expect(await third.ended).toContain('RATE_LIMITED');
      // Another client is not affected.
      const other = await open(t, '203.0.113.11', did);
      streams.push(other);
      await vi.waitFor(() => expect(t.app.services.trustChanges.size()).toBe(3));

      // Per DID, across addresses.
      const caller = newKey();
      streams.push(await open(t, '198.51.100.20', did, t.token(caller)), await open(t, '198.51.100.21', did, t.token(caller)));
      const overDid = await open(t, '198.51.100.22', did, t.token(caller));
      expect(await overDid.ended).toContain('RATE_LIMITED');
      await vi.waitFor(() => expect(t.app.services.trustChanges.size()).toBe(5));

      // Closing a stream gives its slot back.
      await streams[0]!.close();
      await vi.waitFor(() => expect(t.app.services.trustChanges.size()).toBe(4));
      const again = await open(t, '203.0.113.10', did);
      streams.push(again);
      await vi.waitFor(() => expect(t.app.services.trustChanges.size()).toBe(5));
    } finally {
      for (const stream of streams) await stream.close();
      await t.app.services.trustChanges.close();
      await t.close();
    }
  });

  it('an idle stream is ended and its slot reclaimed', async () => {
    const t = await createTestApp('embedded', { CREDENCE_SUBSCRIPTION_IDLE_SECONDS: '0.3', CREDENCE_SUBSCRIPTION_MAX_LIFETIME_SECONDS: '60' });
    try {
      const stream = await open(t, '203.0.113.30', newKey().did);
      await vi.waitFor(() => expect(t.app.services.trustChanges.size()).toBe(1));
      const text = await stream.ended;
      expect(text).toContain('event: complete');
      expect(t.app.services.trustChanges.size()).toBe(0);
    } finally {
      await t.app.services.trustChanges.close();
      await t.close();
    }
  });

  it('a stream is ended at its maximum lifetime even when the idle timeout is far away', async () => {
    const t = await createTestApp('embedded', { CREDENCE_SUBSCRIPTION_IDLE_SECONDS: '60', CREDENCE_SUBSCRIPTION_MAX_LIFETIME_SECONDS: '0.4' });
    try {
      const started = Date.now();
      const stream = await open(t, '203.0.113.31', newKey().did);
      const text = await stream.ended;
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
      expect(text).toContain('event: complete');
      expect(t.app.services.trustChanges.size()).toBe(0);
    } finally {
      await t.app.services.trustChanges.close();
      await t.close();
    }
  });
});
