// How far behind another instance's commits a warm trust read can be (PostgreSQL, two connections standing for two
// instances): the time from a writer's acknowledged commit to the notice reaching the other instance's listener,
// and what the catch-up (`sync`, a `select 1` on the listening connection) that every memory read waits for costs,
// alone and shared by concurrent readers. Prints p50/p99 of each; the ceiling is a plain `select 1` round trip on a
// pooled connection in the same run.
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { TRUST_INPUTS_CHANNEL } from '../src/trust/store/trust.service.ts';
import { BENCH_ADMIN_URL } from './pg.ts';
import { createScratchPostgres } from '../test/helpers/database.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 500);
const CONCURRENT = 8;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};
const line = (name: string, values: number[]) =>
  console.log(`| ${name} | ${values.length} | ${quantile(values, 0.5).toFixed(3)} | ${quantile(values, 0.99).toFixed(3)} | ${Math.max(...values).toFixed(3)} |`);

const bench = await createScratchPostgres(BENCH_ADMIN_URL, 'cache_notify_bench');
const reader = await openDatabase({ databaseUrl: bench.url, poolSize: 2 });
try {
  const writer = bench.database.db;
  const waiting = new Map<string, (at: number) => void>();
  const unlisten = await reader.listen!(TRUST_INPUTS_CHANNEL, (payload) => waiting.get(payload)?.(performance.now()));
  const sync = unlisten.sync!;
  await sync();

  const afterCommit: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const did = `did:web:notify-${i}.example`;
    const heard = new Promise<number>((resolve) => waiting.set(`a:${did}`, resolve));
    await sql`insert into trust_agent_version (did, version) values (${did}, 1)`.execute(writer);
    const committed = performance.now();
    afterCommit.push(Math.max(0, (await heard) - committed));
    waiting.delete(`a:${did}`);
  }

  const alone: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const started = performance.now();
    if ((await sync()) === null) throw new Error('listener not connected');
    alone.push(performance.now() - started);
  }
  const shared: number[] = [];
  for (let i = 0; i < ROUNDS / CONCURRENT; i += 1) {
    await Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        const started = performance.now();
        await sync();
        shared.push(performance.now() - started);
      }),
    );
  }
  const pooled: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const started = performance.now();
    await sql`select 1`.execute(reader.db);
    pooled.push(performance.now() - started);
  }

  console.log('| what (ms) | samples | p50 | p99 | max |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  line("writer's commit acknowledged → notice handled on the other connection", afterCommit);
  line('catch-up (sync) before a memory read, one reader', alone);
  line(`catch-up shared by ${CONCURRENT} concurrent readers`, shared);
  line('plain select 1 on a pooled connection (ceiling)', pooled);
  console.log(`ratio of the catch-up to a pooled round trip (p50): ${(quantile(alone, 0.5) / quantile(pooled, 0.5)).toFixed(2)}`);
} finally {
  await reader.close();
  await bench.drop();
}
