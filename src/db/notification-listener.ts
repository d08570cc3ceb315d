// LISTEN on a dedicated PostgreSQL connection (pooled connections cannot hold a LISTEN), reconnecting with backoff
// when the connection drops. Notifications sent while it was down are lost; listeners hear again from the
// reconnection on, and `sync` tells them a new connection was made (its number changes) so they can resynchronise.
import pg from 'pg';

/**
 * Stops a handler. From the PostgreSQL listener it also carries `sync`; PGlite's listen hands notifications to its
 * handlers before the committing statement returns, so it needs none.
 */
export type Unlisten = (() => Promise<void>) & { sync?: ListenerSync; fenceLsn?: FenceLsn; fencesSent?: () => number };

/**
 * The primary's WAL insert position read by the latest answered `sync` (null before one answers): every commit whose
 * notification was handled by then lies at or before it, so a replica that has replayed it holds those changes.
 */
export type FenceLsn = () => string | null;

/**
 * Resolves with the listening connection's number once every notification committed before the call has been
 * handed to the handlers; null when that cannot be known (no connection, or it did not answer in time). A different
 * number than last time means notifications may have been lost in between.
 */
export type ListenerSync = () => Promise<number | null>;
export type NotificationHandler = (payload: string) => void;

export interface NotificationListener {
  listen(channel: string, handler: NotificationHandler): Promise<Unlisten>;
  close(): Promise<void>;
}

export interface PostgresListenerOptions {
  /** First and longest wait between reconnection attempts. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  onError?: (error: Error) => void;
  /** How long `sync` waits for the connection's answer before it answers null (and later calls stop waiting). */
  syncTimeoutMs?: number;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/** `application_name` of the listening session. */
export const LISTENER_APPLICATION_NAME = 'credence-listener';

export function createPostgresListener(connectionString: string, options: PostgresListenerOptions = {}): NotificationListener {
  const minDelay = options.reconnectMinMs ?? 500;
  const maxDelay = options.reconnectMaxMs ?? 30_000;
  const handlers = new Map<string, Set<NotificationHandler>>();
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  let closed = false;
  let delay = minDelay;
  let retry: NodeJS.Timeout | null = null;
  const syncTimeout = options.syncTimeoutMs ?? 1_000;
  // Numbers the connections that have listened: a notification lost between two of them is detected by the change.
  let connectionNumber = 0;
  // The fence in flight (at most one), and the next one, not sent yet, which every caller arriving meanwhile shares.
  let fenceInFlight: Promise<number | null> | null = null;
  let fenceNext: Promise<number | null> | null = null;
  let fencesSent = 0;
  let lastFence: { sentAt: number; number: number; lsn: string } | null = null;
  // Set when a fence did not answer in time: until one answers, callers do not wait for it.
  let stalled = false;

  const report = (error: unknown) => options.onError?.(error instanceof Error ? error : new Error(String(error)));

  function scheduleReconnect() {
    if (closed || retry || handlers.size === 0) return;
    retry = setTimeout(() => {
      retry = null;
      connect().catch((error) => {
        report(error);
        scheduleReconnect();
      });
    }, delay);
    retry.unref();
    delay = Math.min(maxDelay, delay * 2);
  }

  function connect(): Promise<pg.Client> {
    if (client) return Promise.resolve(client);
    connecting ??= (async () => {
      // Named, so an operator (or a test) can find the listening session in pg_stat_activity.
      const next = new pg.Client({ connectionString, application_name: LISTENER_APPLICATION_NAME });
      let dropped = false;
      const drop = (error?: Error) => {
        if (dropped) return;
        dropped = true;
        if (error) report(error);
        if (client === next) client = null;
        next.end().catch(() => undefined);
        scheduleReconnect();
      };
      next.on('error', (error) => drop(error));
      next.on('end', () => drop());
      next.on('notification', (message) => {
        const set = handlers.get(message.channel);
        if (!set || message.payload === undefined) return;
        for (const handler of set) {
          try {
            handler(message.payload);
          } catch (error) {
            report(error);
          }
        }
      });
      try {
        await next.connect();
        for (const channel of handlers.keys()) await next.query(`listen ${channel}`);
      } catch (error) {
        dropped = true;
        next.end().catch(() => undefined);
        throw error;
      }
      if (closed) {
        dropped = true;
        await next.end().catch(() => undefined);
        throw new Error('listener closed');
      }
      client = next;
      connectionNumber += 1;
      delay = minDelay;
      stalled = false;
      return next;
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  }

  /**
   * A cheap query on the listening connection: PostgreSQL sends a session's pending notifications before it
   * reports the query done, so when it answers, every notification committed before it was sent has been handled.
   */
  function runFence(): Promise<number | null> {
    const current = client;
    if (!current) {
      if (!connecting) scheduleReconnect();
      return Promise.resolve(null);
    }
    const number = connectionNumber;
    const sentAt = performance.now();
    // The insert position, not the flushed one: it covers commits made visible without waiting for a flush too.
    const answered = current.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn').then(
      (result) => {
        stalled = false;
        if (client !== current || connectionNumber !== number) return null;
        if (!lastFence || lastFence.sentAt < sentAt) lastFence = { sentAt, number, lsn: result.rows[0]!.lsn };
        return number;
      },
      () => null,
    );
    if (stalled) return answered.then(() => null);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((resolve) => {
      timer = setTimeout(() => {
        stalled = true;
        resolve(null);
      }, syncTimeout);
      timer.unref();
    });
    return Promise.race([answered, timedOut]).finally(() => clearTimeout(timer));
  }

  function send(): Promise<number | null> {
    fencesSent += 1;
    const running = runFence();
    fenceInFlight = running;
    void running.finally(() => {
      if (fenceInFlight === running) fenceInFlight = null;
    });
    return running;
  }

  /**
   * One fence in flight at a time, and each is sent at the end of the event-loop turn (setImmediate) in which it was
   * first asked for, or when the one in flight answers, if that is later. Every caller asking before it is sent shares
   * it, and it covers them all, since it leaves after they arrived. Reads come in bursts (one poll of the sockets
   * parses several requests): sending at the first one's call left the rest of its burst to a second fence, nearly one
   * fence per read under load, and each fence's socket write was about 4% of a warm read's CPU.
   */
  const sync: ListenerSync = () => {
    if (stalled) {
      // Probe in the background; the caller falls back at once instead of waiting out the timeout again.
      if (!fenceInFlight) void send();
      return Promise.resolve(null);
    }
    fenceNext ??= (fenceInFlight ?? Promise.resolve(null))
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        fenceNext = null;
        return send();
      });
    return fenceNext;
  };

  return {
    async listen(channel, handler) {
      if (!CHANNEL.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
      if (closed) throw new Error('listener closed');
      let set = handlers.get(channel);
      const fresh = !set;
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
      }
      set.add(handler);
      try {
        const current = client ?? (await connect());
        // A connection made just now already listens to every registered channel.
        if (fresh && client === current) await current.query(`listen ${channel}`);
      } catch (error) {
        report(error);
        scheduleReconnect();
      }
      const unlisten: Unlisten = async () => {
        set.delete(handler);
        if (set.size === 0 && handlers.get(channel) === set) {
          handlers.delete(channel);
          await client?.query(`unlisten ${channel}`).catch(() => undefined);
        }
      };
      unlisten.sync = sync;
      unlisten.fencesSent = () => fencesSent;
      unlisten.fenceLsn = () => (lastFence && lastFence.number === connectionNumber ? lastFence.lsn : null);
      return unlisten;
    },

    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      retry = null;
      const current = client ?? (connecting ? await connecting.catch(() => null) : null);
      client = null;
      handlers.clear();
      await current?.end().catch(() => undefined);
    },
  };
}
