// LISTEN on a dedicated PostgreSQL connection (pooled connections cannot hold a LISTEN), reconnecting with backoff
// when the connection drops. Notifications sent while it was down are lost; listeners hear again from the
// reconnection on.
import pg from 'pg';

export type Unlisten = () => Promise<void>;
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
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

export function createPostgresListener(connectionString: string, options: PostgresListenerOptions = {}): NotificationListener {
  const minDelay = options.reconnectMinMs ?? 500;
  const maxDelay = options.reconnectMaxMs ?? 30_000;
  const handlers = new Map<string, Set<NotificationHandler>>();
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  let closed = false;
  let delay = minDelay;
  let retry: NodeJS.Timeout | null = null;

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
      const next = new pg.Client({ connectionString });
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
      delay = minDelay;
      return next;
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  }

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
      return async () => {
        set.delete(handler);
        if (set.size === 0 && handlers.get(channel) === set) {
          handlers.delete(channel);
          await client?.query(`unlisten ${channel}`).catch(() => undefined);
        }
      };
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
