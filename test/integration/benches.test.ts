// The benchmarks, scaled down so they run in CI: each must keep working as the code under it changes (run to the
// end, print the ratio it exists for, clean up after itself). Nothing they measure is asserted. One file, so that no
// two of them run at once: each checks that it left no scratch database behind.
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

/** Runs `bench/<file>.bench.ts` in a process of its own (node with tsx's loader, no npm or tsx parent in between). */
function runBench(file: string, options: { args?: string[]; env?: Record<string, string>; onOutput?: (output: string, child: ReturnType<typeof spawn>) => void } = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', `bench/${file}.bench.ts`, ...(options.args ?? [])], {
    cwd: ROOT,
    // Not this test worker's VITEST* variables: a bench that imports test helpers would take itself for a test file.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST'))), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    options.onOutput?.(output, child);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
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

// bench:load: every stream answered, warm reads from memory, and the cleanup when interrupted.
describe.skipIf(!ADMIN_URL)('npm run bench:load, scaled down (PostgreSQL)', () => {
  it('answers every stream without an error, reads warm agents from memory, prints its ratios and drops its database', async () => {
    const databasesBefore = await benchDatabases();
    const { code, output } = await runBench('load', { env: SMALL });
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
    expect(output).toMatch(/rounds: \d+\.\d\d trust answers and \d+\.\d\d writes per trustBatch answer/);
    // After the warm-up, reads of the mixed run come from memory. Not all of them need to: a read falls back to the
    // version-check statement while the listener lags, which a machine busy with other tests can make happen.
    const sources = /credence_trust_reads_total\): (\d+) from memory, (\d+) ran the statement/.exec(output);
    expect(sources, output).not.toBeNull();
    expect(Number(sources![1])).toBeGreaterThan(10 * Number(sources![2]));
    expect(await benchDatabases()).toEqual(databasesBefore);
  }, 180_000);

  it('BENCH_STREAMS=typename runs only the { __typename } floor, and judges no targets on it', async () => {
    const { code, output } = await runBench('load', { env: { ...SMALL, BENCH_STREAMS: 'typename' } });
    expect(code, output).toBe(0);
    const floor = row(output, 'typename');
    expect(floor.requests).toBeGreaterThan(0);
    expect(floor).toMatchObject({ non2xx: 0, errors: 0, errorAnswers: 0 });
    expect(output).not.toMatch(/^\| trust\(did\) \|/m);
    expect(output).toContain('targets not judged');
  }, 180_000);

  it('interrupted with SIGINT, it stops its server and leaves no scratch database or directory behind', async () => {
    const databasesBefore = await benchDatabases();
    const directoriesBefore = await loadDirectories();
    let sent = false;
    let server: number[] = [];
    // Interrupted once the server is up, while the signed writes are being prepared.
    const interrupt = (text: string, child: ReturnType<typeof spawn>) => {
      if (!sent && text.includes('CPU pinning:')) {
        sent = true;
        server = childPids(child.pid!);
        child.kill('SIGINT');
      }
    };
    const { code, output } = await runBench('load', { env: { ...SMALL, BENCH_WRITE_REQUESTS: '2000' }, onOutput: interrupt });
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

// Every other benchmark.
interface BenchCase {
  file: string;
  args?: string[];
  env: Record<string, string>;
  /** A line the bench prints only once it has measured what it is for. */
  prints: RegExp;
  /** Needs PostgreSQL (a scratch database from TEST_DATABASE_URL). */
  postgres: boolean;
}

const CASES: BenchCase[] = [
  { file: 'receipts', env: { BENCH_RECEIPTS: '200' }, prints: /longest event-loop stall .* \(ratio \d+\.\d+/, postgres: true },
  {
    file: 'trust',
    env: { BENCH_AGENTS: '200', BENCH_HEAVY_RECEIPTS: '500', BENCH_RECEIPTS_PER_AGENT: '2' },
    prints: /propagation over 200 agents and \d+ receipts: [\d.]+ s/,
    postgres: true,
  },
  { file: 'paging', env: { BENCH_PAGING_READS: '20', BENCH_PAGING_RECEIPTS: '300' }, prints: /OFFSET \d+ LIMIT \d+ .* ratio \d+\.\d+/, postgres: true },
  { file: 'tracing', env: { BENCH_READS: '50', BENCH_ROUNDS: '1' }, prints: /ratio traced\/untraced: \d+\.\d+/, postgres: true },
  { file: 'trust-notify', env: { BENCH_ROUNDS: '2' }, prints: /ratio of the catch-up to a pooled round trip \(p50\): \d+\.\d+/, postgres: true },
  {
    file: 'propagation-scale',
    env: { BENCH_AGENTS: '2000', BENCH_REFERENCE_UP_TO: '2000', BENCH_SKIP_IN_MEMORY: '1' },
    prints: /previous implementation .*same stats: true/,
    postgres: true,
  },
  { file: 'read-pipeline', env: { BENCH_READS: '200' }, prints: /ratio of warm reads to \/health in this run: \d+\.\d+/, postgres: false },
  { file: 'credentials', args: ['0.1'], env: {}, prints: /Data Integrity verify \(rep\.\) .* of raw verify/, postgres: false },
];

describe('the benchmarks, scaled down', () => {
  for (const benchCase of CASES) {
    it.skipIf(benchCase.postgres && !ADMIN_URL)(`bench/${benchCase.file}.bench.ts runs to the end and prints its ratio`, async () => {
      const databasesBefore = benchCase.postgres ? await benchDatabases() : [];
      const { code, output } = await runBench(benchCase.file, { ...(benchCase.args ? { args: benchCase.args } : {}), env: benchCase.env });
      expect(code, output).toBe(0);
      expect(output).toMatch(benchCase.prints);
      // Each drops the scratch database it made.
      if (benchCase.postgres) expect(await benchDatabases()).toEqual(databasesBefore);
    }, 180_000);
  }
});
