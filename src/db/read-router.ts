// Where a read runs: the primary, or the read replica named by CREDENCE_READ_DATABASE_URL. No business logic here,
// only the routing rules (docs/operations.md, "Read replicas"):
//
// - A read goes to the replica only inside a request marked public (`run(false, ...)`) and never pinned since
//   (a mutation pins its request). Everything else (background jobs, commands, authenticated or writing requests,
//   code outside any request) reads the primary, so a caller always sees its own writes.
// - The replica serves only while its last probe found it reachable, in recovery and at most `maxLagMs` behind;
//   otherwise reads go to the primary and the fallback is counted by reason.
// - A read that needs a given primary position (`minLsn`) first checks, on the same replica connection, that the
//   replica has replayed it; if not, it runs on the primary. Replay only moves forward, so the read's snapshot,
//   taken after the check, holds every commit up to that position.
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'kysely';
import type { Db } from './database.ts';

export type ReadTarget = 'primary' | 'replica';
export type ReplicaState = 'unknown' | 'ready' | 'lagging' | 'down' | 'not-a-replica';
/** Why a read that could have gone to the replica ran on the primary. */
export type FallbackReason = Exclude<ReplicaState, 'ready'> | 'behind';

export interface ReadRouterStats {
  reads: Record<ReadTarget, number>;
  fallbacks: Record<FallbackReason, number>;
  state: ReplicaState;
  /** Replay lag the last probe measured, in milliseconds (null when unknown). */
  lagMs: number | null;
}

export interface ReadRouterOptions {
  /** A replica further behind than this (by its last replayed commit) serves nothing until it catches up. */
  maxLagMs: number;
  /** How old the last probe may be before a read starts a new one (in the background). */
  probeIntervalMs?: number;
  /** Milliseconds for probe ages; performance.now() unless given. */
  now?: () => number;
  /** Told when the replica's state changes (the service logs it). */
  onStateChange?: (state: ReplicaState, detail: { lagMs: number | null; error?: string }) => void;
}

export interface ReadRouter {
  readonly primary: Db;
  readonly hasReplica: boolean;
  /**
   * Runs `work` as one request, public (`false`) or needing the primary: the mark holds for everything `work`
   * awaits. A later `pinToPrimary` in the same request moves the rest of it to the primary.
   */
  run<T>(needsPrimary: boolean, work: () => T): T;
  /** The current request must see its own writes from here on. */
  pinToPrimary(): void;
  /** Where a read started now would go, before any position check. */
  targetNow(): ReadTarget;
  /** Runs `read` on the replica when the rules allow it (and it has replayed `minLsn`), else on the primary. */
  read<T>(read: (db: Db) => Promise<T>, options?: { minLsn?: string | null }): Promise<{ value: T; target: ReadTarget }>;
  /** Checks the replica now; reads use the answer until the next probe. */
  probe(): Promise<ReplicaState>;
  stats(): ReadRouterStats;
}

interface RequestRouting {
  needsPrimary: boolean;
}

const BEHIND = Symbol('replica behind');

export function createReadRouter(primary: Db, replica: Db | null, options: ReadRouterOptions): ReadRouter {
  const requests = new AsyncLocalStorage<RequestRouting>();
  const now = options.now ?? (() => performance.now());
  const probeInterval = options.probeIntervalMs ?? 1_000;
  const stats: ReadRouterStats = {
    reads: { primary: 0, replica: 0 },
    fallbacks: { unknown: 0, lagging: 0, down: 0, 'not-a-replica': 0, behind: 0 },
    state: 'unknown',
    lagMs: null,
  };
  let probedAt = -Infinity;
  let probing: Promise<ReplicaState> | null = null;

  function setState(state: ReplicaState, lagMs: number | null, error?: string): ReplicaState {
    const changed = state !== stats.state;
    stats.state = state;
    stats.lagMs = lagMs;
    if (changed) options.onStateChange?.(state, { lagMs, ...(error ? { error } : {}) });
    return state;
  }

  async function runProbe(): Promise<ReplicaState> {
    if (!replica) return 'unknown';
    probedAt = now();
    try {
      // Lag by the last replayed commit: 0 while everything received is replayed, else how long ago the last
      // replayed commit was made on the primary (an idle primary that writes again reads as lagging until replayed).
      const { rows } = await sql<{ recovery: boolean; lag_ms: number | null }>`
        select pg_is_in_recovery() as recovery,
               case when pg_last_wal_receive_lsn() is not distinct from pg_last_wal_replay_lsn() then 0
                    else (extract(epoch from clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::float8
               end as lag_ms`.execute(replica);
      const row = rows[0]!;
      if (!row.recovery) return setState('not-a-replica', null);
      const lagMs = row.lag_ms === null ? null : Math.max(0, Number(row.lag_ms));
      return setState(lagMs !== null && lagMs <= options.maxLagMs ? 'ready' : 'lagging', lagMs);
    } catch (error) {
      return setState('down', null, error instanceof Error ? error.message : String(error));
    }
  }

  function probe(): Promise<ReplicaState> {
    probing ??= runProbe().finally(() => (probing = null));
    return probing;
  }

  function targetNow(): ReadTarget {
    if (!replica) return 'primary';
    const routing = requests.getStore();
    if (!routing || routing.needsPrimary) return 'primary';
    if (now() - probedAt >= probeInterval) void probe();
    return stats.state === 'ready' ? 'replica' : 'primary';
  }

  async function onPrimary<T>(read: (db: Db) => Promise<T>): Promise<{ value: T; target: ReadTarget }> {
    stats.reads.primary += 1;
    return { value: await read(primary), target: 'primary' };
  }

  return {
    primary,
    hasReplica: replica !== null,
    run(needsPrimary, work) {
      return requests.run({ needsPrimary }, work);
    },
    pinToPrimary() {
      const routing = requests.getStore();
      if (routing) routing.needsPrimary = true;
    },
    targetNow,
    async read<T>(read: (db: Db) => Promise<T>, readOptions: { minLsn?: string | null } = {}) {
      if (!replica || targetNow() === 'primary') {
        const routing = requests.getStore();
        // Only a public read that the replica's state turned away is a fallback.
        if (replica && routing && !routing.needsPrimary && stats.state !== 'ready') stats.fallbacks[stats.state as FallbackReason] += 1;
        return onPrimary(read);
      }
      const minLsn = readOptions.minLsn ?? null;
      let answer: T | typeof BEHIND;
      try {
        answer = await replica.connection().execute(async (connection) => {
          if (minLsn !== null) {
            const { rows } = await sql<{ replayed: boolean | null }>`
              select pg_last_wal_replay_lsn() >= ${minLsn}::pg_lsn as replayed`.execute(connection);
            if (rows[0]?.replayed !== true) return BEHIND;
          }
          return read(connection);
        });
      } catch (error) {
        // Down (or failing): the primary answers, and reads stay there until a probe finds it back.
        setState('down', null, error instanceof Error ? error.message : String(error));
        probedAt = now();
        stats.fallbacks.down += 1;
        return onPrimary(read);
      }
      if (answer === BEHIND) {
        stats.fallbacks.behind += 1;
        return onPrimary(read);
      }
      stats.reads.replica += 1;
      return { value: answer, target: 'replica' as const };
    },
    probe,
    stats() {
      return { reads: { ...stats.reads }, fallbacks: { ...stats.fallbacks }, state: stats.state, lagMs: stats.lagMs };
    },
  };
}

/** Every read on the primary: no replica configured (PGlite, or CREDENCE_READ_DATABASE_URL unset). */
export function primaryOnly(primary: Db): ReadRouter {
  return createReadRouter(primary, null, { maxLagMs: 0 });
}
