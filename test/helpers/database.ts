// Test databases: embedded PGlite always, plus a fresh real PostgreSQL database per test file when
// TEST_DATABASE_URL is set (created here, dropped after). An embedded one is a private copy of the migrated template
// the global setup made (test/setup/pglite-template.ts), or a new in-memory database where there is none.
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export type TestDatabaseKind = 'embedded' | 'postgres';

export const testDatabaseKinds: TestDatabaseKind[] = process.env.TEST_DATABASE_URL
  ? ['embedded', 'postgres']
  : ['embedded'];

export interface TestDatabase {
  database: Database;
  /** Set for real PostgreSQL: a URL other processes (a second server) can use. */
  url: string | undefined;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'embedded') return createEmbeddedDatabase();
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  return createScratchPostgres(adminUrl, `credence_test_${process.pid}`);
}

async function createEmbeddedDatabase(): Promise<TestDatabase> {
  const templateDir = templateDirFromGlobalSetup();
  if (!templateDir) {
    const database = await openDatabase({ dataDir: 'memory://' });
    await migrateToLatest(database.db);
    return { database, url: undefined, drop: () => database.close() };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'credence-test-db-'));
  await cp(templateDir, dataDir, { recursive: true });
  const database = await openDatabase({ dataDir });
  // Applies nothing unless a migration was added after the template was made; then the copy catches up.
  await migrateToLatest(database.db);
  return {
    database,
    url: undefined,
    async drop() {
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The template's directory, or undefined outside vitest (a bench script) or where the global setup did not run. */
function templateDirFromGlobalSetup(): string | undefined {
  if (!process.env.VITEST) return undefined;
  return inject('pgliteTemplateDir');
}

/** A new, migrated PostgreSQL database next to `adminUrl`'s, dropped (with its connections) by `drop()`. */
export async function createScratchPostgres(adminUrl: string, prefix: string): Promise<TestDatabase & { url: string }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 10 });
  await migrateToLatest(database.db);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
