// Migrates one embedded database into a template directory before the test files run. Each test database is then a
// private copy of it (test/helpers/database.ts), so a file starts from the latest schema without creating and
// migrating PGlite from scratch; no two tests share a database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A CREDENCE_DATA_DIR whose embedded database holds every migration; copy it, never open it in place. */
    pgliteTemplateDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const templateDir = await mkdtemp(join(tmpdir(), 'credence-pglite-template-'));
  const database = await openDatabase({ dataDir: templateDir });
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
  project.provide('pgliteTemplateDir', templateDir);
  return () => rm(templateDir, { recursive: true, force: true });
}
