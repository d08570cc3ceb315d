// Credibility propagation at marketplace scale, by simulation: for each population (default 100,000 and 1,000,000
// agents, BENCH_AGENTS=comma-separated to choose), a dedicated database gets ~20 synthetic pair rows per agent and
// ~3 agent-platform rows per agent written with COPY straight into the aggregate tables (no receipts), then a full
// propagation job runs in a process of its own, timed and with its peak resident memory read by /usr/bin/time -v.
// Ratios: against the targets (5 minutes, 4 GB at a million agents), and against a ceiling measured in the same
// run, a process that only pages through the same rows with the same statements. The in-memory 10,000-agent
// marketplace of the unit tests is timed against the previous implementation first.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { emptyPairSums, propagateCredibility, type AgentPlatformRow, type PairRow } from '../src/trust/engine/index.ts';
import { createScratchPostgres } from '../test/helpers/database.ts';
import { referencePropagateCredibility } from '../test/unit/trust/propagation-reference.ts';
import { BENCH_ADMIN_URL, median } from './pg.ts';

const SIZES = (process.env.BENCH_AGENTS ?? '100000,1000000').split(',').map(Number);
const PAIRS_PER_AGENT = Number(process.env.BENCH_PAIRS_PER_AGENT ?? 20);
/** The old implementation is run as well up to this population (it holds every row as an object). */
const REFERENCE_UP_TO = Number(process.env.BENCH_REFERENCE_UP_TO ?? 100_000);
const TARGET_SECONDS = 300;
const COPY_STREAMS = Number(process.env.BENCH_COPY_STREAMS ?? 3);
const TARGET_MB = 4096;
const AS_OF = new Date('2026-11-01T00:00:00Z');
const HOUR = Math.floor(AS_OF.getTime() / 3_600_000);
const PLATFORMS = Array.from({ length: 5 }, (_, k) => `did:web:market${k + 1}.example`);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Deterministic uniform integers in [0, n) (high bits of an LCG); one sequence per generator. */
function randomFrom(seed: number) {
  let state = seed >>> 0;
  return (n: number) => Math.floor((((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 8) / 2 ** 24) * n);
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
/** A did:key-shaped DID (z6Mk + 44 base58 characters) whose sort order is unrelated to i. */
function didOf(i: number): string {
  let h = Math.imul(i + 1, 2654435761) >>> 0;
  let s = 'did:key:z6Mk';
  for (let k = 0; k < 36; k++) {
    h = (Math.imul(h ^ (h >>> 15), 2246822519) + k) >>> 0;
    s += B58[h % 58];
  }
  for (let k = 0, x = i; k < 8; k++, x = Math.floor(x / 58)) s += B58[x % 58];
  return s;
}

// ------------------------------------------------------------------ the in-memory marketplace of the unit tests

function inMemoryMarket(workers: number): { pairs: PairRow[]; agentPlatforms: AgentPlatformRow[] } {
  const pairs: PairRow[] = [];
  const agentPlatforms: AgentPlatformRow[] = [];
  let lcg = 12345;
  const next = () => (lcg = (Math.imul(lcg, 1664525) + 1013904223) >>> 0) >>> 8;
  for (let w = 0; w < workers; w++) {
    let jobs = 0;
    for (let k = 0; k < 14; k++) {
      const c = next() % Math.round(workers * 1.5);
      const n = 1 + (next() % 4);
      jobs += n;
      pairs.push({
        subjectDid: `did:key:w${w}`, counterpartyDid: `did:key:c${c}`, ...emptyPairSums(), receipts: n, econAccepted: n, escrowAccepted: n % 2 ? n : 0,
        firstHour: HOUR - 2000, lastHour: HOUR - 10, econFirstHour: HOUR - 2000, econLastHour: HOUR - 10,
      });
    }
    for (const platformDid of PLATFORMS.slice(0, 2)) {
      agentPlatforms.push({ did: `did:key:w${w}`, platformDid, role: 'subject', receipts: jobs, econAccepted: jobs, econNegative: 0, escrowAccepted: jobs >> 1, escrowHourSum: (jobs >> 1) * (HOUR - 2400) });
    }
  }
  return { pairs, agentPlatforms };
}

function timeInMemory(): void {
  const market = inMemoryMarket(10_000);
  const input = { ...market, asOf: AS_OF };
  const compact: number[] = [];
  const reference: number[] = [];
  for (let round = 0; round < 3; round++) {
    let started = performance.now();
    propagateCredibility(input);
    compact.push(performance.now() - started);
    started = performance.now();
    referencePropagateCredibility(input);
    reference.push(performance.now() - started);
  }
  const c = median(compact);
  const r = median(reference);
  console.log(`in memory, 10,000 workers, ${market.pairs.length.toLocaleString('en')} pair rows: ${(c / 1000).toFixed(2)} s; previous implementation ${(r / 1000).toFixed(2)} s; ratio ${(c / r).toFixed(2)} (median of 3)`);
}

// ------------------------------------------------------------------ synthetic aggregate tables, by COPY

const PAIR_COPY_COLUMNS = ['subject_did', 'counterparty_did', 'receipts', 'econ_accepted', 'econ_disputed', 'econ_escrow', 'escrow_accepted', 'accepted_ep', 'disputed_ep', 'completions', 'completions_ep', 'verifications', 'first_hour', 'last_hour', 'econ_first_hour', 'econ_last_hour'];
const AGENT_PLATFORM_COPY_COLUMNS = ['did', 'platform_did', 'role', 'receipts', 'econ_accepted', 'econ_negative', 'escrow_accepted', 'escrow_hour_sum'];

/** COPY … FROM STDIN through psql, fed from a generator of text-format lines, honouring back-pressure. */
async function copyInto(url: string, table: string, columns: string[], lines: Generator<string>): Promise<void> {
  const psql = spawn('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `copy ${table} (${columns.join(', ')}) from stdin`], { stdio: ['pipe', 'inherit', 'inherit'] });
  const exited = once(psql, 'exit');
  let chunk = '';
  for (const line of lines) {
    chunk += line;
    if (chunk.length > 1 << 20) {
      if (!psql.stdin.write(chunk)) await once(psql.stdin, 'drain');
      chunk = '';
    }
  }
  psql.stdin.end(chunk);
  const [code] = await exited;
  if (code !== 0) throw new Error(`psql copy into ${table} exited with ${code}`);
}

/** Pair rows of agents from, from + step, from + 2·step, …: several COPY streams load one table side by side. */
function* pairLines(agents: number, dids: string[], from = 0, step = 1): Generator<string> {
  const rand = randomFrom(20261101 + from);
  const chosen = new Set<number>();
  for (let i = from; i < agents; i += step) {
    chosen.clear();
    while (chosen.size < PAIRS_PER_AGENT) {
      // Half the counterparties uniform, half skewed toward a busy minority (large clients).
      const r = rand(1 << 20) / (1 << 20);
      const j = chosen.size % 2 ? rand(agents) : Math.floor(agents * r * r * r);
      if (j !== i) chosen.add(j);
    }
    for (const j of chosen) {
      const accepted = rand(100) < 85 ? 1 + rand(4) : 0;
      const escrow = accepted > 0 && rand(100) < 60 ? accepted : 0;
      const disputed = rand(100) < 3 ? 1 : 0;
      const completions = rand(100) < 30 ? 1 : 0;
      const verification = rand(1000) < 5 ? 1 : 0;
      const first = HOUR - 100 - rand(8000);
      const econ = accepted + disputed > 0;
      yield `${dids[i]}\t${dids[j]}\t${accepted + disputed + completions + verification}\t${accepted}\t${disputed}\t${escrow}\t${escrow}\t${accepted * 0.8}\t${disputed * 0.7}\t${completions}\t${completions * 0.8}\t${verification}\t${first}\t${HOUR - 10}\t${econ ? first : '\\N'}\t${econ ? HOUR - 10 : '\\N'}\n`;
    }
  }
}

function* agentPlatformLines(agents: number, dids: string[]): Generator<string> {
  const rand = randomFrom(7);
  for (let i = 0; i < agents; i++) {
    const platforms = [PLATFORMS[i % 5]!, PLATFORMS[(i + 1 + (i % 3)) % 5]!].sort();
    for (const platform of platforms) {
      const jobs = 1 + rand(20);
      const escrow = rand(100) < 70 ? Math.ceil(jobs / 2) : 0;
      yield `${dids[i]}\t${platform}\tsubject\t${jobs + 1}\t${jobs}\t${rand(100) < 5 ? 1 : 0}\t${escrow}\t${escrow * (HOUR - 24 * (30 + rand(300)))}\n`;
    }
    if (i % 2 === 0) {
      const jobs = 1 + rand(10);
      yield `${dids[i]}\t${platforms[0]}\tclient\t${jobs}\t${jobs}\t0\t${jobs}\t${jobs * (HOUR - 24 * (30 + rand(300)))}\n`;
    }
  }
}

interface Measured {
  seconds: number;
  cpuSeconds: number;
  loadAverage: number;
  peakRssMb: number;
  timeMaxResidentMb: number;
  [key: string]: unknown;
}

/** One step in its own process under /usr/bin/time -v (max resident set) and the process's own maxRSS. */
async function measured(url: string, mode: 'run' | 'scan' | 'reference'): Promise<Measured> {
  const child = spawn('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', here('./propagation-scale-run.ts'), url, mode, AS_OF.toISOString()], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data) => (stdout += data));
  child.stderr.on('data', (data) => (stderr += data));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${mode} failed (${code}):\n${stderr.slice(-3000)}`);
  const resident = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as Measured;
  result.timeMaxResidentMb = resident ? Number(resident[1]) / 1024 : NaN;
  // CPU seconds of this process (not the database's): what the step costs whatever else shares the machine.
  result.cpuSeconds = Number(user?.[1] ?? NaN) + Number(system?.[1] ?? NaN);
  result.loadAverage = loadavg()[0]!;
  return result;
}

const mb = (value: number) => `${Math.round(value).toLocaleString('en')} MB`;

async function atScale(agents: number): Promise<void> {
  const bench = await createScratchPostgres(BENCH_ADMIN_URL, 'credence_scale_bench');
  try {
    const db = bench.database.db;
    let started = performance.now();
    const dids = Array.from({ length: agents }, (_, i) => didOf(i));
    // Bulk load as a restore would: keys and indexes built after the rows, no WAL for the synthetic tables.
    await sql`alter table trust_pair drop constraint trust_pair_pk`.execute(db);
    await sql`drop index trust_pair_counterparty_idx`.execute(db);
    await sql`alter table trust_agent_platform drop constraint trust_agent_platform_pk`.execute(db);
    await sql`alter table trust_pair set unlogged`.execute(db);
    await sql`alter table trust_agent_platform set unlogged`.execute(db);
    await Promise.all([
      ...Array.from({ length: COPY_STREAMS }, (_, k) => copyInto(bench.url, 'trust_pair', PAIR_COPY_COLUMNS, pairLines(agents, dids, k, COPY_STREAMS))),
      copyInto(bench.url, 'trust_agent_platform', AGENT_PLATFORM_COPY_COLUMNS, agentPlatformLines(agents, dids)),
    ]);
    const copySeconds = (performance.now() - started) / 1000;
    started = performance.now();
    await db.connection().execute(async (connection) => {
      await sql`set maintenance_work_mem = '1GB'`.execute(connection);
      await sql`alter table trust_pair add constraint trust_pair_pk primary key (subject_did, counterparty_did)`.execute(connection);
      await sql`alter table trust_agent_platform add constraint trust_agent_platform_pk primary key (did, platform_did, role)`.execute(connection);
      await sql`vacuum (analyze) trust_pair, trust_agent_platform`.execute(connection);
    });
    const sizes = await sql<{ rows: number; bytes: number; ap: number }>`
      select (select count(*) from trust_pair) as rows, pg_total_relation_size('trust_pair') as bytes,
        (select count(*) from trust_agent_platform) as ap`.execute(db);
    const { rows, bytes, ap } = sizes.rows[0]!;
    console.log(
      `\n${agents.toLocaleString('en')} agents: ${rows.toLocaleString('en')} pair rows (${mb(bytes / 2 ** 20)} with its key), ${ap.toLocaleString('en')} agent-platform rows; ` +
        `COPY ${copySeconds.toFixed(0)} s, keys and vacuum ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );

    // The job first: at the largest populations the ceiling is the part to leave out when time is short.
    const run = await measured(bench.url, 'run');
    const stats = run.stats as { nodes: number; edges: number; seeds: number; iterations: number; raters: number };
    const peak = Math.max(run.peakRssMb, run.timeMaxResidentMb);
    console.log(
      `  propagation job: ${run.seconds.toFixed(1)} s (${run.cpuSeconds.toFixed(1)} CPU s in this process, load average ${run.loadAverage.toFixed(1)}), peak resident ${mb(peak)}; ${stats.nodes.toLocaleString('en')} nodes, ${stats.edges.toLocaleString('en')} edges, ` +
        `${stats.seeds.toLocaleString('en')} seeds, ${stats.iterations} iterations, ${stats.raters.toLocaleString('en')} raters`,
    );
    const scan = await measured(bench.url, 'scan');
    console.log(`  read ceiling (keyset pages only): ${scan.seconds.toFixed(1)} s (${scan.cpuSeconds.toFixed(1)} CPU s in this process, load average ${scan.loadAverage.toFixed(1)}), peak ${mb(Math.max(scan.peakRssMb, scan.timeMaxResidentMb))}`);
    console.log(`  ratio to the read ceiling ${(run.seconds / scan.seconds).toFixed(2)}; to the targets: time ${(run.seconds / TARGET_SECONDS).toFixed(3)} of 5 min, memory ${(peak / TARGET_MB).toFixed(3)} of 4 GB`);
    if (agents <= REFERENCE_UP_TO) {
      const reference = await measured(bench.url, 'reference');
      const same = JSON.stringify(reference.stats) === JSON.stringify(run.stats);
      console.log(
        `  previous implementation (every row an object, no write): ${reference.seconds.toFixed(1)} s, peak ${mb(Math.max(reference.peakRssMb, reference.timeMaxResidentMb))}; ` +
          `same stats: ${same}`,
      );
      if (!same) process.exitCode = 1;
    }
  } finally {
    if (process.env.BENCH_KEEP_DATABASE) console.log(`  kept ${bench.url}`);
    await (process.env.BENCH_KEEP_DATABASE ? bench.database.close() : bench.drop());
  }
}

if (!process.env.BENCH_SKIP_IN_MEMORY) timeInMemory();
for (const agents of SIZES) await atScale(agents);
