// `credence serve`: the server, configured from the environment.
import { loadConfig } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import type { RunningServer } from '../../main.ts';
import { defineCommand } from './command.ts';

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'start the server (embedded database unless DATABASE_URL is set)',
  synopsis: ['serve'],
  description: `Start the HTTP server: GraphQL and GraphiQL at /graphql, the REST API, pages and badges. Migrations
run first. Configuration comes from the environment (PORT, HOST, DATABASE_URL, CREDENCE_DATA_DIR,
CREDENCE_PUBLIC_URL, CREDENCE_ADMIN_DIDS, ...; see the configuration table in README.md). Without DATABASE_URL the
data lives in an embedded PostgreSQL (PGlite) under CREDENCE_DATA_DIR (default .credence/), which one process at a
time may open. GET /ready answers 200 once the server takes requests. SIGTERM or SIGINT stops it cleanly. When it
cannot start (the port is in use or needs privileges, the database cannot be reached) it says why on stderr and
exits 1, with everything it had opened closed. CREDENCE_WORKERS=N (PostgreSQL only) forks N server processes that
share the port; the first applies the migrations and runs the background jobs.`,
  options: {},
  async run() {
    // CREDENCE_WORKERS above 1: this process forks and supervises the servers instead (cluster.ts).
    const loaded = loadConfig();
    const role = (await import('../../cluster.ts')).serveRole(loaded, createLogger(loaded.logLevel));
    if (role.kind === 'primary') return role.run();
    const { config, logger } = role;
    // Loaded on use: the whole service, which `credence serve --help` must not start or even load.
    const { closeOnSignals, startServer } = await import('../../main.ts');
    let running: RunningServer;
    try {
      running = await startServer(config, logger);
    } catch (error) {
      // Said twice on purpose: a JSON log line for log collectors, a plain line for whoever started it.
      const message = error instanceof Error ? error.message : String(error);
      logger.error('cannot start', { error: message });
      process.stderr.write(`credence serve: ${message}\n`);
      return 1;
    }
    closeOnSignals(running, logger);
    return -1;
  },
});
