// Long-lived event streams (trustChanged over SSE) hold a slot each: bounded per process, per client address and per
// authenticated DID, so no one client can take them all; and each stream ends after an idle spell without events
// or at a maximum lifetime, so streams whose client is gone without closing are reclaimed. Clients reconnect.
import { RateLimitError } from '../errors.ts';

export interface StreamLimitOptions {
  /** Open streams in this process at most. */
  max: number;
  perAddress: number;
  perDid: number;
  /** A stream that delivered nothing for this long ends. */
  idleMs: number;
  /** Any stream ends this long after it opened. */
  maxLifetimeMs: number;
}

export interface StreamOwner {
  /** The client address key (see clientAddress); null for in-process requests. */
  address: string | null;
  /** The authenticated caller, if a token was sent. */
  did: string | null;
}

/** Seconds a refused subscriber is told to wait: about when an idle stream would have given its slot back. */
const RETRY_AFTER_SECONDS = 30;

export class StreamSlots {
  private open = 0;
  private readonly byAddress = new Map<string, number>();
  private readonly byDid = new Map<string, number>();

  constructor(readonly options: StreamLimitOptions) {}

  /** Streams currently holding a slot. */
  get size(): number {
    return this.open;
  }

  /** Takes a slot for `owner`, or throws RATE_LIMITED; the returned function gives it back (once). */
  acquire(owner: StreamOwner): () => void {
    if (this.open >= this.options.max) throw new RateLimitError('too many open subscriptions; try again later', RETRY_AFTER_SECONDS);
    if (owner.address !== null && (this.byAddress.get(owner.address) ?? 0) >= this.options.perAddress) {
      throw new RateLimitError(`at most ${this.options.perAddress} open subscriptions per client address`, RETRY_AFTER_SECONDS);
    }
    if (owner.did !== null && (this.byDid.get(owner.did) ?? 0) >= this.options.perDid) {
      throw new RateLimitError(`at most ${this.options.perDid} open subscriptions per DID`, RETRY_AFTER_SECONDS);
    }
    this.open += 1;
    if (owner.address !== null) increment(this.byAddress, owner.address, 1);
    if (owner.did !== null) increment(this.byDid, owner.did, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open -= 1;
      if (owner.address !== null) increment(this.byAddress, owner.address, -1);
      if (owner.did !== null) increment(this.byDid, owner.did, -1);
    };
  }

  /**
   * `source` bounded by the idle timeout and the maximum lifetime: when either passes, the source is returned (its
   * subscription let go) and the stream completes. `onEnd` runs once however the stream ends.
   */
  bound<T>(source: AsyncIterableIterator<T>, onEnd: () => void): AsyncIterableIterator<T> {
    let finished = false;
    const stop = () => {
      if (finished) return;
      finished = true;
      clearTimeout(idle);
      clearTimeout(lifetime);
      onEnd();
      // Wakes a pending next() with done.
      void source.return?.()?.catch(() => undefined);
    };
    const idle = setTimeout(stop, this.options.idleMs);
    const lifetime = setTimeout(stop, this.options.maxLifetimeMs);
    idle.unref?.();
    lifetime.unref?.();
    const iterator: AsyncIterableIterator<T> = {
      async next() {
        if (finished) return { value: undefined, done: true };
        const result = await source.next();
        if (result.done || finished) {
          stop();
          return { value: undefined, done: true };
        }
        idle.refresh();
        return result;
      },
      async return() {
        stop();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}

function increment(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}
