// `credence serve` fails loudly: a port it cannot listen on or a database it cannot reach ends the process with exit
// code 1 and a plain message, and everything start-up had opened is closed again (so the process can end at all).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { describeDatabaseUrl, listenFailureMessage, startServer, StartupError } from '../../src/main.ts';
import { CLI, spawnCli, waitFor } from '../helpers/cli.ts';
import { createScratchPostgres, type TestDatabase } from '../helpers/database.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL;
const ISSUER_SEED_HEX = Buffer.alloc(32, 7).toString('hex');

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

/** Resolves with the exit code and when the process printed `marker` and when it exited (ms since the epoch). */
function exitOf(child: ReturnType<typeof spawnCli>, marker: string): Promise<{ code: number | null; markedAt: number; exitedAt: number }> {
  let markedAt = Number.NaN;
  const watch = (chunk: Buffer) => {
    if (Number.isNaN(markedAt) && chunk.toString().includes(marker)) markedAt = Date.now();
  };
  child.stderr?.on('data', watch);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, markedAt, exitedAt: Date.now() })));
}

let dataDir: string;
/** With TEST_DATABASE_URL the servers share one real database (a restart script's case: the same configuration twice). */
let shared: (TestDatabase & { url: string }) | undefined;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'credence-contract-startup-'));
  if (ADMIN_URL) {
    shared = await createScratchPostgres(ADMIN_URL, 'credence_contract_serve');
    await shared.database.close();
  }
});
afterAll(async () => {
  await shared?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('messages', () => {
  it('says what is wrong with the address and what to change', () => {
    const failure = (code: string) => Object.assign(new Error(`listen ${code}`), { code });
    expect(listenFailureMessage(failure('EADDRINUSE'), '0.0.0.0', 4000)).toBe(
      'cannot listen on 0.0.0.0:4000: the port is already in use (another credence serve or another program); stop it or set PORT',
    );
    expect(listenFailureMessage(failure('EACCES'), '0.0.0.0', 80)).toBe(
      'cannot listen on 0.0.0.0:80: permission denied (ports below 1024 need privileges); set PORT to 1024 or above',
    );
    expect(listenFailureMessage(failure('EADDRNOTAVAIL'), '192.0.2.1', 4000)).toBe(
      'cannot listen on 192.0.2.1:4000: 192.0.2.1 is not an address of this machine; set HOST',
    );
    expect(listenFailureMessage(failure('EOTHER'), 'h', 1)).toBe('cannot listen on h:1: listen EOTHER');
  });

  it('names the database without its password', () => {
    expect(describeDatabaseUrl('postgres://app:s3cret@db.internal:6543/credence')).toBe('db.internal:6543/credence');
    expect(describeDatabaseUrl('postgres://app:s3cret@db.internal/credence')).toBe('db.internal:5432/credence');
  });
});

describe('credence serve', () => {
  it('a second serve on a taken port exits 1 within 5 s of finding it taken, and the first keeps serving', async () => {
    const port = String(await freePort());
    // Without PostgreSQL each embedded database needs its own directory (one process at a time may open one).
    const database = (name: string): Record<string, string> => (shared ? { DATABASE_URL: shared.url } : { CREDENCE_DATA_DIR: path.join(dataDir, name) });
    const env = { HOST: '127.0.0.1', PORT: port, CREDENCE_ISSUER_KEY: ISSUER_SEED_HEX, CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0', CREDENCE_LOG_LEVEL: 'warn' };
    const first = spawnCli(['serve'], { ...env, ...database('first') });
    const second = { child: undefined as ReturnType<typeof spawnCli> | undefined };
    try {
      // The first start migrates a fresh database: on a busy machine that takes a while.
      expect((await waitFor(`http://127.0.0.1:${port}/health`, 150_000).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${first.output()}`);
      })).status).toBe(200);
      second.child = spawnCli(['serve'], { ...env, ...database('second') });
      // Start-up itself (loading the service, migrating its database) is slow on a loaded machine; the promise is
      // about what happens once listening fails: it must end, not idle.
      const { code, markedAt, exitedAt } = await exitOf(second.child, 'cannot listen');
      expect(code, second.child.output()).toBe(1);
      expect(second.child.output()).toContain(
        `credence serve: cannot listen on 127.0.0.1:${port}: the port is already in use (another credence serve or another program); stop it or set PORT`,
      );
      expect(second.child.output()).toContain('"msg":"cannot start"');
      expect(exitedAt - markedAt).toBeLessThan(5_000);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      expect(first.exitCode).toBeNull();
    } finally {
      first.kill('SIGKILL');
      second.child?.kill('SIGKILL');
    }
  }, 300_000);

  it('a database that refuses connections exits 1 with a plain message and no password', async () => {
    const child = spawnCli(['serve'], {
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      DATABASE_URL: 'postgres://credence:hunter2secret@127.0.0.1:1/credence',
      CREDENCE_ISSUER_KEY: ISSUER_SEED_HEX,
      CREDENCE_LOG_LEVEL: 'warn',
    });
    try {
      const { code, markedAt, exitedAt } = await exitOf(child, 'cannot reach the database');
      expect(code, child.output()).toBe(1);
      expect(child.output()).toContain('credence serve: cannot reach the database at 127.0.0.1:1/credence (DATABASE_URL): connect ECONNREFUSED 127.0.0.1:1');
      expect(child.output()).not.toContain('hunter2secret');
      expect(exitedAt - markedAt).toBeLessThan(5_000);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});

/** Whether this process can start another as an unprivileged user that may not bind port 1023. */
function canDropPrivileges(): boolean {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv')) return false;
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')) > 1023;
  } catch {
    return false;
  }
}

// Needs root to start the server as `nobody`, and PostgreSQL (nobody cannot write an embedded data directory here).
describe.skipIf(!ADMIN_URL || !canDropPrivileges())('credence serve without the privilege to bind its port', () => {
  it('exits 1 saying permission denied', async () => {
    const env = { ...process.env, HOME: tmpdir(), DATABASE_URL: shared!.url, HOST: '127.0.0.1', PORT: '1023', CREDENCE_ISSUER_KEY: ISSUER_SEED_HEX, CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0', CREDENCE_LOG_LEVEL: 'warn' };
    const child = spawn('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, output).toBe(1);
    expect(output).toContain('credence serve: cannot listen on 127.0.0.1:1023: permission denied (ports below 1024 need privileges); set PORT to 1024 or above');
  }, 120_000);
});

describe.skipIf(!ADMIN_URL)('start-up and shutdown on PostgreSQL release their connections', () => {
  let scratch: TestDatabase & { url: string };
  let admin: pg.Client;
  const connections = async () => {
    const result = await admin.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    return Number(result.rows[0]!.n);
  };
  const waitForConnections = async (expected: number) => {
    // The server ends a closed connection's backend a moment after the client hangs up.
    for (let i = 0; i < 100 && (await connections()) !== expected; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    return connections();
  };

  beforeAll(async () => {
    scratch = await createScratchPostgres(ADMIN_URL!, 'credence_contract_startup');
    await scratch.database.close();
    admin = new pg.Client({ connectionString: scratch.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await scratch?.drop();
  });

  it('a start that cannot listen closes the pool and the notification listener before it throws', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const config = loadConfig({ DATABASE_URL: scratch.url, HOST: '127.0.0.1', PORT: String(port), CREDENCE_ISSUER_KEY: ISSUER_SEED_HEX, CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0' });
      const failed = await startServer(config, silentLogger).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(StartupError);
      expect((failed as Error).message).toContain('the port is already in use');
      expect(await waitForConnections(0)).toBe(0);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('an address that is not this machine is refused the same way', async () => {
    const config = loadConfig({ DATABASE_URL: scratch.url, HOST: '192.0.2.1', PORT: String(await freePort()), CREDENCE_ISSUER_KEY: ISSUER_SEED_HEX, CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0' });
    await expect(startServer(config, silentLogger)).rejects.toThrow('cannot listen on 192.0.2.1');
    expect(await waitForConnections(0)).toBe(0);
  });

  it('close() releases every connection it opened', async () => {
    const config = loadConfig({ DATABASE_URL: scratch.url, HOST: '127.0.0.1', PORT: '0', CREDENCE_ISSUER_KEY: ISSUER_SEED_HEX, CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0' });
    const running = await startServer(config, silentLogger);
    const address = running.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    // The pool and the LISTEN connection of the trust change feed.
    expect(await connections()).toBeGreaterThanOrEqual(2);
    await running.close();
    expect(await waitForConnections(0)).toBe(0);
  });
});
