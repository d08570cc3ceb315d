// Trust read latency on real PostgreSQL for an agent with 10 receipts and one with 100,000, in the same run (the
// ratio of medians shows whether cost grows with history), trustBatch of 100 DIDs, and one full propagation run
// over the whole population. Reads are measured warm (a running instance) and cold (nothing held in memory).
import { Readable } from 'node:stream';
import { importReceipts } from '../src/receipts/import.ts';
import { runPropagation } from '../src/trust/store/propagation-job.ts';
import { createTrustService } from '../src/trust/store/trust.service.ts';
import { freshBenchDatabase, median } from './pg.ts';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 10_000);
const RECEIPTS_PER_AGENT = Number(process.env.BENCH_RECEIPTS_PER_AGENT ?? 45);
const HEAVY_RECEIPTS = Number(process.env.BENCH_HEAVY_RECEIPTS ?? 100_000);
const READS = 400;
const NOW = new Date('2026-11-01T00:00:00Z');
const DAY = 86_400_000;

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const did = (kind: string, i: number) => `did:key:z6Mk${kind}${String(i).padStart(8, '0')}`;

function* lines(): Generator<string> {
  let id = 0;
  const line = (subject: string, counterparty: string, ageDays: number) => {
    id += 1;
    const escrow = random() < 0.8;
    return `${JSON.stringify({
      receipt_id: `b${id}`,
      subject_did: subject,
      counterparty_did: counterparty,
      platform_did: `did:web:market${1 + Math.floor(random() * 5)}.example`,
      action_category: 'economic.transaction',
      action_type: escrow ? 'escrow_release' : 'payment_declared',
      value_usd: Math.round(random() * 50_000) / 100,
      outcome: random() < 0.93 ? 'accepted' : 'disputed',
      timestamp: new Date(NOW.getTime() - ageDays * DAY).toISOString(),
      escrow_verified: escrow,
      escrow_tx: escrow ? `esc_b${id}` : null,
    })}\n`;
  };
  for (let a = 0; a < AGENTS; a += 1) {
    for (let r = 0; r < RECEIPTS_PER_AGENT; r += 1) yield line(did('Agent', a), did('Agent', Math.floor(random() * AGENTS)) === did('Agent', a) ? did('Buyer', a) : did('Agent', Math.floor(random() * AGENTS)), random() * 700);
  }
  for (let r = 0; r < HEAVY_RECEIPTS; r += 1) yield line(did('Heavy', 0), did('Agent', Math.floor(random() * 300)), random() * 700);
  for (let r = 0; r < 10; r += 1) yield line(did('Light', 0), did('Agent', Math.floor(random() * AGENTS)), random() * 300);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

const bench = await freshBenchDatabase();
try {
  let started = performance.now();
  const imported = await importReceipts(bench.database.db, Readable.from(lines()), { now: NOW, batchSize: 2_000 });
  console.log(`loaded ${imported.inserted} receipts in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  started = performance.now();
  const run = await runPropagation(bench.database.db, NOW);
  const propagationSeconds = (performance.now() - started) / 1000;

  // Warm: what a running instance serves (one statement that finds the versions unchanged, then the engine over
  // the aggregates it already holds). Cold: the same with the in-memory copy off, every read loading everything.
  const warm = createTrustService(bench.database.db);
  const cold = createTrustService(bench.database.db, { cacheSize: 0 });
  const time = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  const series = async (fn: () => Promise<unknown>, count: number) => {
    for (let i = 0; i < 20; i += 1) await fn(); // warm caches and the pool
    const out: number[] = [];
    for (let i = 0; i < count; i += 1) out.push(await time(fn));
    return out;
  };
  const batchDids = Array.from({ length: 100 }, (_, i) => did('Agent', i * 37));
  const rows: Array<[string, number[]]> = [];
  const light = await series(() => warm.report(did('Light', 0), NOW), READS);
  const heavy = await series(() => warm.report(did('Heavy', 0), NOW), READS);
  const lightCold = await series(() => cold.report(did('Light', 0), NOW), READS / 4);
  const heavyCold = await series(() => cold.report(did('Heavy', 0), NOW), READS / 4);
  const batch = await series(() => warm.reports(batchDids, NOW), 50);
  const batchCold = await series(() => cold.reports(batchDids, NOW), 20);
  rows.push(['trust(did), 10 receipts', light], [`trust(did), ${HEAVY_RECEIPTS} receipts (300 counterparties)`, heavy]);
  rows.push(['trust(did), 10 receipts, cold', lightCold], [`trust(did), ${HEAVY_RECEIPTS} receipts, cold`, heavyCold]);
  rows.push(['trustBatch, 100 DIDs', batch], ['trustBatch, 100 DIDs, cold', batchCold]);

  const fmt = (v: number) => v.toFixed(2);
  console.log('');
  console.log('| measurement | median ms | p99 ms |');
  console.log('| --- | ---: | ---: |');
  for (const [name, values] of rows) console.log(`| ${name} | ${fmt(median(values))} | ${fmt(percentile(values, 0.99))} |`);
  console.log('');
  console.log(`ratio of medians heavy/light: ${(median(heavy) / median(light)).toFixed(2)} (target < 1.5); cold: ${(median(heavyCold) / median(lightCold)).toFixed(2)}`);
  console.log(`propagation over ${AGENTS} agents and ${imported.inserted} receipts: ${propagationSeconds.toFixed(1)} s (target < 20 s); ${JSON.stringify(run.stats)}`);
} finally {
  await bench.drop();
}
