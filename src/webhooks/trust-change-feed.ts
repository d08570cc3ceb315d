// What feeds the trustChanged subscription: the `credence_trust_changed` notifications, which the announcer sends
// inside the transaction that changed trust and the database delivers at commit to every listener (PostgreSQL:
// every instance on the database; embedded PGlite: every app on this process's database, through PGlite's listen).
import type { Database } from '../db/database.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { parseTrustChangeNotice, TRUST_CHANGED_CHANNEL, type TrustChangeNotice } from './events.ts';

/** Notices a slow subscriber may have waiting; older ones are dropped first (the newest report is what matters). */
const MAX_QUEUED = 32;

export interface TrustChangeFeed {
  /** Starts listening (idempotent). Subscriptions await it, so a subscriber hears every change committed after. */
  start(): Promise<void>;
  /** Notices about one DID, until the iterator is returned or the feed closes. */
  subscribe(did: string): AsyncIterableIterator<TrustChangeNotice>;
  /** Number of open subscriptions. */
  size(): number;
  /** Stops listening and ends every subscription (so open event streams finish). */
  close(): Promise<void>;
}

export function createTrustChangeFeed(database: Pick<Database, 'listen'>, logger: Logger = silentLogger): TrustChangeFeed {
  const byDid = new Map<string, Set<(notice: TrustChangeNotice) => void>>();
  const enders = new Set<() => void>();
  let starting: Promise<void> | undefined;
  let unlisten: (() => Promise<void>) | undefined;
  let closed = false;

  const dispatch = (payload: string) => {
    const notice = parseTrustChangeNotice(payload);
    if (!notice) {
      logger.warn('ignored a malformed trust change notice', { channel: TRUST_CHANGED_CHANNEL });
      return;
    }
    for (const push of byDid.get(notice.did) ?? []) push(notice);
  };

  return {
    start() {
      starting ??= (async () => {
        if (!database.listen) {
          logger.warn('this database cannot LISTEN: trustChanged subscriptions will not receive changes');
          return;
        }
        unlisten = await database.listen(TRUST_CHANGED_CHANNEL, dispatch);
      })();
      return starting;
    },

    subscribe(did) {
      const queue: TrustChangeNotice[] = [];
      let wake: (() => void) | undefined;
      let done = closed;
      const push = (notice: TrustChangeNotice) => {
        if (queue.length >= MAX_QUEUED) queue.shift();
        queue.push(notice);
        wake?.();
      };
      const end = () => {
        if (done) return;
        done = true;
        const set = byDid.get(did);
        set?.delete(push);
        if (set && set.size === 0) byDid.delete(did);
        enders.delete(end);
        wake?.();
      };
      if (!done) {
        const set = byDid.get(did) ?? new Set();
        set.add(push);
        byDid.set(did, set);
        enders.add(end);
      }
      const iterator: AsyncIterableIterator<TrustChangeNotice> = {
        async next() {
          while (!done && queue.length === 0) {
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
          }
          if (queue.length > 0) return { value: queue.shift()!, done: false };
          return { value: undefined, done: true };
        },
        async return() {
          end();
          queue.length = 0;
          return { value: undefined, done: true };
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },

    size: () => enders.size,

    async close() {
      closed = true;
      for (const end of [...enders]) end();
      await starting?.catch(() => undefined);
      await unlisten?.().catch(() => undefined);
      unlisten = undefined;
    },
  };
}
