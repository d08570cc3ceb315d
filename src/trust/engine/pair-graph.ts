// The pair graph the credibility propagation reads, held in typed arrays (pure: rows arrive from memory or from
// keyset pages of the database). DIDs are interned to integers once; a pair row costs 40 bytes and no object, so a
// marketplace of a million agents and twenty million pair rows fits in about a gigabyte.

import type { AgentPlatformRow, PairRow } from './evidence.ts';

/** The pair columns the propagation reads (camelCase names of trust_pair's columns). */
export const PAIR_GRAPH_COLUMNS = [
  'subjectDid', 'counterpartyDid', 'econAccepted', 'escrowAccepted', 'econDisputed', 'econRefunded', 'verifications',
  'disputedEp', 'refundedEp', 'rejectedWorkEp', 'violationsEp', 'incidentsEp', 'acceptedEp', 'completionsEp',
] as const satisfies readonly (keyof PairRow)[];
export type PairGraphRow = Pick<PairRow, (typeof PAIR_GRAPH_COLUMNS)[number]>;

/** A pair row reduced to what the propagation reads; the sums are taken left to right, as addPair takes them. */
export interface PairGraphSums {
  subjectDid: string;
  counterpartyDid: string;
  econAccepted: number;
  escrowAccepted: number;
  /** econAccepted + econDisputed + econRefunded */
  econ: number;
  econDisputed: number;
  verifications: number;
  /** disputedEp + refundedEp + rejectedWorkEp + violationsEp + incidentsEp */
  negativeEp: number;
  /** acceptedEp + completionsEp */
  positiveEp: number;
}

/** The agent-platform columns the propagation reads. */
export const AGENT_PLATFORM_GRAPH_COLUMNS = ['did', 'platformDid', 'role', 'econAccepted', 'escrowAccepted', 'escrowHourSum'] as const satisfies readonly (keyof AgentPlatformRow)[];
export type AgentPlatformGraphRow = Pick<AgentPlatformRow, (typeof AGENT_PLATFORM_GRAPH_COLUMNS)[number]>;

/** Everything the propagation needs, DIDs as indices into `names` (sorted as JS compares strings). */
export interface PairGraph {
  names: string[];
  /** Per DID: a platform DID (never judged as a rater); an accepted identity.verification about it. */
  isPlatform: Uint8Array;
  verified: Uint8Array;
  /** Per DID as a client, over pairs between non-platform DIDs: economic jobs and disputed ones (restriction rule). */
  clientJobs: Float64Array;
  clientDisputes: Float64Array;
  /**
   * Pair rows between distinct DIDs that carry economic work or decayed evidence, sorted by (subject, counterparty).
   * negativeEp and positiveEp are the decayed negative and positive sums the rater fairness reads before weighting.
   */
  pairs: {
    length: number;
    subject: Int32Array;
    counterparty: Int32Array;
    econAccepted: Float64Array;
    escrowAccepted: Float64Array;
    negativeEp: Float64Array;
    positiveEp: Float64Array;
  };
  /** Agent-platform rows sorted by DID; platform is a DID index; role 1 = subject, 0 = client. */
  agentPlatforms: {
    length: number;
    did: Int32Array;
    platform: Int32Array;
    subjectRole: Uint8Array;
    econAccepted: Float64Array;
    escrowAccepted: Float64Array;
    escrowHourSum: Float64Array;
  };
}

type TypedArray = Int32Array | Float64Array | Uint8Array;

/** A typed array that doubles when full. */
class Column<T extends TypedArray> {
  data: T;
  length = 0;
  constructor(private readonly make: (size: number) => T) {
    this.data = make(1024);
  }
  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length * 2);
    this.data[this.length++] = value;
  }
  /** Makes index `i` addressable (new cells are 0). */
  ensure(size: number): void {
    if (size > this.data.length) this.grow(Math.max(size, this.data.length * 2));
    if (size > this.length) this.length = size;
  }
  private grow(size: number): void {
    const next = this.make(size);
    next.set(this.data.subarray(0, this.length) as never);
    this.data = next;
  }
  /** Drops the buffer (the builder is spent). */
  release(): void {
    this.data = this.make(0);
    this.length = 0;
  }
}

const int32 = (n: number) => new Int32Array(n);
const float64 = (n: number) => new Float64Array(n);
const uint8 = (n: number) => new Uint8Array(n);

/**
 * Collects rows into a PairGraph. Agent-platform rows come first: they name the platform DIDs, which the rater
 * fairness leaves out of the client tallies kept while pairs stream past.
 */
export class PairGraphBuilder {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly isPlatform = new Column(uint8);
  private readonly verified = new Column(uint8);
  private readonly clientJobs = new Column(float64);
  private readonly clientDisputes = new Column(float64);
  private readonly subject = new Column(int32);
  private readonly counterparty = new Column(int32);
  private readonly econAccepted = new Column(float64);
  private readonly escrowAccepted = new Column(float64);
  private readonly negativeEp = new Column(float64);
  private readonly positiveEp = new Column(float64);
  private readonly apDid = new Column(int32);
  private readonly apPlatform = new Column(int32);
  private readonly apSubjectRole = new Column(uint8);
  private readonly apEconAccepted = new Column(float64);
  private readonly apEscrowAccepted = new Column(float64);
  private readonly apEscrowHourSum = new Column(float64);
  private pairsStarted = false;

  private intern(did: string): number {
    let id = this.ids.get(did);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(did, id);
      this.names.push(did);
      for (const column of [this.isPlatform, this.verified, this.clientJobs, this.clientDisputes]) column.ensure(id + 1);
    }
    return id;
  }

  /** A platform DID that may have no agent-platform row (the rater fairness on pairs alone). */
  markPlatform(did: string): void {
    if (this.pairsStarted) throw new Error('platforms must be named before pair rows');
    this.isPlatform.data[this.intern(did)] = 1;
  }

  addAgentPlatform(row: AgentPlatformGraphRow): void {
    if (this.pairsStarted) throw new Error('agent-platform rows must be added before pair rows');
    const platform = this.intern(row.platformDid);
    this.isPlatform.data[platform] = 1;
    this.apDid.push(this.intern(row.did));
    this.apPlatform.push(platform);
    this.apSubjectRole.push(row.role === 'subject' ? 1 : 0);
    this.apEconAccepted.push(row.econAccepted);
    this.apEscrowAccepted.push(row.escrowAccepted);
    this.apEscrowHourSum.push(row.escrowHourSum);
  }

  addPair(row: PairGraphRow): void {
    this.addPairSums({
      subjectDid: row.subjectDid,
      counterpartyDid: row.counterpartyDid,
      econAccepted: row.econAccepted,
      escrowAccepted: row.escrowAccepted,
      econ: row.econAccepted + row.econDisputed + row.econRefunded,
      econDisputed: row.econDisputed,
      verifications: row.verifications,
      // Summed in the order the rater fairness has always summed them.
      negativeEp: row.disputedEp + row.refundedEp + row.rejectedWorkEp + row.violationsEp + row.incidentsEp,
      positiveEp: row.acceptedEp + row.completionsEp,
    });
  }

  /** A pair row whose sums the database already took (the same IEEE additions, so the same bits). */
  addPairSums(row: PairGraphSums): void {
    this.pairsStarted = true;
    if (row.subjectDid === row.counterpartyDid) return;
    const subject = this.intern(row.subjectDid);
    const counterparty = this.intern(row.counterpartyDid);
    if (row.verifications > 0) this.verified.data[subject] = 1;
    const isPlatform = this.isPlatform.data;
    // Counts (whole numbers), so the sums do not depend on the order rows arrive in.
    if (!isPlatform[subject] && !isPlatform[counterparty] && row.econ > 0) {
      this.clientJobs.data[counterparty]! += row.econ;
      this.clientDisputes.data[counterparty]! += row.econDisputed;
    }
    // A row with neither economic work nor decayed evidence is neither an edge nor an observation.
    if (row.econAccepted <= 0 && row.negativeEp === 0 && row.positiveEp === 0) return;
    this.subject.push(subject);
    this.counterparty.push(counterparty);
    this.econAccepted.push(row.econAccepted);
    this.escrowAccepted.push(row.escrowAccepted);
    this.negativeEp.push(row.negativeEp);
    this.positiveEp.push(row.positiveEp);
  }

  /** Renumbers DIDs in sorted order and sorts the rows, so nothing downstream depends on the order rows arrived in. */
  finish(): PairGraph {
    const n = this.names.length;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const names = this.names;
    order.sort((x, y) => (names[x]! < names[y]! ? -1 : names[x]! > names[y]! ? 1 : 0));
    const rank = new Int32Array(n);
    for (let r = 0; r < n; r++) rank[order[r]!] = r;
    const sortedNames = new Array<string>(n);
    for (let r = 0; r < n; r++) sortedNames[r] = names[order[r]!]!;
    this.ids.clear();
    const byRank = <T extends TypedArray>(column: Column<T>): T => {
      const source = column.data;
      const out = new (source.constructor as new (size: number) => T)(n);
      for (let r = 0; r < n; r++) out[r] = source[order[r]!]!;
      return out;
    };

    const pairCount = this.subject.length;
    const subject = this.subject.data;
    const counterparty = this.counterparty.data;
    for (let k = 0; k < pairCount; k++) {
      subject[k] = rank[subject[k]!]!;
      counterparty[k] = rank[counterparty[k]!]!;
    }
    const pairOrder = sortedPermutation(subject.subarray(0, pairCount), counterparty.subarray(0, pairCount), n);
    const apCount = this.apDid.length;
    const apDid = this.apDid.data;
    const apPlatform = this.apPlatform.data;
    for (let k = 0; k < apCount; k++) {
      apDid[k] = rank[apDid[k]!]!;
      apPlatform[k] = rank[apPlatform[k]!]!;
    }
    const apOrder = sortedPermutation(apDid.subarray(0, apCount), apPlatform.subarray(0, apCount), n);

    return {
      names: sortedNames,
      isPlatform: byRank(this.isPlatform),
      verified: byRank(this.verified),
      clientJobs: byRank(this.clientJobs),
      clientDisputes: byRank(this.clientDisputes),
      pairs: {
        length: pairCount,
        subject: gatherAndRelease(this.subject, pairOrder),
        counterparty: gatherAndRelease(this.counterparty, pairOrder),
        econAccepted: gatherAndRelease(this.econAccepted, pairOrder),
        escrowAccepted: gatherAndRelease(this.escrowAccepted, pairOrder),
        negativeEp: gatherAndRelease(this.negativeEp, pairOrder),
        positiveEp: gatherAndRelease(this.positiveEp, pairOrder),
      },
      agentPlatforms: {
        length: apCount,
        did: gatherAndRelease(this.apDid, apOrder),
        platform: gatherAndRelease(this.apPlatform, apOrder),
        subjectRole: gatherAndRelease(this.apSubjectRole, apOrder),
        econAccepted: gatherAndRelease(this.apEconAccepted, apOrder),
        escrowAccepted: gatherAndRelease(this.apEscrowAccepted, apOrder),
        escrowHourSum: gatherAndRelease(this.apEscrowHourSum, apOrder),
      },
    };
  }
}

/** Builds a PairGraph from rows in memory. */
export function pairGraphOf(pairs: Iterable<PairGraphRow>, agentPlatforms: Iterable<AgentPlatformGraphRow>): PairGraph {
  const builder = new PairGraphBuilder();
  for (const row of agentPlatforms) builder.addAgentPlatform(row);
  for (const row of pairs) builder.addPair(row);
  return builder.finish();
}

/**
 * The permutation that sorts rows by (first, second), both in 0..n−1: a counting sort on the first key, then an
 * insertion sort on the second within each run (runs are short: one DID's counterparties).
 */
export function sortedPermutation(first: Int32Array, second: Int32Array, n: number): Int32Array {
  const length = first.length;
  const start = new Int32Array(n + 1);
  for (let k = 0; k < length; k++) start[first[k]! + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const order = new Int32Array(length);
  for (let k = 0; k < length; k++) order[fill[first[k]!]!++] = k;
  for (let i = 0; i < n; i++) {
    if (start[i + 1]! - start[i]! > 32) {
      // A hub's long run: sorted in n log n (ties by arrival, as below).
      const run = Array.from(order.subarray(start[i]!, start[i + 1]!));
      run.sort((x, y) => second[x]! - second[y]! || x - y);
      order.set(run, start[i]!);
      continue;
    }
    for (let a = start[i]! + 1; a < start[i + 1]!; a++) {
      const row = order[a]!;
      const key = second[row]!;
      let b = a - 1;
      // Ties keep arrival order (stable).
      while (b >= start[i]! && second[order[b]!]! > key) {
        order[b + 1] = order[b]!;
        b--;
      }
      order[b + 1] = row;
    }
  }
  return order;
}

/** The column's rows in `order`; the column's own buffer is let go at once, so at most one column is held twice. */
function gatherAndRelease<T extends TypedArray>(column: Column<T>, order: Int32Array): T {
  const source = column.data;
  const out = new (source.constructor as new (size: number) => T)(order.length);
  for (let k = 0; k < order.length; k++) out[k] = source[order[k]!]!;
  column.release();
  return out;
}
