// trust(did), trustBatch and checkTrust: the pure engine over maintained aggregates and the stored propagation
// results. Reads never touch receipt rows. A read that misses memory is one SQL statement: it checks the versions of
// the requested DIDs and loads only what changed since this instance last read them, so a warm read costs the same
// for an agent with 10 receipts as for one with 100,000 (docs/trust-model.md, "Reading a report").
//
// Following the database's change notices (`follow`), a warm read skips that statement too: the database announces
// every change to trust inputs on `credence_trust_inputs` (migration 2026-12-04T0012), this instance drops what
// changed, and a read answers from memory once the listener has caught up with every commit made before the read
// began (a cheap query on the listening connection, shared by all reads waiting at that moment). When the listener
// is down or slow, reads go back to the version check; when it comes back on a new connection, memory is cleared
// (docs/operations.md, "Trust read cache").
//
// With a read replica (src/db/read-router.ts), a public read's statement may run there. What it reads is kept in
// memory only when the replica has replayed the primary's position that covers every notice handled so far (the
// position a listener catch-up read); otherwise a replica still behind a notified change could refill memory with
// the answer that notice had just dropped (docs/operations.md, "Read replicas").
import type { Db } from '../../db/database.ts';
import type { ReadRouter } from '../../db/read-router.ts';
import type { ListenerSync, NotificationHandler, Unlisten } from '../../db/notification-listener.ts';
import { clientStats, computeTrustReport, windowBounds, windowStats, type ReportOptions } from '../engine/engine.ts';
import { hourOf, orderAggregates, DAY_MS } from '../engine/evidence.ts';
import { DEFAULT_TRUST_PARAMS, type TrustParams } from '../engine/params.ts';
import { checkTrust, type TrustPolicy } from '../engine/policy.ts';
import type { NodeCredibility, PlatformStanding } from '../engine/propagation.ts';
import type { ClientStats, TrustReport, TrustWindows } from '../engine/types.ts';
import { readTrustInputs, type CachedVersion, type LoadedAgent } from './trust-read.repository.ts';

/** Where the database announces changes to trust inputs (payloads: `a:<did>`, `p:<platform did>`, `r:<platform did>`, `*`). */
export const TRUST_INPUTS_CHANNEL = 'credence_trust_inputs';

export const MAX_TRUST_BATCH = 100;

/** Agents whose aggregates a service instance keeps in memory (the one longest unmoved evicted first; see `touch`). */
export const DEFAULT_TRUST_CACHE_SIZE = 10_000;

export interface TrustContextOverride {
  /** Propagation results computed in memory (the scores command), instead of the stored ones. */
  credibility?: Map<string, NodeCredibility>;
  platformShares?: Map<string, number>;
}

/** How a read is answered: `explain: false` leaves the explanation out (see ReportOptions). */
export interface TrustReadOptions extends ReportOptions {
  override?: TrustContextOverride;
}

export interface TrustServiceOptions {
  params?: TrustParams;
  /** 0 turns the in-memory copy off (a service bound to one transaction must not keep what it read). */
  cacheSize?: number;
  /** Sends public reads to the read replica when one is configured; every read goes to `db` without it. */
  reads?: ReadRouter;
  /**
   * While following notices: reload agents a notice dropped from memory in the background, up to
   * MAX_TRUST_BATCH in one statement, as of this clock's now. Without it each is reloaded by its next read, one
   * statement per read, and under steady writes most reads of a busy population miss memory.
   */
  refreshAsOf?: () => Date;
}

/** What `follow` needs from the database: its LISTEN (src/db/database.ts). */
export interface TrustNoticeSource {
  listen?(channel: string, handler: NotificationHandler): Promise<Unlisten>;
}

export interface TrustCacheStats {
  /** Reads answered from memory, and reads that ran the version-check statement. */
  memoryReads: number;
  databaseReads: number;
  /** Times memory was cleared because the listener came back on a new connection. */
  resyncs: number;
  /** Background statements that reloaded agents a notice had dropped (`refreshAsOf`). */
  refreshes: number;
  /**
   * Catch-up queries the change listener has sent (PostgreSQL; 0 on PGlite, which needs none): a read from memory
   * waits for one, shared with every read that asked before it left.
   */
  catchUps: number;
}

interface CachedAgent extends LoadedAgent {
  run: number;
  platformSet: number;
  /** Hour buckets are held from this hour on; an older asOf needs a reload. */
  fromHour: number;
  /** Read since it last came to the front of the queue, or since it joined it in place of a copy (see `remember`). */
  readSince?: boolean;
  /** Its windows at the last bounds read (see `windowsOf`); an entry whose rows change is replaced, and this with it. */
  windows?: { bounds: readonly number[]; value: TrustWindows };
  /** Its client stats (they depend on its rows alone), frozen: reports share them. */
  client?: ClientStats;
}

/** Agents waiting to be reloaded together, and a promise settled once they are (kept or not). */
interface RefreshBatch {
  dids: Set<string>;
  done: Promise<void>;
  finish: () => void;
}

/** A database read in flight: notices that arrive before it finishes keep what it read out of memory. */
interface PendingRead {
  dids: ReadonlySet<string>;
  changedAgents: Set<string>;
  changedPlatforms: boolean;
  /** Platforms whose own aggregate row moved: what was read of them is kept only if it holds no row. */
  changedPlatformRows: Set<string>;
  changedAll: boolean;
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return a.length === b.length;
}

export function createTrustService(db: Db, options: TrustServiceOptions = {}) {
  const params = options.params ?? DEFAULT_TRUST_PARAMS;
  const cacheSize = options.cacheSize ?? DEFAULT_TRUST_CACHE_SIZE;
  // A Map iterates in insertion order, so the first key is the one moved to the newest end longest ago.
  const cache = new Map<string, CachedAgent>();
  // Platform standings, held only while following notices (otherwise every read loads them fresh).
  const standingsHeld = new Map<string, PlatformStanding>();
  const pending = new Set<PendingRead>();
  const stats: Omit<TrustCacheStats, 'catchUps'> = { memoryReads: 0, databaseReads: 0, resyncs: 0, refreshes: 0 };
  // The batch collecting dropped agents, and the one being read (at most one at a time).
  let queuedRefresh: RefreshBatch | null = null;
  let runningRefresh: RefreshBatch | null = null;
  // null: not following. `sync` undefined: notices arrive before the committing statement returns (PGlite).
  let following: { unlisten: Unlisten; sync: ListenerSync | undefined; fenceLsn: (() => string | null) | undefined } | null = null;
  let connection: number | null = null;
  // Notices handled so far, and the primary position known to cover all of them up to `coveredSeq`.
  let noticeSeq = 0;
  let covered: { lsn: string; seq: number } | null = null;

  /**
   * Keeps `agent` in memory, by the second-chance (CLOCK) policy. A new agent joins the back of the queue; a newer copy
   * of one held takes its place (marked read when a read loaded it). Past cacheSize, the front goes, unless it was read
   * since it last came to the front: then it is unmarked and goes to the back. So a read costs a mark (`touch`), not
   * a reordering: a Map delete and set per hit made a lookup about 60% dearer (340 against 210 ns over 10,000
   * entries), trustBatch makes 100, and the earlier "move when old" rule, which counted its own moves, ended up moving
   * half the hits of a population as large as the cache (about 2% of the server's CPU under the mixed load).
   */
  function remember(agent: CachedAgent, read: boolean): void {
    if (cacheSize <= 0) return;
    const held = cache.has(agent.did);
    agent.readSince = read && held;
    // Room is made before a new agent joins, so it is never the one its own arrival sweeps out.
    if (!held) {
      while (cache.size >= cacheSize) {
        const [did, front] = cache.entries().next().value!;
        cache.delete(did);
        if (front.readSince) {
          front.readSince = false;
          cache.set(did, front);
        }
      }
    }
    cache.set(agent.did, agent);
  }

  function touch(agent: CachedAgent): void {
    agent.readSince = true;
  }

  function forgetAll(): void {
    cache.clear();
    standingsHeld.clear();
    for (const read of pending) read.changedAll = true;
  }

  function refreshOf(did: string): RefreshBatch | null {
    if (queuedRefresh?.dids.has(did)) return queuedRefresh;
    if (runningRefresh?.dids.has(did)) return runningRefresh;
    return null;
  }

  function queueRefresh(did: string): void {
    if (!options.refreshAsOf) return;
    if (!queuedRefresh) {
      let finish!: () => void;
      const done = new Promise<void>((resolve) => (finish = resolve));
      queuedRefresh = { dids: new Set(), done, finish };
      // On the next turn: the notices of one commit arrive together and share a statement.
      if (!runningRefresh) setImmediate(startRefresh);
    }
    // Beyond one statement's worth, an agent is left to its next read.
    if (queuedRefresh.dids.size < MAX_TRUST_BATCH) queuedRefresh.dids.add(did);
  }

  function startRefresh(): void {
    if (runningRefresh || !queuedRefresh) return;
    const batch = queuedRefresh;
    queuedRefresh = null;
    runningRefresh = batch;
    const asOf = options.refreshAsOf!();
    // Through the read path itself: it catches up with the listener first, and keeps only what no notice changed
    // while the statement ran. A failure leaves the agents to their next read.
    const read = following ? collect([...batch.dids], asOf, {}, true) : Promise.resolve();
    read
      .catch(() => undefined)
      .finally(() => {
        runningRefresh = null;
        batch.finish();
        if (queuedRefresh) setImmediate(startRefresh);
      });
  }

  /** Settles once every agent `unique` lacks in memory has been through a background reload; null if one is not queued. */
  function pendingRefresh(unique: readonly string[]): Promise<unknown> | null {
    const batches = new Set<Promise<void>>();
    for (const did of unique) {
      if (cache.has(did)) continue;
      const batch = refreshOf(did);
      if (!batch) return null;
      batches.add(batch.done);
    }
    return batches.size > 0 ? Promise.all(batches) : null;
  }

  function onNotice(payload: string): void {
    noticeSeq += 1;
    if (payload.startsWith('a:')) {
      const did = payload.slice(2);
      // Reloaded in the background if it was held (or is being reloaded: that read will not keep it now).
      if (cache.delete(did) || refreshOf(did)) queueRefresh(did);
      for (const read of pending) if (read.dids.has(did)) read.changedAgents.add(did);
    } else if (payload.startsWith('p:')) {
      standingsHeld.delete(payload.slice(2));
      for (const read of pending) read.changedPlatforms = true;
    } else if (payload.startsWith('r:')) {
      // A platform's own row moved (every receipt on it does that). The standing of a registered platform holds no
      // row (trust-read.repository.ts), so only an unregistered platform's, weighed by that row, goes.
      const did = payload.slice(2);
      if (standingsHeld.get(did)?.row) standingsHeld.delete(did);
      for (const read of pending) read.changedPlatformRows.add(did);
    } else {
      // `*`, or anything this version does not know: drop everything rather than guess.
      forgetAll();
    }
  }

  /** True when memory is known to hold every change committed before this moment. */
  async function caughtUp(): Promise<boolean> {
    if (!following) return false;
    if (!following.sync) return true;
    const seq = noticeSeq;
    const number = await following.sync();
    if (number === null) return false;
    if (number !== connection) {
      // A new listening connection: notices sent while none listened are lost, so nothing held can be trusted.
      forgetAll();
      connection = number;
      covered = null;
      stats.resyncs += 1;
    }
    // A catch-up sent by this call answered after every notice counted in `seq`: its position covers them.
    coverNotices(seq);
    return true;
  }

  function coverNotices(seq: number): void {
    const lsn = following?.fenceLsn?.() ?? null;
    if (lsn !== null && covered?.seq !== seq) covered = { lsn, seq };
  }

  /**
   * The primary position a replica must have replayed before what it reads may be kept: one covering every notice
   * handled so far. Null when none can be had (the listener is down): then nothing read there is kept.
   */
  async function coveringLsn(): Promise<string | null> {
    if (!following?.sync || !following.fenceLsn) return null;
    if (covered && covered.seq === noticeSeq) return covered.lsn;
    const seq = noticeSeq;
    const number = await following.sync();
    if (number === null || number !== connection) return null;
    coverNotices(seq);
    return covered?.seq === seq ? covered.lsn : null;
  }

  function clearChanges(read: PendingRead): void {
    read.changedAgents.clear();
    read.changedPlatforms = false;
    read.changedPlatformRows.clear();
    read.changedAll = false;
  }

  /** Reports from memory alone, or null when something needed is not held. */
  function fromMemory(unique: readonly string[], asOf: Date, fromHour: number, detail: ReportOptions): Map<string, TrustReport> | null {
    const agents: CachedAgent[] = [];
    for (const did of unique) {
      const entry = cache.get(did);
      if (!entry || entry.fromHour > fromHour) return null;
      for (const platformDid of entry.platformDids) if (!standingsHeld.has(platformDid)) return null;
      agents.push(entry);
    }
    const computed = new Map<string, TrustReport>();
    const asOfMs = asOf.getTime();
    const bounds = windowBounds(params, asOfMs);
    for (const agent of agents) {
      touch(agent);
      // Every held standing is a platform's, so the engine's "is this counterparty a platform" reads the same as
      // from the statement's rows.
      agent.client ??= Object.freeze(clientStats(agent.aggregates, params));
      computed.set(agent.did, report(agent, asOf, standingsHeld, undefined, detail, windowsOf(agent, asOfMs, bounds), agent.client));
    }
    stats.memoryReads += 1;
    return computed;
  }

  /**
   * A held agent's windows at asOf, kept on its entry: they change only when an hour bound moves or its rows do,
   * and computing them was about 7% of the server's CPU in the mixed load (most reads never select them, but
   * HIGH_DISPUTE_RATE and checkTrust's window rules read them). Frozen, since reports share them.
   */
  function windowsOf(agent: CachedAgent, asOfMs: number, bounds: ReturnType<typeof windowBounds>): TrustWindows {
    const held = agent.windows;
    if (held && (held.bounds === bounds || sameBounds(held.bounds, bounds))) return held.value;
    const value = windowStats(orderAggregates(agent.aggregates), params, asOfMs, agent.did);
    for (const window of Object.values(value)) Object.freeze(window);
    agent.windows = { bounds, value: Object.freeze(value) };
    return value;
  }

  function report(
    agent: LoadedAgent,
    asOf: Date,
    standings: ReadonlyMap<string, PlatformStanding>,
    override: TrustContextOverride | undefined,
    detail: ReportOptions,
    windows?: TrustWindows,
    client?: ClientStats,
  ): TrustReport {
    const credibility = override?.credibility ?? agent.credibility;
    const self = override?.credibility ? (override.credibility.get(agent.did) ?? null) : agent.self;
    return computeTrustReport({ did: agent.did, aggregates: agent.aggregates, credibility, platforms: standings, self, windows, client }, params, asOf, detail);
  }

  /** `background`: a reload's read, counted apart, which never waits for a reload itself and answers no reports. */
  async function collect(dids: readonly string[], asOf: Date, readOptions: TrustReadOptions, background: boolean): Promise<TrustReport[]> {
    const override = readOptions.override;
    const unique = [...new Set(dids)];
    const fromHour = hourOf(asOf.getTime() - params.windows.d90 * DAY_MS);
    const useCache = !override && cacheSize > 0;
    // Registered before catching up, so no notice can slip between the catch-up and the statement unseen.
    const read: PendingRead = { dids: new Set(unique), changedAgents: new Set(), changedPlatforms: false, changedPlatformRows: new Set(), changedAll: false };
    if (following) pending.add(read);
    try {
      return await readReports(dids, unique, asOf, fromHour, useCache, read, readOptions, background);
    } finally {
      pending.delete(read);
    }
  }

  async function readReports(
    dids: readonly string[],
    unique: readonly string[],
    asOf: Date,
    fromHour: number,
    useCache: boolean,
    read: PendingRead,
    readOptions: TrustReadOptions,
    background: boolean,
  ): Promise<TrustReport[]> {
    const override = readOptions.override;
    if (useCache && following && (await caughtUp())) {
      // A reload computes no report: it only refills memory, and has nothing to do when a read already did.
      if (background && unique.every((did) => cache.has(did))) return [];
      let computed = background ? null : fromMemory(unique, asOf, fromHour, readOptions);
      // Agents being reloaded anyway: wait for that statement rather than send one more. A queued reload catches up
      // after this read began; a running one keeps nothing a notice handled by now has changed.
      const refresh = computed || background ? null : pendingRefresh(unique);
      if (refresh) {
        await refresh;
        computed = fromMemory(unique, asOf, fromHour, readOptions);
      }
      if (computed) return dids.map((did) => computed.get(did)!);
      // Notices handled so far are about commits the primary's next statement sees; only later ones count.
      clearChanges(read);
    }

    const held = new Map<string, CachedAgent>();
    const known: CachedVersion[] = unique.map((did) => {
      const entry = useCache ? cache.get(did) : undefined;
      if (!entry || entry.fromHour > fromHour) return { did, version: -1, run: -1, platformSet: -1 };
      held.set(did, entry);
      return { did, version: entry.version, run: entry.run, platformSet: entry.platformSet };
    });
    const knownPlatforms = [...new Set([...held.values()].flatMap((entry) => entry.platformDids))];
    // Kept in memory only if read on the primary, or on a replica that replayed every notified change.
    let keepable = true;
    let result: Awaited<ReturnType<typeof readTrustInputs>>;
    if (options.reads) {
      const minLsn = options.reads.targetNow() === 'replica' && following && useCache ? await coveringLsn() : null;
      // Every notice handled so far lies at or before `minLsn`, which the replica must have replayed to be read.
      if (minLsn !== null) clearChanges(read);
      const routed = await options.reads.read((target) => readTrustInputs(target, known, fromHour, knownPlatforms), { minLsn });
      result = routed.value;
      keepable = routed.target === 'primary' || minLsn !== null || !following;
    } else {
      result = await readTrustInputs(db, known, fromHour, knownPlatforms);
    }
    if (background) stats.refreshes += 1;
    else stats.databaseReads += 1;

    const standings: Map<string, PlatformStanding> = override?.platformShares
      ? new Map([...result.standings].map(([did, standing]) => [did, { ...standing, credibleShare: override.platformShares!.get(did) ?? null }]))
      : result.standings;
    // What this statement read is current unless a notice about it arrived while it ran.
    const keep = (did: string) => useCache && keepable && !read.changedAll && !read.changedAgents.has(did);
    if (following && useCache && keepable && !read.changedAll && !read.changedPlatforms) {
      for (const [did, standing] of result.standings) {
        if (!(standing.row && read.changedPlatformRows.has(did))) standingsHeld.set(did, standing);
      }
    }
    const computed = new Map<string, TrustReport>();
    for (const did of unique) {
      const loaded = result.loaded.get(did);
      const agent: LoadedAgent = loaded ?? held.get(did)!;
      if (keep(did)) {
        if (loaded) remember({ ...loaded, run: result.run, platformSet: result.platformSet, fromHour }, !background);
        else touch(held.get(did)!);
      } else if (useCache) {
        cache.delete(did);
      }
      if (!background) computed.set(did, report(agent, asOf, standings, override, readOptions));
    }
    return background ? [] : dids.map((did) => computed.get(did)!);
  }

  const reports = (dids: readonly string[], asOf: Date, readOptions: TrustReadOptions = {}) => collect(dids, asOf, readOptions, false);

  return {
    reports,
    async report(did: string, asOf: Date, detail?: ReportOptions): Promise<TrustReport> {
      const [report] = await reports([did], asOf, detail);
      return report!;
    },
    async check(did: string, policy: TrustPolicy, asOf: Date, detail?: ReportOptions) {
      const [report] = await reports([did], asOf, detail);
      return { ...checkTrust(report!, policy), report: report! };
    },
    /**
     * Starts answering warm reads from memory, kept current by the database's notices. Without LISTEN (or with the
     * cache off) reads keep checking versions. Idempotent.
     */
    async follow(source: TrustNoticeSource): Promise<void> {
      if (following || cacheSize <= 0 || !source.listen) return;
      const unlisten = await source.listen(TRUST_INPUTS_CHANNEL, onNotice);
      // Anything read before listening may have missed a notice.
      forgetAll();
      following = { unlisten, sync: unlisten.sync, fenceLsn: unlisten.fenceLsn };
      covered = null;
    },
    /** Stops following: reads check versions again. */
    async unfollow(): Promise<void> {
      const current = following;
      following = null;
      connection = null;
      covered = null;
      forgetAll();
      await current?.unlisten();
    },
    /** Settles once no background reload is queued or running (shutdown waits for it; tests use it too). */
    async refreshesSettled(): Promise<void> {
      while (queuedRefresh || runningRefresh) await (runningRefresh ?? queuedRefresh)!.done;
    },
    cacheStats(): Readonly<TrustCacheStats> {
      return { ...stats, catchUps: following?.unlisten.fencesSent?.() ?? 0 };
    },
  };
}

export type TrustService = ReturnType<typeof createTrustService>;
