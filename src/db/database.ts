// One code path for both databases: Kysely's stock PostgresDialect over a pg Pool, which is either a real
// PostgreSQL pool or PGlite's own node-postgres adapter with a pool of one (PGlite is a single connection).
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, type Dialect } from 'kysely';
import pg from 'pg';
import type { DatabaseSchema } from './schema.ts';
import { usePreparedStatements } from './prepared.ts';
import { nulGuardedDialect } from './nul-guard.ts';
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
  /** Wraps Kysely's dialect (tracing puts a span around each statement); the stock dialect unless given. */
  wrapDialect?: (dialect: Dialect) => Dialect;
}

/**
 * The database a PostgreSQL URL names. Without one, pg would fall back to PGDATABASE or the user's name (usually
 * `postgres`) and Credence's tables would land there unnoticed, so that is refused.
 */
export function databaseNameFromUrl(databaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('DATABASE_URL is not a URL; expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql://, not ${url.protocol}//`);
  }
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (name === '' || name.includes('/')) {
    const example = new URL(url.href);
    example.password = example.password ? '***' : '';
    example.pathname = '/credence';
    throw new Error(
      `DATABASE_URL names no database (its path should be /DATABASE): use e.g. ${example.href} ` +
        'after creating it with `createdb credence`',
    );
  }
  return name;
}

/** `createdb` arguments that reach the same server as the URL, for the hint when its database is missing. */
function createdbCommand(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  const args = ['createdb'];
  if (url.hostname) args.push('-h', decodeURIComponent(url.hostname).replace(/^\[|\]$/g, ''));
  if (url.port) args.push('-p', url.port);
  if (url.username) args.push('-U', decodeURIComponent(url.username));
  args.push(/^[A-Za-z0-9_]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`);
  return args.join(' ');
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const databaseName = databaseNameFromUrl(options.databaseUrl);
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
    // A database that does not exist is a setup step, not an outage: say which and how to create it. Any other
    // failure (a server that is down) surfaces on first use, as before.
    try {
      await pool.query('select 1');
    } catch (error) {
      if ((error as { code?: unknown }).code === '3D000') {
        await pool.end().catch(() => undefined);
        throw new Error(
          `database "${databaseName}" (from DATABASE_URL) does not exist; create it with ` +
            `\`${createdbCommand(options.databaseUrl, databaseName)}\` (or CREATE DATABASE in psql), then start again`,
          { cause: error },
        );
      }
    }
    let listener: ReturnType<typeof createPostgresListener> | undefined;
    const databaseUrl = options.databaseUrl;
    return wrap(pool, 'postgres', async () => listener?.close(), (channel, handler) => {
      listener ??= createPostgresListener(databaseUrl);
      return listener.listen(channel, handler);
    }, options.wrapDialect);
  }
  const dataDir = options.dataDir ?? '.credence';
  const pgliteDir = dataDir === 'memory://' ? 'memory://' : `${dataDir}/pglite`;
  if (pgliteDir !== 'memory://') await mkdir(pgliteDir, { recursive: true });
  const pglite = await PGlite.create(pgliteDir);
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  return wrap(pool, 'embedded', () => pglite.close(), (channel, handler) => pglite.listen(channel, handler), options.wrapDialect);
}

function wrap(
  pool: pg.Pool,
  kind: Database['kind'],
  closeEngine: () => Promise<void>,
  listen: NonNullable<Database['listen']>,
  wrapDialect: DatabaseOptions['wrapDialect'],
): Database {
  const dialect = new PostgresDialect({ pool });
  const db = new Kysely<DatabaseSchema>({ dialect: nulGuardedDialect(wrapDialect ? wrapDialect(dialect) : dialect) });
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
