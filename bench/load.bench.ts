// Load: the real service (`credence serve`, its own process) on a fresh PostgreSQL database seeded through
// `credence import` (10,000 agents, 500,000 receipts by default) and one `credence recompute`, driven over loopback
// by autocannon with four concurrent streams: trust reads, trustBatch of 100, checkTrust, and signed
// submitReceipts writes (batches of 10). Bounded by time (BENCH_LOAD_SECONDS) and, for writes, by the pre-signed
// request count. Prints requests/s and p50/p99 per operation, errors, and the read ratio against a ceiling
// measured in the same run: plain GET /health over the same loopback and HTTP stack. The server runs on a CPU of its own
// (bench/cpu-pinning.ts; BENCH_PIN=0 turns that off). BENCH_WORKERS=N serves with
// CREDENCE_WORKERS=N (node:cluster, N processes sharing the port).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { mintAuthToken } from '../src/auth/mint-token.ts';
import { signTaskReceipt } from '../src/client/signing.ts';
import { didKeyFromPublicKey, generateEd25519KeyPair, type Ed25519KeyPair } from '../src/crypto/ed25519.ts';
import { didWebFromUrl } from '../src/issuer/did-web.ts';
import { buildState } from '../scripts/build-state.mjs';
import { childPids, pinLoadSide, planCpuPinning } from './cpu-pinning.ts';
import { freshBenchDatabase, onInterrupt } from './pg.ts';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 10_000);
const RECEIPTS = Number(process.env.BENCH_RECEIPTS ?? 500_000);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
const WRITE_REQUESTS = Number(process.env.BENCH_WRITE_REQUESTS ?? 2_000);
const WRITE_BATCH = 10;
/** Server processes (CREDENCE_WORKERS) sharing the port; 1 serves from the process `credence serve` starts. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const CLI = fileURLToPath(new URL('../bin/credence.js', import.meta.url));
const NOW = Date.now();
const DAY = 86_400_000;

let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;

interface Key extends Ed25519KeyPair {
  did: string;
}
const newKey = (): Key => {
  const pair = generateEd25519KeyPair();
  return { ...pair, did: didKeyFromPublicKey(pair.publicKey) };
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function run(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`credence ${args[0]} exited ${code}`))));
  });
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error('server exited during start');
    try {
      if ((await fetch(`${url}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not become ready');
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: /proc reports CPU time in these on Linux (getconf CLK_TCK)

/**
 * CPU seconds (user + system) used so far by the server: its process and, with workers, their processes (Linux
 * /proc; null where there is none). Throughput here moves with whatever else the shared machine runs, but the CPU
 * the server spends per answer moves much less, so the bench prints both.
 */
function serverCpuSeconds(pid: number): number | null {
  let total = 0;
  for (const each of [pid, ...childPids(pid)]) {
    try {
      // Fields after the command name, which ends in ") ": utime and stime are the 14th and 15th of the line.
      const fields = readFileSync(`/proc/${each}/stat`, 'utf8').split(') ').pop()!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return null;
    }
  }
  return total;
}

/** A POST on a connection of its own: the cluster primary hands each new connection to the next worker in turn. */
function postOnFreshConnection(url: string, body: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: hostname, port, path: '/graphql', method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.once('end', () => (response.statusCode === 200 && !text.includes('"errors"') ? resolve(text) : reject(new Error(`${response.statusCode} ${text.slice(0, 200)}`))));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

async function writeSeed(file: string, agents: string[], platforms: string[]): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < RECEIPTS; i += 1) {
    const subject = pick(agents);
    let counterparty = pick(agents);
    if (counterparty === subject) counterparty = agents[(agents.indexOf(subject) + 1) % agents.length]!;
    const escrow = random() < 0.8;
    const line = JSON.stringify({
      receipt_id: `load_${i}`,
      subject_did: subject,
      counterparty_did: counterparty,
      platform_did: pick(platforms),
      action_category: 'economic.transaction',
      action_type: escrow ? 'escrow_release' : 'payment_declared',
      value_usd: Math.round(random() * 50_000) / 100,
      outcome: random() < 0.94 ? 'accepted' : 'disputed',
      timestamp: new Date(NOW - random() * 400 * DAY).toISOString(),
      escrow_verified: escrow,
      escrow_tx: escrow ? `esc_load_${i}` : null,
    });
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** The server's trust read counters from GET /metrics (one process's; null if it does not export them). */
async function trustReadSources(url: string): Promise<{ memory: number; database: number; refreshes: number; catchUps: number } | null> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counter = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  const sources = {
    memory: counter(/^credence_trust_reads_total\{source="memory"\} (\d+)/m),
    database: counter(/^credence_trust_reads_total\{source="database"\} (\d+)/m),
    refreshes: counter(/^credence_trust_cache_refreshes_total (\d+)/m),
    catchUps: counter(/^credence_trust_cache_catch_ups_total (\d+)/m),
  };
  return Object.values(sources).some(Number.isNaN) ? null : sources;
}

async function gql(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<any> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const TRUST = 'query($did: String!) { trust(did: $did) { score tier confidence vector { E P B D R A C } flags { code } } }';
const BATCH = 'query($dids: [String!]!) { trustBatch(dids: $dids) { did score tier } }';
const TYPENAME = JSON.stringify({ query: '{ __typename }' });
const CHECK = 'query($did: String!, $policy: TrustPolicyInput!) { checkTrust(did: $did, policy: $policy) { allowed reasons } }';
const SUBMIT = `mutation($receipts: [ReceiptSubmissionInput!]!) { submitReceipts(receipts: $receipts) {
  ... on SubmitReceiptsPayload { results { __typename } } ... on Error { code } } }`;

/** SIGTERM to the server, and its exit awaited (at most `withinMs`, when given). */
async function stopServer(withinMs?: number): Promise<void> {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server!.once('exit', resolve));
  server.kill('SIGTERM');
  await (withinMs === undefined ? exited : Promise.race([exited, new Promise((resolve) => setTimeout(resolve, withinMs))]));
}

const work = await mkdtemp(join(tmpdir(), 'credence-load-'));
onInterrupt(() => rm(work, { recursive: true, force: true }));
const bench = await freshBenchDatabase();
let server: ChildProcess | undefined;
const pinning = WORKERS > 1 ? { plan: null, why: 'off (BENCH_WORKERS > 1: the workers share every CPU)' } : planCpuPinning();
let unpin = () => undefined as void;
try {
  await bench.database.close(); // the server and the CLI open their own connections
  const agents = Array.from({ length: AGENTS }, () => newKey().did);
  const seedPlatforms = Array.from({ length: 8 }, (_, i) => `did:web:market${i}.example`);
  const seedFile = join(work, 'seed.jsonl');
  let started = performance.now();
  await writeSeed(seedFile, agents, seedPlatforms);
  const env = { DATABASE_URL: bench.url, CREDENCE_LOG_LEVEL: 'warn' };
  const imported = JSON.parse((await run(['import', seedFile, '--batch', '5000'], env)).trim().split('\n').pop()!);
  console.log(`seeded ${imported.inserted} receipts for ${AGENTS} agents with credence import in ${imported.seconds} s`);
  started = performance.now();
  await run(['recompute'], env);
  console.log(`credence recompute (one propagation run): ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // bin/credence.js runs dist/ only when it is a fresh build; otherwise the TypeScript through tsx, which is slower and
  // not what is deployed (`npm run bench:load` builds first).
  console.log(`server code: ${buildState().fresh ? 'dist/ (a fresh build of the sources)' : 'the TypeScript sources through tsx: dist/ is missing or stale (npm run build), so these numbers are not those of a build'}`);

  const port = process.env.BENCH_PORT ? Number(process.env.BENCH_PORT) : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const publicUrl = `http://localhost:${port}`;
  const admin = newKey();
  // taskset execs the server, so the child's pid is the server's.
  const [command, args] = pinning.plan ? ['taskset', ['-c', pinning.plan.serverCpus, process.execPath, CLI, 'serve']] : [process.execPath, [CLI, 'serve']];
  server = spawn(command, args, {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CREDENCE_PUBLIC_URL: publicUrl,
      CREDENCE_DATA_DIR: join(work, 'data'),
      CREDENCE_ADMIN_DIDS: admin.did,
      CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0',
      CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '0',
      CREDENCE_RATE_LIMIT_DID_PER_MINUTE: '0',
      CREDENCE_WORKERS: String(WORKERS),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // An interrupted run skips `finally`: the server must stop, and PostgreSQL must not stay confined to the load
  // generator's CPUs (`unpin` is set once pinned). Runs before the scratch database is dropped (registered earlier).
  onInterrupt(async () => {
    unpin();
    await stopServer(10_000);
  });
  await waitReady(url, server);
  if (WORKERS > 1) {
    // /ready answers once worker 1 listens; the others start after it.
    const deadline = Date.now() + 120_000;
    while (childPids(server.pid!).length < WORKERS) {
      if (Date.now() > deadline) throw new Error(`fewer than ${WORKERS} workers started`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const audience = didWebFromUrl(publicUrl);
  if (pinning.plan) {
    const pinned = await pinLoadSide(pinning.plan, bench.url);
    unpin = pinned.restore;
    console.log(`CPU pinning: ${pinned.summary} (BENCH_PIN=0 turns it off)`);
  } else {
    console.log(`CPU pinning: ${pinning.why}`);
  }

  // One approved platform signs every write; subjects and buyers come from the seeded population.
  const platform = newKey();
  await gql(url, 'mutation($input: RegisterPlatformInput!) { registerPlatform(input: $input) { __typename } }', { input: { name: 'Load market' } }, mintAuthToken(platform, { audience }));
  await gql(url, 'mutation($did: String!) { approvePlatform(did: $did) { __typename } }', { did: platform.did }, mintAuthToken(admin, { audience }));
  const now = new Date();
  const writes: string[] = [];
  for (let r = 0; r < WRITE_REQUESTS; r += 1) {
    // Signing takes seconds: a turn of the event loop between requests lets Ctrl-C's cleanup start (tsx kills a
    // child whose event loop has not taken the signal within about 60 ms).
    await new Promise((resolve) => setImmediate(resolve));
    const receipts = Array.from({ length: WRITE_BATCH }, () => {
      const subject = pick(agents);
      let counterparty = pick(agents);
      if (counterparty === subject) counterparty = agents[(agents.indexOf(subject) + 1) % agents.length]!;
      const jwt = signTaskReceipt(
        platform,
        {
          subject,
          counterparty,
          taskId: `load_task_${r}_${Math.floor(random() * 1e9)}`,
          actionCategory: 'economic.transaction',
          actionType: 'payment_declared',
          outcome: 'accepted',
          value: { amount: '120.00', currency: 'USDC', usd: 120 },
          occurredAt: new Date(now.getTime() - 3_600_000).toISOString(),
        },
        { now },
      );
      return { receipt: jwt };
    });
    writes.push(JSON.stringify({ query: SUBMIT, variables: { receipts } }));
  }

  const body = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });
  const post = (setup: () => string) => ({
    method: 'POST' as const,
    path: '/graphql',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request: Record<string, unknown>) => ({ ...request, body: setup() }),
  });
  // The platform's first receipt before the warm-up, as on a serving deployment, which has heard from its platforms
  // before: a platform DID seen for the first time changes who counts as a platform in every report, so it clears
  // every instance's trust read cache (docs/operations.md, "Trust read cache"), and without this the mixed run would
  // start by refilling it.
  // Once more on a dropped keep-alive socket (signing can outlast the server's keep-alive); a resent receipt is a duplicate.
  const firstWrite = JSON.parse(writes[0]!).variables;
  await gql(url, SUBMIT, firstWrite).catch(() => gql(url, SUBMIT, firstWrite));
  let writeIndex = 1;
  const allStreams = {
    'trust(did)': { connections: 8, requests: [post(() => body(TRUST, { did: pick(agents) }))] },
    'trustBatch(100)': { connections: 1, requests: [post(() => body(BATCH, { dids: Array.from({ length: 100 }, () => pick(agents)) }))] },
    checkTrust: {
      connections: 2,
      requests: [post(() => body(CHECK, { did: pick(agents), policy: { minTier: 'C', maxDisputeRate: 0.1, minConfidence: 0.2 } }))],
    },
    'submitReceipts(10)': { connections: 1, requests: [post(() => writes[writeIndex++ % writes.length]!)] },
  };
  // Never in the default mix: `typename` is the cheapest GraphQL answer there is ({ __typename }: no resolver of ours,
  // no database, no engine), the floor a read through the GraphQL server cannot go below on this stack.
  const diagnosticStreams = {
    typename: { connections: 8, requests: [post(() => TYPENAME)] },
  };
  const everyStream = { ...allStreams, ...diagnosticStreams };
  // BENCH_STREAMS=trust,checkTrust runs only the named streams (a diagnosis: what one stream costs the others, or
  // BENCH_STREAMS=typename for the floor); the targets below are for the four of the default mix.
  const only = process.env.BENCH_STREAMS?.split(',').map((name) => name.trim());
  const streams = Object.fromEntries(
    Object.entries(only ? everyStream : allStreams).filter(([name]) => !only || only.some((wanted) => name === wanted || name.startsWith(`${wanted}(`))),
  ) as Partial<typeof everyStream>;

  // A serving instance has read its agents before: without this, 20 s of reads over 10,000 agents are mostly first
  // reads, and the run measures loading aggregates rather than answering warm reads. BENCH_WARM=0 skips it.
  if (process.env.BENCH_WARM !== '0') {
    started = performance.now();
    if (WORKERS === 1) {
      for (let i = 0; i < agents.length; i += 100) {
        // Once more on a dropped keep-alive socket: signing the writes above can outlast the server's 5 s keep-alive.
        await gql(url, BATCH, { dids: agents.slice(i, i + 100) }).catch(() => gql(url, BATCH, { dids: agents.slice(i, i + 100) }));
      }
    } else {
      // Each worker keeps its own memory: every batch once per worker, each on a new connection (handed out in
      // turn), and the whole pass twice, in case a worker was still starting during the first.
      for (let pass = 0; pass < 2; pass += 1) {
        for (let i = 0; i < agents.length; i += 100) {
          const batch = JSON.stringify({ query: BATCH, variables: { dids: agents.slice(i, i + 100) } });
          for (let w = 0; w < WORKERS; w += 1) await postOnFreshConnection(url, batch);
        }
      }
    }
    console.log(`warm-up: every agent read through trustBatch (by each of ${WORKERS} worker(s)) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  // The ceiling: GET /health with the same connections, alone, just before the mixed run.
  // The path goes in the URL: autocannon ignores a top-level `path` (it honours one only inside `requests`), so a
  // `path: '/health'` option beside `url` measured GET / (the home page, about a third as fast) until 2026-12-04.
  const cpuBeforeCeiling = serverCpuSeconds(server.pid!);
  const ceiling = await autocannon({ url: `${url}/health`, connections: 8, duration: Math.max(5, Math.round(SECONDS / 4)) });
  const cpuAfterCeiling = serverCpuSeconds(server.pid!);

  const sourcesBefore = await trustReadSources(url);
  const loadBefore = loadavg();
  const failedAnswers = new Map<string, number>();
  const cpuBeforeMixed = serverCpuSeconds(server.pid!);
  started = performance.now();
  const results = await Promise.all(
    Object.entries(streams).map(async ([name, options]) => {
      const result = await autocannon({
        url,
        duration: SECONDS,
        ...options,
        // Answers that are 200 but carry GraphQL errors, or a write result that is an error type, are failures too.
        setupClient: (client: any) =>
          client.on('body', (buffer: Buffer) => {
            const text = buffer.toString();
            if (text.includes('"errors"') || /"__typename":"\w+Error"/.test(text)) failedAnswers.set(name, (failedAnswers.get(name) ?? 0) + 1);
          }),
      } as any);
      return [name, result] as const;
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfterMixed = serverCpuSeconds(server.pid!);
  const sourcesAfter = await trustReadSources(url);

  console.log('');
  console.log(`mixed load for ${SECONDS} s over loopback (${elapsed.toFixed(1)} s wall), server on PostgreSQL with ${imported.inserted} receipts, ${WORKERS} worker process(es)`);
  console.log('');
  console.log('| operation | connections | requests | req/s | p50 ms | p99 ms | non-2xx | errors | error answers |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, r] of results) {
    const connections = everyStream[name as keyof typeof everyStream].connections;
    console.log(
      `| ${name} | ${connections} | ${r.requests.total} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx} | ${r.errors + r.timeouts} | ${failedAnswers.get(name) ?? 0} |`,
    );
  }
  console.log(`| GET /health alone (ceiling) | 8 | ${ceiling.requests.total} | ${ceiling.requests.average.toFixed(0)} | ${ceiling.latency.p50} | ${ceiling.latency.p99} | ${ceiling.non2xx} | ${ceiling.errors + ceiling.timeouts} | – |`);
  console.log('');
  const reads = results.find(([name]) => name === 'trust(did)')?.[1];
  const submits = results.find(([name]) => name === 'submitReceipts(10)')?.[1];
  if (reads && submits) {
    console.log(`trust reads: ${reads.requests.average.toFixed(0)} req/s (aim ≥ 1,500), p99 ${reads.latency.p99} ms (aim < 25 ms), while writes continued`);
    console.log(`ratio of trust reads/s to the /health ceiling measured in this run: ${(reads.requests.average / ceiling.requests.average).toFixed(2)} (aim ≥ 0.3)`);
    console.log(`ratio of submitReceipts(10) p50 to its 50 ms aim: ${(submits.latency.p50 / 50).toFixed(2)} (p50 ${submits.latency.p50} ms; aim < 1)`);
    // With one request in flight per connection and one core answering in arrival order, the mix runs in rounds: every
    // connection is answered once per batch answer, so trust reads/s is 8 × batches/s, and what a round costs sets
    // the read rate (docs/operations.md, "Load and latency, measured").
    const batches = results.find(([name]) => name === 'trustBatch(100)')?.[1];
    if (batches && batches.requests.total > 0) {
      const perBatch = (r: typeof reads) => (r.requests.total / batches.requests.total).toFixed(2);
      console.log(`rounds: ${perBatch(reads)} trust answers and ${perBatch(submits)} writes per trustBatch answer`);
    }
  } else {
    console.log('targets not judged: they are for the mixed run with every stream (BENCH_STREAMS unset)');
  }
  if (cpuBeforeCeiling !== null && cpuAfterCeiling !== null && cpuBeforeMixed !== null && cpuAfterMixed !== null) {
    const answered = results.reduce((sum, [, r]) => sum + r.requests.total, 0);
    const mixedCpu = cpuAfterMixed - cpuBeforeMixed;
    const perAnswer = (1e6 * mixedCpu) / answered;
    const perHealth = (1e6 * (cpuAfterCeiling - cpuBeforeCeiling)) / ceiling.requests.total;
    console.log(
      `server CPU: ${perAnswer.toFixed(0)} µs per answer in the mixed run (${answered} answers, ${((100 * mixedCpu) / elapsed).toFixed(0)}% of one core), ` +
        `${perHealth.toFixed(0)} µs per GET /health in the ceiling run; ratio ${(perHealth / perAnswer).toFixed(3)}`,
    );
  }
  if (WORKERS === 1 && sourcesBefore && sourcesAfter) {
    const memory = sourcesAfter.memory - sourcesBefore.memory;
    const database = sourcesAfter.database - sourcesBefore.database;
    const catchUps = sourcesAfter.catchUps - sourcesBefore.catchUps;
    console.log(
      `trust reads by source in the mixed run (credence_trust_reads_total): ${memory} from memory, ${database} ran the statement ` +
        `(${((100 * memory) / Math.max(1, memory + database)).toFixed(1)}% from memory); ${sourcesAfter.refreshes - sourcesBefore.refreshes} background reloads; ` +
        `${catchUps} listener catch-up queries (${(catchUps / Math.max(1, memory)).toFixed(2)} per read from memory)`,
    );
  }
  const loadAfter = loadavg();
  console.log(`load average (1, 5, 15 min) before the mixed run: ${loadBefore.map((v) => v.toFixed(2)).join(', ')}; after: ${loadAfter.map((v) => v.toFixed(2)).join(', ')} (${availableParallelism()} cores, shared)`);
  console.log(`writes: ${Math.min(writeIndex, writes.length) * WRITE_BATCH} distinct signed receipts submitted (${writes.length} pre-signed requests; any beyond are replays answered as duplicates)`);
  const receiptsAfter = await gql(url, 'query($did: String!) { trust(did: $did) { did } }', { did: agents[0] });
  if (!receiptsAfter.trust) throw new Error('server stopped answering');
} finally {
  unpin();
  await stopServer();
  await bench.drop();
  await rm(work, { recursive: true, force: true });
}
