// One code path for both databases: Kysely's stock PostgresDialect over a pg Pool, which is either a real
// PostgreSQL pool or PGlite's own node-postgres adapter with a pool of one (PGlite is a single connection).
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseSchema } from './schema.ts';

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
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle client losing its server (a PostgreSQL restart) must not crash the process.
    pool.on('error', () => undefined);
    return wrap(pool, 'postgres', async () => undefined);
  }
  const dataDir = options.dataDir ?? '.credence';
  const pgliteDir = dataDir === 'memory://' ? 'memory://' : `${dataDir}/pglite`;
  if (pgliteDir !== 'memory://') await mkdir(pgliteDir, { recursive: true });
  const pglite = await PGlite.create(pgliteDir);
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  return wrap(pool, 'embedded', () => pglite.close());
}

function wrap(pool: pg.Pool, kind: Database['kind'], closeEngine: () => Promise<void>): Database {
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind,
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
