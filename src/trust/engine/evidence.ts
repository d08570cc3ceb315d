// Maintained aggregates: what the database stores for the trust model, and the exact per-receipt deltas.
//
// Every column is a sum or a count, so a receipt's delta is order-independent and a revocation is the same delta
// with sign −1. The only exceptions are the four span columns of a pair (first/last hour), which are LEAST/GREATEST
// on insert; a revocation leaves them alone and the database refreshes them from the pair's remaining receipts
// (docs/trust-model.md, "Revocation"). Decayed sums are kept against a fixed reference time (decayEpochMs):
// column_ep = Σ x · 2^((t − epoch) / halfLife), so the decayed value at asOf is column_ep · 2^(−(asOf − epoch) / halfLife).

import type { AggregateParams, TrustParams } from './params.ts';
import { DEFAULT_TRUST_PARAMS } from './params.ts';
import type { ReceiptEvidence } from './types.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Hours since the Unix epoch: the time key of every bucket and span column. */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

export function toMs(time: number | Date): number {
  return typeof time === 'number' ? time : time.getTime();
}

// ---------------------------------------------------------------- the aggregate tables, declared once

/**
 * Every maintained aggregate table: its key fields, its sum fields (the database columns in camelCase, in the order
 * the migration creates them) and the count that says whether a row still holds evidence. The row types, empty rows
 * and adders below, the store's SQL column lists (trust/store) and the aggregate check all derive from this.
 */
export const AGGREGATE_COLUMNS = {
  /** Key (subject_did, counterparty_did): everything one counterparty said about one subject. */
  trust_pair: {
    keys: ['subjectDid', 'counterpartyDid'],
    sums: [
      'receipts',
      // Economic receipts by outcome class (see economicClass).
      'econAccepted', 'econDisputed', 'econRefunded',
      // Escrow-verified economic receipts (any outcome) and accepted ones.
      'econEscrow', 'escrowAccepted',
      'valueAcceptedUsd', 'valueEscrowAcceptedUsd',
      // Σ unit over accepted economic receipts (unit: escrow and value scaled, see receiptUnit), undecayed and decayed.
      'posMass', 'posMassEp',
      // Accepted economic receipts, decayed (positive half-life); disputed and refunded ones (negative half-life).
      'acceptedEp', 'disputedEp', 'refundedEp',
      // Accepted productivity.completion / productivity.task receipts.
      'completions', 'completionsEp',
      // Rejected or disputed productivity.completion / productivity.task receipts (negative half-life).
      'rejectedWork', 'rejectedWorkEp',
      // Accepted productivity.application receipts.
      'applications', 'applicationsEp',
      // Accepted social.endorsement receipts (the counterparty endorsed the subject).
      'endorsements', 'endorsementsEp',
      // Accepted identity.verification receipts.
      'verifications',
      // compliance.violation / compliance.incident receipts not rejected (negative half-life).
      'violations', 'violationsEp', 'incidents', 'incidentsEp',
      // Posts, comments and profile updates: counted, never scored.
      'social',
    ],
    presence: 'receipts',
  },
  /** Key (subject_did, hour): the subject's receipts in one clock hour. */
  trust_agent_hour: {
    keys: ['subjectDid', 'hour'],
    sums: ['receipts', 'econAccepted', 'econDisputed', 'econRefunded', 'econEscrow', 'valueAcceptedUsd', 'valueEscrowAcceptedUsd'],
    presence: 'receipts',
  },
  /** Key (client_did): the agent as buyer (the counterparty of economic receipts). */
  trust_client: {
    keys: ['clientDid'],
    // disputesFiled: economic receipts with a dispute (the client raised it).
    sums: ['jobs', 'accepted', 'disputesFiled', 'refunded', 'escrowJobs', 'escrowSpendUsd'],
    presence: 'jobs',
  },
  /** Key (did, platform_did, role): where a DID's work (or buying) happened. */
  trust_agent_platform: {
    keys: ['did', 'platformDid', 'role'],
    // econNegative: disputed + refunded economic receipts; escrowHourSum: Σ hour of the escrow-verified accepted
    // receipts (mean age = asOf hour − sum / escrowAccepted).
    sums: ['receipts', 'econAccepted', 'econNegative', 'escrowAccepted', 'escrowHourSum'],
    presence: 'receipts',
  },
  /** Key (platform_did): what a platform has issued. */
  trust_platform: {
    keys: ['platformDid'],
    // hourSum: Σ hour of all its receipts (mean age of its evidence).
    sums: ['receipts', 'econ', 'econAccepted', 'econEscrow', 'violations', 'hourSum'],
    presence: 'receipts',
  },
} as const;

export type AggregateTable = keyof typeof AGGREGATE_COLUMNS;
export const AGGREGATE_TABLE_NAMES = Object.keys(AGGREGATE_COLUMNS) as AggregateTable[];

/** The sum fields of one aggregate table, all numbers. */
export type SumsOf<T extends AggregateTable> = { [K in (typeof AGGREGATE_COLUMNS)[T]['sums'][number]]: number };
export type PairSums = SumsOf<'trust_pair'>;
export type HourSums = SumsOf<'trust_agent_hour'>;
export type ClientSums = SumsOf<'trust_client'>;
export type AgentPlatformSums = SumsOf<'trust_agent_platform'>;
export type PlatformSums = SumsOf<'trust_platform'>;

/** The database column of a field: `econFirstHour` is `econ_first_hour`. */
export function columnName(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

// ---------------------------------------------------------------- row types (one per table: keys + sums)

/** `trust_pair`; the span of all receipts and of economic ones (hours since the Unix epoch; null before the first economic one). */
export interface PairRow extends PairSums {
  subjectDid: string;
  counterpartyDid: string;
  firstHour: number;
  lastHour: number;
  econFirstHour: number | null;
  econLastHour: number | null;
}

/** `trust_agent_hour`. */
export interface HourBucketRow extends HourSums {
  subjectDid: string;
  hour: number;
}

/** `trust_client`. */
export interface ClientRow extends ClientSums {
  clientDid: string;
}

export type PlatformRole = 'subject' | 'client';

/** `trust_agent_platform`. */
export interface AgentPlatformRow extends AgentPlatformSums {
  did: string;
  platformDid: string;
  role: PlatformRole;
}

/** `trust_platform`. */
export interface PlatformRow extends PlatformSums {
  platformDid: string;
}

// ---------------------------------------------------------------- receipt classification

export type EconomicClass = 'accepted' | 'disputed' | 'refunded';

/** Disputes win over refunds, refunds over acceptance, so each economic receipt lands in exactly one class. */
export function economicClass(receipt: Pick<ReceiptEvidence, 'actionCategory' | 'outcome'>): EconomicClass | null {
  const { actionCategory: category, outcome } = receipt;
  if (!category.startsWith('economic.')) return null;
  if (category === 'economic.dispute' || outcome === 'disputed') return 'disputed';
  if (category === 'economic.refund' || outcome === 'rejected') return 'refunded';
  return 'accepted';
}

/** Escrow counts only when the receipt was matched to a settlement, or an operator import vouches for it. */
export function isEscrowVerified(receipt: Pick<ReceiptEvidence, 'confidence' | 'escrowVerified'>): boolean {
  return receipt.confidence === 'ESCROW_VERIFIED' || (receipt.confidence === 'IMPORTED' && receipt.escrowVerified);
}

/** Weight of one accepted job: only escrow-verified value scales it (log2), a declared amount never does. */
export function receiptUnit(escrow: boolean, valueUsd: number, params: AggregateParams): number {
  if (!escrow) return params.declaredUnit;
  const usd = Number.isFinite(valueUsd) && valueUsd > 0 ? valueUsd : 0;
  return params.escrowUnit + params.valueWeight * Math.log2(1 + usd / params.valueScaleUsd);
}

/** Factor a receipt at time t adds to a decayed (_ep) column. */
export function epochWeight(ms: number, halfLifeDays: number, params: AggregateParams): number {
  return 2 ** ((ms - params.decayEpochMs) / (halfLifeDays * DAY_MS));
}

/** Multiply an _ep column by this to read it decayed at asOf. */
export function readWeight(asOfMs: number, halfLifeDays: number, params: AggregateParams): number {
  return 2 ** (-(asOfMs - params.decayEpochMs) / (halfLifeDays * DAY_MS));
}

// ---------------------------------------------------------------- deltas

/** One UPSERT: add every column of `add` (negated on revocation); pairs also widen their span on insert. */
export type AggregateDelta =
  | { table: 'trust_pair'; key: { subjectDid: string; counterpartyDid: string }; add: PairSums; hour: number; econHour: number | null }
  | { table: 'trust_agent_hour'; key: { subjectDid: string; hour: number }; add: HourSums }
  | { table: 'trust_client'; key: { clientDid: string }; add: ClientSums }
  | { table: 'trust_agent_platform'; key: { did: string; platformDid: string; role: PlatformRole }; add: AgentPlatformSums }
  | { table: 'trust_platform'; key: { platformDid: string }; add: PlatformSums };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A maker of rows with these fields, every one set in a single object literal, from `values` at `offset`. Why: V8
 * turns an object given more than about 16 properties one key at a time (`row[column] = value`) into a dictionary,
 * and every field read of it into a hash lookup. A pair row has 33 fields and the engine reads most of them for
 * every pair on every report: built key by key, they cost the engine a third of its time (measured). The literal
 * gives every row of a kind one fixed shape. The field names are constants of this code, checked to be identifiers.
 */
export function rowMaker<T>(fields: readonly string[]): (values: ArrayLike<unknown>, offset?: number) => T {
  for (const field of fields) if (!IDENTIFIER.test(field)) throw new Error(`not a row field name: ${field}`);
  const literal = fields.map((field, i) => `${field}: values[offset + ${i}]`).join(', ');
  return new Function('values', 'offset = 0', `return { ${literal} };`) as (values: ArrayLike<unknown>, offset?: number) => T;
}

const zeroSums = new Map<AggregateTable, () => Record<string, number>>();

/** A row's sums before any receipt: every declared sum column at 0, in one shape per table (see `rowMaker`). */
export function emptySums<T extends AggregateTable>(table: T): SumsOf<T> {
  let make = zeroSums.get(table);
  if (!make) {
    const columns = AGGREGATE_COLUMNS[table].sums;
    const zeros = columns.map(() => 0);
    const maker = rowMaker<Record<string, number>>(columns);
    zeroSums.set(table, (make = () => maker(zeros)));
  }
  return make() as SumsOf<T>;
}

export function emptyPairSums(): PairSums {
  return emptySums('trust_pair');
}

function scale<T extends Record<string, number>>(sums: T, sign: number): T {
  if (sign === 1) return sums;
  const out = { ...sums };
  // + 0 keeps untouched columns at 0 rather than −0.
  for (const key of Object.keys(out) as (keyof T)[]) (out[key] as number) = (out[key] as number) * sign + 0;
  return out;
}

/**
 * The UPSERTs one receipt causes, in a fixed order. sign −1 is its revocation: the same rows, every sum negated.
 * Evidence about the subject goes to its pair, hour bucket and platform rows; an economic receipt is also evidence
 * about the counterparty as a client.
 */
export function receiptDeltas(
  receipt: ReceiptEvidence,
  sign: 1 | -1 = 1,
  params: AggregateParams = DEFAULT_TRUST_PARAMS.aggregate,
): AggregateDelta[] {
  const t = toMs(receipt.occurredAt);
  const hour = hourOf(t);
  const pos = epochWeight(t, params.halfLifeDays, params);
  const neg = epochWeight(t, params.negativeHalfLifeDays, params);
  const escrow = isEscrowVerified(receipt);
  const value = Number.isFinite(receipt.valueUsd) && receipt.valueUsd > 0 ? receipt.valueUsd : 0;
  const econ = economicClass(receipt);
  const category = receipt.actionCategory;
  const accepted = receipt.outcome === 'accepted';

  const pair = emptyPairSums();
  const bucket = emptySums('trust_agent_hour');
  pair.receipts = 1;
  bucket.receipts = 1;
  if (econ) {
    if (escrow) pair.econEscrow = bucket.econEscrow = 1;
    if (econ === 'accepted') {
      const unit = receiptUnit(escrow, value, params);
      pair.econAccepted = bucket.econAccepted = 1;
      pair.valueAcceptedUsd = bucket.valueAcceptedUsd = value;
      pair.posMass = unit;
      pair.posMassEp = unit * pos;
      pair.acceptedEp = pos;
      if (escrow) {
        pair.escrowAccepted = 1;
        pair.valueEscrowAcceptedUsd = bucket.valueEscrowAcceptedUsd = value;
      }
    } else if (econ === 'disputed') {
      pair.econDisputed = bucket.econDisputed = 1;
      pair.disputedEp = neg;
    } else {
      pair.econRefunded = bucket.econRefunded = 1;
      pair.refundedEp = neg;
    }
  } else if (category === 'productivity.completion' || category === 'productivity.task') {
    if (accepted) {
      pair.completions = 1;
      pair.completionsEp = pos;
    } else {
      pair.rejectedWork = 1;
      pair.rejectedWorkEp = neg;
    }
  } else if (category === 'productivity.application') {
    if (accepted) {
      pair.applications = 1;
      pair.applicationsEp = pos;
    }
  } else if (category === 'social.endorsement') {
    if (accepted) {
      pair.endorsements = 1;
      pair.endorsementsEp = pos;
    }
  } else if (category === 'identity.verification') {
    if (accepted) pair.verifications = 1;
  } else if (category === 'compliance.violation') {
    if (receipt.outcome !== 'rejected') {
      pair.violations = 1;
      pair.violationsEp = neg;
    }
  } else if (category === 'compliance.incident') {
    if (receipt.outcome !== 'rejected') {
      pair.incidents = 1;
      pair.incidentsEp = neg;
    }
  } else {
    pair.social = 1;
  }

  const pairDelta: AggregateDelta = {
    table: 'trust_pair',
    key: { subjectDid: receipt.subjectDid, counterpartyDid: receipt.counterpartyDid },
    add: scale(pair, sign),
    hour,
    econHour: econ ? hour : null,
  };
  // Self-dealing (the API refuses it; an import may carry it) is kept only as evidence of itself: the engine flags
  // the pair and counts it nowhere else.
  if (receipt.subjectDid === receipt.counterpartyDid) return [pairDelta];
  const deltas: AggregateDelta[] = [pairDelta, { table: 'trust_agent_hour', key: { subjectDid: receipt.subjectDid, hour }, add: scale(bucket, sign) }];

  const subjectPlatform: AgentPlatformSums = {
    receipts: 1,
    econAccepted: econ === 'accepted' ? 1 : 0,
    econNegative: econ && econ !== 'accepted' ? 1 : 0,
    escrowAccepted: econ === 'accepted' && escrow ? 1 : 0,
    escrowHourSum: econ === 'accepted' && escrow ? hour : 0,
  };
  deltas.push({
    table: 'trust_agent_platform',
    key: { did: receipt.subjectDid, platformDid: receipt.platformDid, role: 'subject' },
    add: scale(subjectPlatform, sign),
  });

  if (econ) {
    const client: ClientSums = {
      jobs: 1,
      accepted: econ === 'accepted' ? 1 : 0,
      disputesFiled: econ === 'disputed' ? 1 : 0,
      refunded: econ === 'refunded' ? 1 : 0,
      escrowJobs: escrow ? 1 : 0,
      escrowSpendUsd: escrow && econ === 'accepted' ? value : 0,
    };
    deltas.push({ table: 'trust_client', key: { clientDid: receipt.counterpartyDid }, add: scale(client, sign) });
    const clientPlatform: AgentPlatformSums = {
      receipts: 1,
      econAccepted: econ === 'accepted' ? 1 : 0,
      econNegative: econ !== 'accepted' ? 1 : 0,
      escrowAccepted: econ === 'accepted' && escrow ? 1 : 0,
      escrowHourSum: econ === 'accepted' && escrow ? hour : 0,
    };
    deltas.push({
      table: 'trust_agent_platform',
      key: { did: receipt.counterpartyDid, platformDid: receipt.platformDid, role: 'client' },
      add: scale(clientPlatform, sign),
    });
  }

  const platform: PlatformSums = {
    receipts: 1,
    econ: econ ? 1 : 0,
    econAccepted: econ === 'accepted' ? 1 : 0,
    econEscrow: econ && escrow ? 1 : 0,
    violations: pair.violations,
    hourSum: hour,
  };
  deltas.push({ table: 'trust_platform', key: { platformDid: receipt.platformDid }, add: scale(platform, sign) });
  return deltas;
}

// ---------------------------------------------------------------- an in-memory mirror of the tables

/** The five tables as maps, with the two indexes a trust read needs (pairs by subject and by counterparty). */
export interface AggregateStore {
  pairs: Map<string, PairRow>;
  hours: Map<string, HourBucketRow>;
  clients: Map<string, ClientRow>;
  agentPlatforms: Map<string, AgentPlatformRow>;
  platforms: Map<string, PlatformRow>;
  pairsBySubject: Map<string, Set<string>>;
  pairsByCounterparty: Map<string, Set<string>>;
  hoursBySubject: Map<string, Set<string>>;
  agentPlatformsByDid: Map<string, Set<string>>;
}

export function createAggregateStore(): AggregateStore {
  return {
    pairs: new Map(),
    hours: new Map(),
    clients: new Map(),
    agentPlatforms: new Map(),
    platforms: new Map(),
    pairsBySubject: new Map(),
    pairsByCounterparty: new Map(),
    hoursBySubject: new Map(),
    agentPlatformsByDid: new Map(),
  };
}

// DIDs never contain a newline, so it separates key parts unambiguously.
const SEP = '\n';

function index(map: Map<string, Set<string>>, owner: string, key: string, present: boolean): void {
  let set = map.get(owner);
  if (present) {
    if (!set) map.set(owner, (set = new Set()));
    set.add(key);
  } else if (set) {
    set.delete(key);
    if (set.size === 0) map.delete(owner);
  }
}

/** Sum columns per table, in the order the database declares them (the adders below touch exactly these). */
export const PAIR_SUM_COLUMNS: (keyof PairSums)[] = [...AGGREGATE_COLUMNS.trust_pair.sums];
export const HOUR_SUM_COLUMNS: (keyof HourSums)[] = [...AGGREGATE_COLUMNS.trust_agent_hour.sums];
export const CLIENT_SUM_COLUMNS: (keyof ClientSums)[] = [...AGGREGATE_COLUMNS.trust_client.sums];
export const AGENT_PLATFORM_SUM_COLUMNS: (keyof AgentPlatformSums)[] = [...AGGREGATE_COLUMNS.trust_agent_platform.sums];
export const PLATFORM_SUM_COLUMNS: (keyof PlatformSums)[] = [...AGGREGATE_COLUMNS.trust_platform.sums];

/** A pair row's fields in the order the trust read returns them (its keys, its sums, then its hour bounds). */
export const PAIR_ROW_FIELDS = ['subjectDid', 'counterpartyDid', ...PAIR_SUM_COLUMNS, 'firstHour', 'lastHour', 'econFirstHour', 'econLastHour'] as const;
const makePairRow = rowMaker<PairRow>(PAIR_ROW_FIELDS);

/** What the UPSERT runs (col = col + excluded.col), for every declared sum column of the table. */
function addSums<T extends AggregateTable>(table: T, row: SumsOf<T>, add: SumsOf<T>): void {
  const target = row as Record<string, number>;
  const delta = add as Record<string, number>;
  for (const column of AGGREGATE_COLUMNS[table].sums) target[column]! += delta[column]!;
}

/** Apply one delta exactly as the database's UPSERT does; a row whose receipt (or job) count reaches 0 is deleted. */
export function applyDelta(store: AggregateStore, delta: AggregateDelta, sign: 1 | -1): void {
  switch (delta.table) {
    case 'trust_pair': {
      const { subjectDid, counterpartyDid } = delta.key;
      const key = subjectDid + SEP + counterpartyDid;
      let row = store.pairs.get(key);
      if (!row) {
        row = makePairRow([subjectDid, counterpartyDid, ...PAIR_SUM_COLUMNS.map(() => 0), delta.hour, delta.hour, null, null]);
        store.pairs.set(key, row);
        index(store.pairsBySubject, subjectDid, key, true);
        index(store.pairsByCounterparty, counterpartyDid, key, true);
      }
      addSums('trust_pair', row, delta.add);
      if (sign === 1) {
        if (delta.hour < row.firstHour) row.firstHour = delta.hour;
        if (delta.hour > row.lastHour) row.lastHour = delta.hour;
        if (delta.econHour !== null) {
          if (row.econFirstHour === null || delta.econHour < row.econFirstHour) row.econFirstHour = delta.econHour;
          if (row.econLastHour === null || delta.econHour > row.econLastHour) row.econLastHour = delta.econHour;
        }
      }
      if (row.receipts <= 0) {
        store.pairs.delete(key);
        index(store.pairsBySubject, subjectDid, key, false);
        index(store.pairsByCounterparty, counterpartyDid, key, false);
      } else if (row.econAccepted + row.econDisputed + row.econRefunded <= 0) {
        row.econFirstHour = null;
        row.econLastHour = null;
      }
      return;
    }
    case 'trust_agent_hour': {
      const { subjectDid, hour } = delta.key;
      const key = subjectDid + SEP + hour;
      let row = store.hours.get(key);
      if (!row) {
        row = { subjectDid, hour, ...emptySums('trust_agent_hour') };
        store.hours.set(key, row);
        index(store.hoursBySubject, subjectDid, key, true);
      }
      addSums('trust_agent_hour', row, delta.add);
      if (row.receipts <= 0) {
        store.hours.delete(key);
        index(store.hoursBySubject, subjectDid, key, false);
      }
      return;
    }
    case 'trust_client': {
      const { clientDid } = delta.key;
      let row = store.clients.get(clientDid);
      if (!row) store.clients.set(clientDid, (row = { clientDid, ...emptySums('trust_client') }));
      addSums('trust_client', row, delta.add);
      if (row.jobs <= 0) store.clients.delete(clientDid);
      return;
    }
    case 'trust_agent_platform': {
      const { did, platformDid, role } = delta.key;
      const key = did + SEP + platformDid + SEP + role;
      let row = store.agentPlatforms.get(key);
      if (!row) {
        row = { did, platformDid, role, ...emptySums('trust_agent_platform') };
        store.agentPlatforms.set(key, row);
        index(store.agentPlatformsByDid, did, key, true);
      }
      addSums('trust_agent_platform', row, delta.add);
      if (row.receipts <= 0) {
        store.agentPlatforms.delete(key);
        index(store.agentPlatformsByDid, did, key, false);
      }
      return;
    }
    case 'trust_platform': {
      const { platformDid } = delta.key;
      let row = store.platforms.get(platformDid);
      if (!row) store.platforms.set(platformDid, (row = { platformDid, ...emptySums('trust_platform') }));
      addSums('trust_platform', row, delta.add);
      if (row.receipts <= 0) store.platforms.delete(platformDid);
      return;
    }
  }
}

/** Fold one receipt into the store (sign −1 revokes it): the same deltas the database applies. */
export function applyReceipt(
  store: AggregateStore,
  receipt: ReceiptEvidence,
  sign: 1 | -1 = 1,
  params: TrustParams = DEFAULT_TRUST_PARAMS,
): void {
  for (const delta of receiptDeltas(receipt, sign, params.aggregate)) applyDelta(store, delta, sign);
}

/** The span columns of a pair, from its (non-revoked) receipts: what the database recomputes after a revocation. */
export function pairSpan(receipts: Iterable<ReceiptEvidence>): Pick<PairRow, 'firstHour' | 'lastHour' | 'econFirstHour' | 'econLastHour'> | null {
  let span: Pick<PairRow, 'firstHour' | 'lastHour' | 'econFirstHour' | 'econLastHour'> | null = null;
  for (const receipt of receipts) {
    const hour = hourOf(toMs(receipt.occurredAt));
    const econ = economicClass(receipt) !== null;
    if (!span) span = { firstHour: hour, lastHour: hour, econFirstHour: null, econLastHour: null };
    span.firstHour = Math.min(span.firstHour, hour);
    span.lastHour = Math.max(span.lastHour, hour);
    if (econ) {
      span.econFirstHour = span.econFirstHour === null ? hour : Math.min(span.econFirstHour, hour);
      span.econLastHour = span.econLastHour === null ? hour : Math.max(span.econLastHour, hour);
    }
  }
  return span;
}

/**
 * Revocation: subtract the receipt's deltas, then reset the pair's span from the receipts the pair still has
 * (same subject and counterparty, not revoked). Sums need nothing else; spans are the one LEAST/GREATEST state.
 */
export function revokeReceipt(
  store: AggregateStore,
  receipt: ReceiptEvidence,
  remainingPairReceipts: Iterable<ReceiptEvidence>,
  params: TrustParams = DEFAULT_TRUST_PARAMS,
): void {
  applyReceipt(store, receipt, -1, params);
  const row = store.pairs.get(receipt.subjectDid + SEP + receipt.counterpartyDid);
  if (!row) return;
  const span = pairSpan(remainingPairReceipts);
  if (span) Object.assign(row, span);
}

/** Aggregates of a receipt list (tests, audits that rebuild an as-of view, the offline eval). */
export function buildAggregates(receipts: Iterable<ReceiptEvidence>, params: TrustParams = DEFAULT_TRUST_PARAMS): AggregateStore {
  const store = createAggregateStore();
  for (const receipt of receipts) applyReceipt(store, receipt, 1, params);
  return store;
}

function rowsOf<T>(map: Map<string, T>, keys: Set<string> | undefined): T[] {
  const out: T[] = [];
  if (keys) for (const key of keys) {
    const row = map.get(key);
    if (row) out.push(row);
  }
  return out;
}

/** The rows a trust read of `did` needs (what the database's read query returns). */
export interface AgentAggregates {
  /** Pairs where did is the subject. */
  pairs: PairRow[];
  /** Pairs where did is the counterparty (only those whose subject is one of did's counterparties are used). */
  clientPairs: PairRow[];
  /** Hour buckets; only those in (asOf − 90 d, asOf] are read. */
  buckets: HourBucketRow[];
  client: ClientRow | null;
  platforms: AgentPlatformRow[];
}

const byCounterparty = (x: PairRow, y: PairRow) => (x.counterpartyDid < y.counterpartyDid ? -1 : x.counterpartyDid > y.counterpartyDid ? 1 : 0);
const byHour = (x: HourBucketRow, y: HourBucketRow) => x.hour - y.hour;
const byPlatform = (x: AgentPlatformRow, y: AgentPlatformRow) => (x.platformDid < y.platformDid ? -1 : x.platformDid > y.platformDid ? 1 : 0);

/** Aggregates orderAggregates made: their arrays are in key order and frozen. */
const inKeyOrder = new WeakSet<AgentAggregates>();

/**
 * The same rows in key order (pairs by counterparty, buckets by hour, platform rows by platform; stable), so float
 * sums never depend on the order rows arrived in. The engine orders its input on every report unless it came from
 * here: a reader that keeps aggregates between reports orders them once. The arrays are frozen, so the order holds.
 */
export function orderAggregates(aggregates: AgentAggregates): AgentAggregates {
  if (inKeyOrder.has(aggregates)) return aggregates;
  const ordered: AgentAggregates = {
    pairs: Object.freeze([...aggregates.pairs].sort(byCounterparty)) as PairRow[],
    clientPairs: Object.freeze([...aggregates.clientPairs]) as PairRow[],
    buckets: Object.freeze([...aggregates.buckets].sort(byHour)) as HourBucketRow[],
    client: aggregates.client,
    platforms: Object.freeze([...aggregates.platforms].sort(byPlatform)) as AgentPlatformRow[],
  };
  Object.freeze(ordered);
  inKeyOrder.add(ordered);
  return ordered;
}

export function agentAggregates(store: AggregateStore, did: string): AgentAggregates {
  const pairs = rowsOf(store.pairs, store.pairsBySubject.get(did));
  const counterparties = new Set(pairs.map((pair) => pair.counterpartyDid));
  const clientPairs = rowsOf(store.pairs, store.pairsByCounterparty.get(did)).filter((pair) => counterparties.has(pair.subjectDid));
  return {
    pairs,
    clientPairs,
    buckets: rowsOf(store.hours, store.hoursBySubject.get(did)),
    client: store.clients.get(did) ?? null,
    platforms: rowsOf(store.agentPlatforms, store.agentPlatformsByDid.get(did)).filter((row) => row.role === 'subject'),
  };
}
