// Stream slots: caps per process, per client address and per DID; idle timeout refreshed by each event; maximum
// lifetime regardless of events; a slot is given back exactly once however the stream ends. Fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StreamSlots } from '../../../src/http/stream-limits.ts';
import { RateLimitError } from '../../../src/errors.ts';

/** A source that yields what is pushed into it, until returned. */
function source<T>() {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  let returned = 0;
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      while (!done && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      if (queue.length > 0) return { value: queue.shift()!, done: false };
      return { value: undefined, done: true };
    },
    async return() {
      returned += 1;
      done = true;
      wake?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return { iterator, push: (value: T) => (queue.push(value), wake?.()), returned: () => returned };
}

const options = { max: 3, perAddress: 2, perDid: 2, idleMs: 1_000, maxLifetimeMs: 5_000 };

describe('stream slots', () => {
  it('caps streams per address, per DID and per process, and gives slots back once', () => {
    const slots = new StreamSlots(options);
    const a1 = slots.acquire({ address: '203.0.113.1', did: null });
    slots.acquire({ address: '203.0.113.1', did: 'did:key:z6MkA' });
    expect(() => slots.acquire({ address: '203.0.113.1', did: null })).toThrow(RateLimitError);
    expect(() => slots.acquire({ address: '203.0.113.1', did: null })).toThrow(/per client address/);
    slots.acquire({ address: '203.0.113.2', did: 'did:key:z6MkA' });
    expect(slots.size).toBe(3);
    // Per process before anything else.
    expect(() => slots.acquire({ address: '203.0.113.3', did: null })).toThrow(/too many open subscriptions/);
    a1();
    a1();
    expect(slots.size).toBe(2);
    expect(() => slots.acquire({ address: '203.0.113.4', did: 'did:key:z6MkA' })).toThrow(/per DID/);
    // In-process requests (no address) are only counted per process and per DID.
    slots.acquire({ address: null, did: null });
    expect(slots.size).toBe(3);
  });
});

describe('bounded streams', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a stream that stays idle, returning its source and releasing once', async () => {
    const slots = new StreamSlots(options);
    const src = source<number>();
    const onEnd = vi.fn();
    const stream = slots.bound(src.iterator, onEnd);
    const pending = stream.next();
    await vi.advanceTimersByTimeAsync(999);
    expect(onEnd).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(onEnd).toHaveBeenCalledTimes(1);
    expect(src.returned()).toBe(1);
    await stream.return!();
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  it('each event restarts the idle timer, but not the lifetime', async () => {
    const slots = new StreamSlots(options);
    const src = source<number>();
    const onEnd = vi.fn();
    const stream = slots.bound(src.iterator, onEnd);
    const seen: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      await vi.advanceTimersByTimeAsync(800);
      if (onEnd.mock.calls.length > 0) break;
      src.push(i);
      const next = await stream.next();
      if (next.done) break;
      seen.push(next.value);
    }
    // 800 ms apart keeps it alive past several idle periods; the 5 s lifetime ends it after the sixth gap (4.8 s + …).
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(onEnd).not.toHaveBeenCalled();
    const last = stream.next();
    await vi.advanceTimersByTimeAsync(200);
    expect(await last).toEqual({ value: undefined, done: true });
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  it('a client closing the stream releases it and stops the timers', async () => {
    const slots = new StreamSlots(options);
    const src = source<number>();
    const onEnd = vi.fn();
    const stream = slots.bound(src.iterator, onEnd);
    await stream.return!();
    expect(onEnd).toHaveBeenCalledTimes(1);
    expect(src.returned()).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(onEnd).toHaveBeenCalledTimes(1);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });
});
