// A fresh PostgreSQL database for a benchmark run, dropped afterwards.
import { createScratchPostgres } from '../test/helpers/database.ts';

export const BENCH_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function freshBenchDatabase() {
  return createScratchPostgres(BENCH_ADMIN_URL, 'credence_bench');
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
