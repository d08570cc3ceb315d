// A real streaming-replication pair for tests: a primary made with initdb and a standby made from it with
// `pg_basebackup -R`, each on its own free port in one temporary directory, both stopped and the directory removed
// by `stop()`. Its own primary rather than the shared server on 5432: that server's pg_hba need not allow
// replication connections, and pausing replay must not touch anything else. PostgreSQL refuses to run as root, so
// the servers run as the `postgres` user (runuser), which needs root.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

function postgresUser(): { uid: number; gid: number } | null {
  try {
    // Synchronous on purpose: the test file decides whether to skip when it is loaded.
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

/** Why the pair cannot be made on this machine, or null when it can. */
export function replicaClusterUnavailable(): string | null {
  if (process.platform !== 'linux') return 'needs Linux (runuser and the Debian PostgreSQL layout)';
  if (process.getuid?.() !== 0) return 'needs root, to run the PostgreSQL servers as the postgres user with runuser';
  for (const tool of ['initdb', 'pg_ctl', 'pg_basebackup']) {
    if (!existsSync(join(BIN, tool))) return `PostgreSQL 15 server binaries not found (${join(BIN, tool)})`;
  }
  if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return 'runuser not found';
  if (!postgresUser()) return 'no postgres user';
  return null;
}

export interface ReplicaCluster {
  primaryUrl: string;
  replicaUrl: string;
  /** Stops one server (fast shutdown) or starts it again on the same port, to test an outage. */
  stopServer(which: 'primary' | 'replica'): Promise<void>;
  startServer(which: 'primary' | 'replica'): Promise<void>;
  /** Stops both servers (immediately) and removes their files; safe to call twice or after a failed start. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function asPostgres(tool: string, args: string[]): Promise<void> {
  await run('runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args], { timeout: 60_000 });
}

export async function startReplicaCluster(): Promise<ReplicaCluster> {
  const user = postgresUser();
  if (!user) throw new Error('no postgres user');
  const dir = await mkdtemp(join(tmpdir(), 'credence-replica-'));
  await chown(dir, user.uid, user.gid);
  const primaryDir = join(dir, 'primary');
  const replicaDir = join(dir, 'replica');
  const started: string[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const data of started.reverse()) await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [primaryPort, replicaPort] = [await freePort(), await freePort()];
    // Durability is not under test: no fsync keeps start-up and writes fast on a loaded machine.
    const common = `-k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c jit=off`;
    // initdb's default pg_hba trusts local and 127.0.0.1 connections, replication ones included (-A trust).
    await asPostgres('initdb', ['-D', primaryDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    const primaryStart = ['-D', primaryDir, '-l', join(dir, 'primary.log'), '-w', '-t', '60', '-o', `-p ${primaryPort} ${common} -c wal_level=replica -c max_wal_senders=4`, 'start'];
    await asPostgres('pg_ctl', primaryStart);
    started.push(primaryDir);
    await asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
    const replicaStart = ['-D', replicaDir, '-l', join(dir, 'replica.log'), '-w', '-t', '60', '-o', `-p ${replicaPort} ${common} -c hot_standby=on`, 'start'];
    await asPostgres('pg_ctl', replicaStart);
    started.push(replicaDir);
    const cluster: ReplicaCluster = {
      primaryUrl: `postgres://postgres@127.0.0.1:${primaryPort}/postgres`,
      replicaUrl: `postgres://postgres@127.0.0.1:${replicaPort}/postgres`,
      stopServer: (which) => asPostgres('pg_ctl', ['-D', which === 'primary' ? primaryDir : replicaDir, '-m', 'fast', '-w', 'stop']),
      startServer: (which) => asPostgres('pg_ctl', which === 'primary' ? primaryStart : replicaStart),
      stop,
    };
    // Streaming (not just started): the replica has connected to the primary.
    const replica = new pg.Client({ connectionString: cluster.replicaUrl });
    await replica.connect();
    try {
      for (let attempt = 0; attempt < 600; attempt += 1) {
        const { rows } = await replica.query<{ status: string | null }>('select status from pg_stat_wal_receiver');
        if (rows[0]?.status === 'streaming') break;
        if (attempt === 599) throw new Error('the replica did not start streaming');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await replica.end();
    }
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Waits until the replica has replayed everything the primary had written when this was called. */
export async function waitForReplay(primary: pg.ClientBase | pg.Pool, replica: pg.ClientBase | pg.Pool): Promise<void> {
  const { rows } = await primary.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
  const target = rows[0]!.lsn;
  for (let attempt = 0; attempt < 1200; attempt += 1) {
    const replayed = await replica.query<{ done: boolean }>('select pg_last_wal_replay_lsn() >= $1::pg_lsn as done', [target]);
    if (replayed.rows[0]?.done) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the replica did not replay up to ${target}`);
}
