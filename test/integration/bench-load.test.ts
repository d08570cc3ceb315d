// `npm run bench:load`, scaled down so it runs in CI: the bench must keep working (every stream answered without an
// error, warm reads from memory, its numbers printed) and clean up after itself, also when interrupted. It measures
// nothing here; the timings it prints are not asserted.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { childPids } from '../../bench/cpu-pinning.ts';

const ADMIN_URL = process.env.TEST_DATABASE_URL;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A small population; no CPU pinning (it would move the machine's PostgreSQL while other tests run). */
const SMALL = {
  BENCH_AGENTS: '100',
  BENCH_RECEIPTS: '400',
  BENCH_LOAD_SECONDS: '2',
  BENCH_WRITE_REQUESTS: '10',
  BENCH_PIN: '0',
  BENCH_DATABASE_URL: ADMIN_URL ?? '',
};

async function benchDatabases(): Promise<string[]> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    return (await admin.query<{ datname: string }>("select datname from pg_database where datname like 'credence\\_bench\\_%'")).rows.map((row) => row.datname);
  } finally {
    await admin.end();
  }
}

async function loadDirectories(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('credence-load-'));
}

/** Runs the bench in a process of its own (node with tsx's loader, no npm or tsx parent in between). */
function runBench(env: Record<string, string>, onOutput?: (output: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load.bench.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...SMALL, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    onOutput?.(output, child);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** The row of the results table for `operation`: requests, non-2xx, errors and error answers. */
function row(output: string, operation: string) {
  const line = output.split('\n').find((text) => text.startsWith(`| ${operation} |`));
  if (!line) throw new Error(`no row for ${operation} in:\n${output}`);
  const cells = line.split('|').map((cell) => cell.trim());
  return { requests: Number(cells[3]), non2xx: Number(cells[7]), errors: Number(cells[8]), errorAnswers: Number(cells[9]) };
}

describe.skipIf(!ADMIN_URL)('npm run bench:load, scaled down (PostgreSQL)', () => {
  it('answers every stream without an error, reads warm agents from memory, prints its ratios and drops its database', async () => {
    const databasesBefore = await benchDatabases();
    const { code, output } = await runBench({});
    expect(code, output).toBe(0);
    expect(output).toContain('CPU pinning: off (BENCH_PIN=0)');
    expect(output).toMatch(/server code: (dist\/ \(a fresh build of the sources\)|the TypeScript sources through tsx)/);
    for (const operation of ['trust(did)', 'trustBatch(100)', 'checkTrust', 'submitReceipts(10)', 'GET /health alone (ceiling)']) {
      const result = row(output, operation);
      expect(result.requests, operation).toBeGreaterThan(0);
      expect({ non2xx: result.non2xx, errors: result.errors }, operation).toEqual({ non2xx: 0, errors: 0 });
      if (operation !== 'GET /health alone (ceiling)') expect(result.errorAnswers, operation).toBe(0);
    }
    expect(output).toMatch(/ratio of trust reads\/s to the \/health ceiling measured in this run: \d+\.\d\d/);
    expect(output).toMatch(/server CPU: \d+ µs per answer/);
    // After the warm-up every read of the mixed run comes from memory: none ran the version-check statement.
    const sources = /credence_trust_reads_total\): (\d+) from memory, (\d+) ran the statement/.exec(output);
    expect(sources, output).not.toBeNull();
    expect(Number(sources![1])).toBeGreaterThan(0);
    expect(Number(sources![2])).toBe(0);
    expect(await benchDatabases()).toEqual(databasesBefore);
  }, 180_000);

  it('interrupted with SIGINT, it stops its server and leaves no scratch database or directory behind', async () => {
    const databasesBefore = await benchDatabases();
    const directoriesBefore = await loadDirectories();
    let sent = false;
    let server: number[] = [];
    // Interrupted once the server is up, while the signed writes are being prepared.
    const { code, output } = await runBench({ BENCH_WRITE_REQUESTS: '2000' }, (text, child) => {
      if (!sent && text.includes('CPU pinning:')) {
        sent = true;
        server = childPids(child.pid!);
        child.kill('SIGINT');
      }
    });
    expect(sent, output).toBe(true);
    // The bench's only child at that point is the server, and it is gone.
    expect(server).toHaveLength(1);
    expect(() => process.kill(server[0]!, 0)).toThrow(/ESRCH/);
    expect(code, output).toBe(130);
    expect(output).not.toContain('mixed load for');
    expect(await benchDatabases()).toEqual(databasesBefore);
    expect(await loadDirectories()).toEqual(directoriesBefore);
  }, 180_000);
});
