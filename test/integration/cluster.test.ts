// `CREDENCE_WORKERS=2 credence serve`: two server processes share the port and both answer; migrations and the
// background jobs run once; a worker that dies is replaced; SIGTERM to the primary stops everything cleanly.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterRefusal, workerConfig, workerLogger } from '../../src/cluster.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { spawnCli, waitFor } from '../helpers/cli.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL;
const ISSUER_SEED_HEX = Buffer.alloc(32, 9).toString('hex');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One GraphQL read on a connection of its own, so the primary hands each to the next worker. */
function readOnFreshConnection(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const req = request(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/** The JSON log lines in a process's output. */
function logLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function until(check: () => boolean, what: string, output: () => string, timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('worker configuration', () => {
  const config = loadConfig({ DATABASE_URL: 'postgres://localhost/credence', CREDENCE_WORKERS: '2', CREDENCE_PROPAGATION_INTERVAL_SECONDS: '60', CREDENCE_WEBHOOK_INTERVAL_SECONDS: '5' });

  it('runs propagation and webhook delivery in worker 1 only', () => {
    expect(config.workers).toBe(2);
    expect(workerConfig(config, 1)).toBe(config);
    const second = workerConfig(config, 2);
    expect(second.propagationIntervalSeconds).toBe(0);
    expect(second.webhooks.intervalSeconds).toBe(0);
    expect({ ...second, propagationIntervalSeconds: 60, webhooks: { ...second.webhooks, intervalSeconds: 5 } }).toEqual(config);
  });

  it('defaults to one worker and refuses more than one on the embedded database', () => {
    expect(loadConfig({}).workers).toBe(1);
    expect(clusterRefusal(loadConfig({}))).toBeUndefined();
    expect(clusterRefusal(config)).toBeUndefined();
    expect(clusterRefusal(loadConfig({ CREDENCE_WORKERS: '2' }))).toBe('CREDENCE_WORKERS=2 needs DATABASE_URL: the embedded database opens in one process only');
    expect(() => loadConfig({ CREDENCE_WORKERS: '0' })).toThrow();
  });

  it('names the worker on every log line', () => {
    const lines: string[] = [];
    workerLogger(createLogger('debug', (line) => lines.push(line)), 2).info('hello', { a: 1 });
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'hello', worker: 2, a: 1 });
  });

  it('credence serve with two workers and no DATABASE_URL exits 1 and says why', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'credence-cluster-refusal-'));
    try {
      const child = spawnCli(['serve'], { CREDENCE_WORKERS: '2', CREDENCE_DATA_DIR: dataDir, PORT: String(await freePort()), HOST: '127.0.0.1' });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, child.output()).toBe(1);
      expect(child.output()).toContain('credence serve: CREDENCE_WORKERS=2 needs DATABASE_URL: the embedded database opens in one process only');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

// Several processes on one database need PostgreSQL: the embedded database opens in one process only.
describe.skipIf(!ADMIN_URL)('credence serve with CREDENCE_WORKERS=2 on PostgreSQL', () => {
  let databaseUrl: string;
  let dataDir: string;
  const name = `credence_cluster_${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    // A fresh, unmigrated database: the migrations must run once, in worker 1.
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(ADMIN_URL!);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dataDir = await mkdtemp(path.join(tmpdir(), 'credence-cluster-'));
  });
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('both workers answer, jobs run once, a dead worker is replaced, and SIGTERM stops all cleanly', async () => {
    const port = await freePort();
    const child = spawnCli(['serve'], {
      DATABASE_URL: databaseUrl,
      CREDENCE_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      CREDENCE_WORKERS: '2',
      CREDENCE_ISSUER_KEY: ISSUER_SEED_HEX,
      CREDENCE_LOG_LEVEL: 'info',
      // Runs once at start, in worker 1, then not again during the test.
      CREDENCE_PROPAGATION_INTERVAL_SECONDS: '3600',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await until(() => child.output().includes('"msg":"credence workers listening"'), 'both workers', () => child.output());
      expect((await waitFor(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
      const started = logLines(child.output()).find((line) => line.msg === 'credence workers listening')!;
      const pids = started.pids as number[];
      expect(pids).toHaveLength(2);
      expect(new Set(pids).size).toBe(2);

      for (let i = 0; i < 12; i += 1) expect(await readOnFreshConnection(port)).toBe(200);
      await until(
        () => logLines(child.output()).filter((line) => line.msg === 'request' && line.path === '/graphql').length >= 12,
        'the request log lines',
        () => child.output(),
      );
      const lines = logLines(child.output());
      const answeredBy = new Set(lines.filter((line) => line.msg === 'request' && line.path === '/graphql').map((line) => line.worker));
      expect([...answeredBy].sort()).toEqual([1, 2]);
      // Migrations applied by worker 1 alone; worker 2 started after and found nothing to apply.
      expect(lines.filter((line) => line.msg === 'migrations applied').map((line) => line.worker)).toEqual([1]);
      await until(() => logLines(child.output()).some((line) => line.msg === 'propagation finished'), 'the first propagation run', () => child.output());
      expect(logLines(child.output()).filter((line) => line.msg === 'propagation finished').map((line) => line.worker)).toEqual([1]);

      // A worker that dies while serving is replaced under the same index, and the port keeps answering.
      process.kill(pids[1]!, 'SIGKILL');
      await until(
        () => logLines(child.output()).filter((line) => line.msg === 'credence listening' && line.worker === 2).length === 2,
        'a replacement worker 2',
        () => child.output(),
      );
      for (let i = 0; i < 4; i += 1) expect(await readOnFreshConnection(port)).toBe(200);
      const replacement = logLines(child.output()).find((line) => line.msg === 'worker exited; starting another');
      expect(replacement).toMatchObject({ worker: 2, signal: 'SIGKILL' });

      child.kill('SIGTERM');
      expect(await exited, child.output()).toBe(0);
      expect(logLines(child.output()).find((line) => line.msg === 'workers stopped')).toMatchObject({ workers: 2, clean: true });
      expect(alive(pids[0]!)).toBe(false);
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 300_000);
});
