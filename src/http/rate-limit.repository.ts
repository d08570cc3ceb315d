// Rate-limit buckets in PostgreSQL: every instance on the same database draws from one bucket per key, so the
// limit holds for the whole deployment. The same token bucket as the in-memory store (src/http/rate-limit.ts): a
// minute's worth of capacity, refilled continuously.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { RateLimitStore } from './rate-limit.ts';

export interface PostgresRateLimitStoreOptions {
  /** Wall-clock milliseconds (instances share buckets, so a process-local monotonic clock will not do). */
  now?: () => number;
  /** How often full buckets are swept from the table (default once a minute per instance). */
  sweepEveryMs?: number;
}

/**
 * Buckets in the unlogged table rate_limit_buckets: one atomic upsert per take (the row lock orders concurrent
 * takes of one key across instances; the refill and the take are computed from the row as it was). A clock that
 * lags another instance's never refills backwards: updated_ms only moves forward.
 */
export function postgresRateLimitStore(db: Db, options: PostgresRateLimitStoreOptions = {}): RateLimitStore {
  const now = options.now ?? (() => Date.now());
  const sweepEveryMs = options.sweepEveryMs ?? 60_000;
  let lastSweep = -Infinity;
  return {
    kind: 'postgres',
    async take(key, perMinute, cost = 1) {
      const at = now();
      const perMs = perMinute / 60_000;
      const refilled = sql`least(${perMinute}::float8, b.tokens + greatest(0, ${at}::float8 - b.updated_ms) * ${perMs}::float8)`;
      const result = await sql<{ tokens: number; allowed: boolean }>`
        insert into rate_limit_buckets as b (bucket, tokens, updated_ms, allowed)
        values (${`${perMinute}:${key}`}, case when ${perMinute}::float8 >= ${cost}::float8 then ${perMinute}::float8 - ${cost}::float8 else ${perMinute}::float8 end,
          ${at}::float8, ${perMinute}::float8 >= ${cost}::float8)
        on conflict (bucket) do update set
          tokens = case when ${refilled} >= ${cost}::float8 then ${refilled} - ${cost}::float8 else ${refilled} end,
          allowed = ${refilled} >= ${cost}::float8,
          updated_ms = greatest(b.updated_ms, ${at}::float8)
        returning tokens, allowed`.execute(db);
      if (at - lastSweep >= sweepEveryMs) {
        lastSweep = at;
        // A bucket untouched for a minute is full again, the same as no row: sweep them off the hot path.
        void sql`delete from rate_limit_buckets where updated_ms < ${at - 60_000}::float8`.execute(db).catch(() => undefined);
      }
      const row = result.rows[0]!;
      if (row.allowed) return { allowed: true, remaining: Math.floor(row.tokens) };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((cost - row.tokens) / perMs / 1000)) };
    },
  };
}
