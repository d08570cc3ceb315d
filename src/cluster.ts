// `CREDENCE_WORKERS=N`: `credence serve` as a primary process that forks N server processes sharing one port
// (node:cluster; the primary hands connections out in turn). The primary opens no database and serves nothing.
//
// - Worker 1 starts alone and applies the migrations; the others start once it listens, and find nothing to apply.
// - Background jobs run once: credibility propagation and webhook delivery run in worker 1 only (the others are
//   started with those intervals at 0). Token and outbox purges stay in every worker: they are bounded deletes
//   that any instance may run.
// - SIGTERM or SIGINT to the primary stops every worker cleanly (each closes as a single server does) and then the
//   primary, exit 0 when every worker exited 0.
// - A worker that dies while serving is replaced; a worker that cannot start stops the whole server with exit 1.
import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

const WORKER_INDEX_ENV = 'CREDENCE_WORKER_INDEX';
/** How long workers get to close before they are killed and the primary exits 1. */
const SHUTDOWN_GRACE_MS = 15_000;

/** The index (1..N) of this process as a server worker, or undefined in a process that was not forked by one. */
export function workerIndex(): number | undefined {
  if (cluster.isPrimary) return undefined;
  const index = Number(process.env[WORKER_INDEX_ENV]);
  return Number.isInteger(index) && index > 0 ? index : undefined;
}

/** The configuration worker `index` serves with: only worker 1 runs propagation and webhook delivery. */
export function workerConfig(config: Config, index: number): Config {
  if (index === 1) return config;
  return { ...config, propagationIntervalSeconds: 0, webhooks: Object.freeze({ ...config.webhooks, intervalSeconds: 0 }) };
}

/** Every line a worker logs names the worker, so an operator can tell them apart. */
export function workerLogger(logger: Logger, index: number): Logger {
  const tag = (fields?: Record<string, unknown>) => ({ worker: index, ...fields });
  return {
    debug: (message, fields) => logger.debug(message, tag(fields)),
    info: (message, fields) => logger.info(message, tag(fields)),
    warn: (message, fields) => logger.warn(message, tag(fields)),
    error: (message, fields) => logger.error(message, tag(fields)),
  };
}

/** Why this configuration cannot run several workers, or undefined when it can. */
export function clusterRefusal(config: Config): string | undefined {
  if (config.workers > 1 && !config.databaseUrl) {
    return `CREDENCE_WORKERS=${config.workers} needs DATABASE_URL: the embedded database opens in one process only`;
  }
  return undefined;
}

export type ServeRole =
  | { kind: 'server'; config: Config; logger: Logger }
  | { kind: 'primary'; run: () => Promise<number> };

/**
 * What this `credence serve` process is: a plain server (one worker, or a forked worker with its own config and
 * logger), or the primary of `config.workers` forked servers.
 */
export function serveRole(config: Config, logger: Logger): ServeRole {
  const index = workerIndex();
  if (index !== undefined) return { kind: 'server', config: workerConfig(config, index), logger: workerLogger(logger, index) };
  if (config.workers <= 1) return { kind: 'server', config, logger };
  return { kind: 'primary', run: () => runPrimary(config, logger) };
}

/**
 * Forks the workers and supervises them until a signal. Resolves with an exit code only when start-up fails;
 * after that the primary ends itself (process.exit) once its workers have.
 */
async function runPrimary(config: Config, logger: Logger): Promise<number> {
  const refusal = clusterRefusal(config);
  if (refusal) {
    logger.error('cannot start', { error: refusal });
    process.stderr.write(`credence serve: ${refusal}\n`);
    return 1;
  }
  const workers = new Map<number, Worker>();
  let stopping = false;

  /** Forks worker `index`; resolves true once it listens, false if it exits first. */
  const fork = (index: number): Promise<boolean> =>
    new Promise((resolve) => {
      const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index) });
      workers.set(index, worker);
      let listening = false;
      worker.once('listening', () => {
        listening = true;
        resolve(true);
      });
      worker.once('exit', (code, signal) => {
        if (workers.get(index) === worker) workers.delete(index);
        if (!listening) return resolve(false);
        if (stopping) return;
        logger.error('worker exited; starting another', { worker: index, code, signal });
        void fork(index).then((started) => {
          if (!started) void stop(1);
        });
      });
    });

  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const exits = [...workers.values()].map(
      (worker) =>
        new Promise<number>((resolve) => {
          if (worker.process.exitCode !== null) return resolve(worker.process.exitCode);
          worker.once('exit', (exitCode) => resolve(exitCode ?? 1));
          // SIGTERM, whatever the primary got: a worker hit by a terminal's SIGINT as well must not be killed by a
          // second SIGINT (each signal is handled once).
          worker.process.kill('SIGTERM');
        }),
    );
    const force = setTimeout(() => {
      for (const worker of workers.values()) worker.process.kill('SIGKILL');
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    const codes = await Promise.all(exits);
    clearTimeout(force);
    const clean = codes.every((exitCode) => exitCode === 0);
    logger.info('workers stopped', { workers: codes.length, clean });
    process.exit(code !== 0 || !clean ? 1 : 0);
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      logger.info('shutting down', { signal, workers: workers.size });
      void stop(0);
    });
  }

  if (!(await fork(1))) {
    stopping = true;
    return 1;
  }
  const started = await Promise.all(Array.from({ length: config.workers - 1 }, (_, i) => fork(i + 2)));
  if (started.some((ok) => !ok)) {
    await stop(1);
    return 1;
  }
  logger.info('credence workers listening', { workers: config.workers, pids: [...workers.values()].map((worker) => worker.process.pid) });
  return -1;
}
