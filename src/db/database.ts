// One code path for both databases: Kysely's stock PostgresDialect over a pg Pool, which is either a real
// PostgreSQL pool or PGlite's own node-postgres adapter with a pool of one (PGlite is a single connection).
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseSchema } from './schema.ts';
import { usePreparedStatements } from './prepared.ts';
import { createPostgresListener, type NotificationHandler, type Unlisten } from './notification-listener.ts';

// int8 (COUNT, SUM of ints) as JS numbers: the counts here stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// numeric as strings would leak into arithmetic; the values kept here are USD amounts and scores.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

export type Db = Kysely<DatabaseSchema>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'embedded';
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  /**
   * LISTEN on a channel: PostgreSQL through one dedicated connection (reconnected when it drops), PGlite through its
   * own listen. Handlers run for notifications committed by any connection, this process's or another's.
   */
  listen?(channel: string, handler: NotificationHandler): Promise<Unlisten>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files; `memory://` keeps nothing. */
  dataDir?: string;
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    // JIT compilation pays off for analytics, not for millisecond reads: a misestimated plan would spend seconds
    // compiling a query that runs in a few milliseconds.
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, options: '-c jit=off' });
    // An idle client losing its server (a PostgreSQL restart) must not crash the process.
    pool.on('error', () => undefined);
    // Nor a checked-out one between two of its queries (the pool listens on idle clients only): the next query
    // fails instead, and the pool drops the broken client when it is released.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      usePreparedStatements(client);
    });
    let listener: ReturnType<typeof createPostgresListener> | undefined;
    const databaseUrl = options.databaseUrl;
    return wrap(pool, 'postgres', async () => listener?.close(), (channel, handler) => {
      listener ??= createPostgresListener(databaseUrl);
      return listener.listen(channel, handler);
    });
  }
  const dataDir = options.dataDir ?? '.credence';
  const pgliteDir = dataDir === 'memory://' ? 'memory://' : `${dataDir}/pglite`;
  if (pgliteDir !== 'memory://') await mkdir(pgliteDir, { recursive: true });
  const pglite = await PGlite.create(pgliteDir);
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  return wrap(pool, 'embedded', () => pglite.close(), (channel, handler) => pglite.listen(channel, handler));
}

function wrap(
  pool: pg.Pool,
  kind: Database['kind'],
  closeEngine: () => Promise<void>,
  listen: NonNullable<Database['listen']>,
): Database {
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind,
    listen,
    async ping() {
      try {
        await pool.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await db.destroy();
      await closeEngine();
    },
  };
}
