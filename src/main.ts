// Process entry: config → database → migrations → issuer key → app → listen. SIGTERM and SIGINT close cleanly.
import { createServer, type Server } from 'node:http';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import { createApp, type App } from './app.ts';
import type { Config } from './config.ts';
import { closeProofPool } from './credentials/proof-pool.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { openRateLimitRedis, redisRateLimitStore, redisReady } from './http/rate-limit.redis.ts';
import { loadIssuerKey } from './issuer/issuer-key.ts';
import { createLogger, type Logger } from './logger.ts';
import { runPropagation } from './trust/store/propagation-job.ts';
import { trustSettings } from './trust/store/settings.ts';
import { createDeliveryWorker } from './webhooks/delivery-worker.ts';

export interface RunningServer {
  app: App;
  server: Server;
  database: Database;
  url: string;
  close(): Promise<void>;
}

const TOKEN_PURGE_INTERVAL_MS = 60_000;
const WEBHOOK_PURGE_INTERVAL_MS = 600_000;

/** Start-up could not finish (port taken, database unreachable); the message says which and what to do. */
export class StartupError extends Error {}

/**
 * Starts the service. On failure everything opened so far (database pool, notification listener, workers) is closed
 * before the error is thrown, so the process can exit instead of idling without listening.
 */
export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const opened: Array<() => Promise<unknown>> = [];
  try {
    return await openAndListen(config, logger, opened);
  } catch (error) {
    for (const release of opened.reverse()) await release().catch(() => undefined);
    throw error;
  }
}

/** Where DATABASE_URL points, without its password: for messages. */
export function describeDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** Why `listen` failed, in words an operator can act on. */
export function listenFailureMessage(error: unknown, host: string, port: number): string {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is already in use (another credence serve or another program); stop it or set PORT`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges); set PORT to 1024 or above`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${host} is not an address of this machine; set HOST`;
    default:
      return `cannot listen on ${where}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: unknown) => reject(new StartupError(listenFailureMessage(error, host, port), { cause: error }));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

/**
 * The rate-limit Redis, waited for briefly: one that is down at start is said once, and the service starts anyway,
 * counting in memory until the client's reconnects find it (the limit never lifts, see rate-limit.ts).
 */
async function openRateLimitRedisForServe(url: string, logger: Logger): Promise<Redis> {
  const redis = openRateLimitRedis(url);
  // Without a listener an unreachable server's errors would be thrown as unhandled 'error' events.
  let lastError = '';
  redis.on('error', (error: Error) => {
    lastError = error.message;
  });
  if (!(await redisReady(redis, 3000))) {
    logger.warn('rate-limit Redis not reachable yet; counting in memory until it is', { redis: describeRedisUrl(url), error: lastError });
  }
  return redis;
}

/** The URL without its password, for logs. */
function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.username = '';
    return parsed.toString();
  } catch {
    return 'redis';
  }
}

async function openAndListen(config: Config, logger: Logger, opened: Array<() => Promise<unknown>>): Promise<RunningServer> {
  // The OpenTelemetry SDK is loaded only when tracing is on.
  const tracing = config.tracing ? (await import('./observability/tracing.ts')).startTracing() : undefined;
  // Released last on a failed start: spans already recorded are flushed and the exporter stops.
  if (tracing) opened.push(() => tracing.shutdown());
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    ...(tracing ? { wrapDialect: tracing.wrapDialect } : {}),
  });
  opened.push(() => database.close());
  // A server that is down or refuses us is said plainly here, not as a failed migration.
  if (config.databaseUrl) {
    await sql`select 1`.execute(database.db).catch((error: unknown) => {
      throw new StartupError(
        `cannot reach the database at ${describeDatabaseUrl(config.databaseUrl!)} (DATABASE_URL): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    });
  }
  // The replica may be down at start: reads then go to the primary until a probe finds it (read-router.ts).
  const readDatabase = config.readDatabaseUrl
    ? await openDatabase({ databaseUrl: config.readDatabaseUrl, ...(tracing ? { wrapDialect: tracing.wrapDialect } : {}) })
    : undefined;
  if (readDatabase) opened.push(() => readDatabase.close());
  const { applied } = await migrateToLatest(database.db);
  if (applied.length > 0) logger.info('migrations applied', { applied });
  const issuerKey = await loadIssuerKey({ issuerKey: config.issuerKey, dataDir: config.dataDir });
  opened.push(closeProofPool);
  const rateLimitRedis = config.rateLimitStore === 'redis' ? await openRateLimitRedisForServe(config.redisUrl!, logger) : undefined;
  if (rateLimitRedis) opened.push(() => rateLimitRedis.quit().catch(() => rateLimitRedis.disconnect()));
  const app = await createApp({
    config,
    database,
    issuerKey,
    logger,
    ...(tracing ? { tracing } : {}),
    ...(readDatabase ? { readDatabase } : {}),
    ...(rateLimitRedis ? { rateLimitStore: redisRateLimitStore(rateLimitRedis) } : {}),
  });

  // Slow or stalled clients must not hold sockets forever: they get 408 and the socket closes. Node checks these
  // deadlines on an interval, so the interval must be short next to them.
  const requestTimeout = Math.round(config.requestTimeoutSeconds * 1000);
  const headersTimeout = Math.min(requestTimeout, Math.round(config.headersTimeoutSeconds * 1000));
  const server = createServer(
    { requestTimeout, headersTimeout, connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))) },
    app.listener,
  );
  opened.push(() => app.services.trustChanges.close());
  await listen(server, config.port, config.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;

  const purge = setInterval(() => {
    app.services.tokenStore.purgeExpired().catch(() => undefined);
  }, TOKEN_PURGE_INTERVAL_MS);
  purge.unref();

  // Credibility propagation in the background: reads never wait for it, and the advisory lock lets only one
  // instance run it at a time.
  let propagating: Promise<void> | undefined;
  const propagate = () => {
    propagating ??= runPropagation(database.db, new Date(), trustSettings(config))
      .then((run) => {
        if (!run.ran) return;
        app.metrics.observePropagation((run.milliseconds ?? 0) / 1000);
        logger.info('propagation finished', { milliseconds: run.milliseconds, ...run.stats });
      })
      .catch((error: unknown) => logger.error('propagation failed', { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        propagating = undefined;
      });
  };
  const propagation = config.propagationIntervalSeconds > 0 ? setInterval(propagate, config.propagationIntervalSeconds * 1000) : undefined;
  propagation?.unref();
  if (propagation) propagate();

  // Webhook delivery from the outbox: every instance may run it; claims keep each event with one of them.
  const worker = createDeliveryWorker({
    db: database.db,
    timeoutMs: Math.round(config.webhooks.timeoutSeconds * 1000),
    maxAttempts: config.webhooks.maxAttempts,
    backoff: { baseSeconds: config.webhooks.backoffBaseSeconds, capSeconds: config.webhooks.backoffCapSeconds },
    allowPrivateAddresses: config.webhooks.allowPrivateAddresses,
    retentionDays: config.webhooks.retentionDays,
    logger,
  });
  let delivering: Promise<void> | undefined;
  const deliver = () => {
    delivering ??= worker
      .drain()
      .then(() => undefined)
      .catch((error: unknown) => logger.error('webhook delivery failed', { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        delivering = undefined;
      });
  };
  const delivery = config.webhooks.intervalSeconds > 0 ? setInterval(deliver, config.webhooks.intervalSeconds * 1000) : undefined;
  delivery?.unref();
  // Finished deliveries older than the retention go, in bounded batches; any instance may do it.
  let purgingOutbox: Promise<void> | undefined;
  const purgeOutbox = () => {
    purgingOutbox ??= worker
      .purgeFinished()
      .then(() => undefined)
      .catch((error: unknown) => logger.error('webhook outbox purge failed', { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        purgingOutbox = undefined;
      });
  };
  const outboxPurge = config.webhooks.retentionDays > 0 ? setInterval(purgeOutbox, WEBHOOK_PURGE_INTERVAL_MS) : undefined;
  outboxPurge?.unref();

  logger.info('credence listening', { url: `${url}/graphql`, did: app.serviceDid, database: database.kind, tracing: config.tracing });

  let closing: Promise<void> | undefined;
  return {
    app,
    server,
    database,
    url,
    close() {
      closing ??= (async () => {
        clearInterval(purge);
        if (propagation) clearInterval(propagation);
        if (delivery) clearInterval(delivery);
        if (outboxPurge) clearInterval(outboxPurge);
        await propagating;
        await delivering;
        await purgingOutbox;
        // Ends open trustChanged streams, so their connections can close.
        await app.services.trustChanges.close();
        // Idle proof workers do not hold the process open, but a shutdown ends them rather than leave that to exit.
        await closeProofPool();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await database.close();
        await readDatabase?.close();
        await rateLimitRedis?.quit().catch(() => rateLimitRedis.disconnect());
        // The last spans (this shutdown's own requests) go out before the process ends.
        await tracing?.shutdown();
      })();
      return closing;
    },
  };
}

export function closeOnSignals(running: RunningServer, logger: Logger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info('shutting down', { signal });
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      running.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('shutdown failed', { error: String(error) });
          process.exit(1);
        },
      );
    });
  }
}
