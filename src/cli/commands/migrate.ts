// `credence migrate`: apply the database migrations (they also run when the server starts).
import { loadConfig } from '../../config.ts';
import { withDatabase } from '../with-database.ts';
import { defineCommand } from './command.ts';

export const migrateCommand = defineCommand({
  name: 'migrate',
  summary: 'apply the database migrations',
  synopsis: ['migrate'],
  description: `Apply the migrations the database does not have yet, then print what was applied ("database is up
to date" when nothing was). The server applies them on start too; a second run applies nothing. Uses DATABASE_URL,
or the embedded database under CREDENCE_DATA_DIR when it is unset.`,
  options: {},
  async run(input) {
    const config = loadConfig(input.io.env);
    return withDatabase(config, async (_database, { applied }) => {
      input.print(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`);
      return 0;
    });
  },
});
