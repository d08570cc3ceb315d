// Daily receipt counts for the profile's activity chart, read from the trust store's hour buckets. The range is at
// most `days` × 24 bucket rows of one subject (a primary-key range scan), whatever the length of its history.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface DailyCount {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  count: number;
}

export function createActivityRepository(db: Db) {
  return {
    /** Receipts about `did` per UTC day, for the `days` days ending on the day of `now` (up to `now`). */
    async dailyReceipts(did: string, now: Date, days: number): Promise<DailyCount[]> {
      const firstDayMs = Math.floor(now.getTime() / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
      const fromHour = Math.floor(firstDayMs / HOUR_MS);
      const toHour = Math.floor(now.getTime() / HOUR_MS);
      const result = await sql<{ day: number | string; count: number | string }>`
        select hour / 24 as day, sum(receipts) as count
        from trust_agent_hour
        where subject_did = ${did} and hour between ${fromHour} and ${toHour}
        group by hour / 24
        order by 1`.execute(db);
      return result.rows
        .map((row) => ({ day: new Date(Number(row.day) * DAY_MS).toISOString().slice(0, 10), count: Math.round(Number(row.count)) }))
        .filter((row) => row.count > 0);
    },
  };
}

export type ActivityRepository = ReturnType<typeof createActivityRepository>;
