// The one way a command uses the database: open it from the configuration, bring it to the latest migration, hand it
// to the command, and close it whatever happens (an open PGlite directory or pg pool would keep the process alive).
import type { Config } from '../config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { migrateToLatest, type MigrationOutcome } from '../db/migrate.ts';

export async function withDatabase<T>(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  use: (database: Database, migration: MigrationOutcome) => Promise<T>,
): Promise<T> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const migration = await migrateToLatest(database.db);
    return await use(database, migration);
  } finally {
    await database.close();
  }
}
