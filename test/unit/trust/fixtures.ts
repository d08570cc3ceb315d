// Small hand-made evidence for the trust tests: a receipt builder, fixed clocks and one-call report helpers.
import {
  agentAggregates,
  buildAggregates,
  computeTrust,
  DEFAULT_TRUST_PARAMS,
  propagateCredibility,
  type ActionCategory,
  type AggregateStore,
  type NodeCredibility,
  type Outcome,
  type PlatformStanding,
  type ReceiptEvidence,
  type TrustParams,
} from '../../../src/trust/engine/index.ts';

export const AS_OF = Date.UTC(2026, 0, 1);
export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const daysAgo = (days: number) => AS_OF - days * DAY;

export const P1 = 'did:web:alpha.market.test';
export const P2 = 'did:web:beta.market.test';
export const P3 = 'did:web:gamma.market.test';
export const AGENT = 'did:key:z6MkAgent';

let counter = 0;

export interface ReceiptSpec {
  subject?: string;
  counterparty?: string;
  platform?: string;
  category?: ActionCategory;
  outcome?: Outcome;
  usd?: number;
  at?: number;
  escrow?: boolean;
  confidence?: ReceiptEvidence['confidence'];
  type?: string;
}

/** Defaults: an accepted, escrow-verified $100 job for AGENT on P1, right at AS_OF. */
export function receipt(spec: ReceiptSpec = {}): ReceiptEvidence {
  const escrow = spec.escrow ?? true;
  return {
    receiptId: `r${++counter}`,
    subjectDid: spec.subject ?? AGENT,
    counterpartyDid: spec.counterparty ?? 'did:key:z6MkBuyer',
    platformDid: spec.platform ?? P1,
    actionCategory: spec.category ?? 'economic.transaction',
    actionType: spec.type ?? (escrow ? 'escrow_release' : 'payment_declared'),
    outcome: spec.outcome ?? 'accepted',
    valueUsd: spec.usd ?? 100,
    occurredAt: spec.at ?? AS_OF,
    confidence: spec.confidence ?? (escrow ? 'ESCROW_VERIFIED' : 'PLATFORM_SIGNED'),
    escrowVerified: escrow,
  };
}

/** `n` receipts built from the same spec (distinct ids). */
export function times(n: number, spec: ReceiptSpec): ReceiptEvidence[] {
  return Array.from({ length: n }, () => receipt(spec));
}

/** A credibility map giving every listed DID the same standing (what a propagation run would store). */
export function credible(dids: Iterable<string>, credibility = 1, density = 1, activity = 1): Map<string, NodeCredibility> {
  const map = new Map<string, NodeCredibility>();
  for (const did of dids) map.set(did, { credibility, density, breadth: credibility, activity, seed: false });
  return map;
}

export function approvedPlatforms(store: AggregateStore, overrides: Record<string, PlatformStanding> = {}): Map<string, PlatformStanding> {
  const map = new Map<string, PlatformStanding>();
  for (const [did, row] of store.platforms) map.set(did, { status: 'approved', registeredAtMs: daysAgo(3650), row, ...overrides[did] });
  for (const [did, standing] of Object.entries(overrides)) if (!map.has(did)) map.set(did, standing);
  return map;
}

export interface ReportOptions {
  did?: string;
  /** Fixed credibility for counterparties; when absent every counterparty of `did` gets credibility 1. */
  credibility?: Map<string, NodeCredibility> | 'propagate';
  platforms?: Record<string, PlatformStanding>;
  params?: TrustParams;
  asOf?: number;
}

/** Aggregates → (fixed or propagated credibility) → report, the way a read does it. */
export function trustOf(receipts: readonly ReceiptEvidence[], options: ReportOptions = {}) {
  const params = options.params ?? DEFAULT_TRUST_PARAMS;
  const did = options.did ?? AGENT;
  const asOf = options.asOf ?? AS_OF;
  const store = buildAggregates(receipts, params);
  const aggregates = agentAggregates(store, did);
  let credibility: Map<string, NodeCredibility>;
  if (options.credibility === 'propagate') {
    credibility = propagateCredibility({ pairs: store.pairs.values(), agentPlatforms: store.agentPlatforms.values(), asOf }, params).nodes;
  } else {
    credibility = options.credibility ?? credible(aggregates.pairs.map((pair) => pair.counterpartyDid));
  }
  const { report, breakdown } = computeTrust({ did, aggregates, credibility, platforms: approvedPlatforms(store, options.platforms) }, params, asOf);
  return { report, breakdown, store, aggregates, credibility };
}

/** Deterministic shuffle (a fixed linear congruential sequence), so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface MarketOptions {
  params?: TrustParams;
  anchors?: readonly string[];
  asOf?: number;
}

/** One propagation over the whole stream, then reports read the way the service does (own row included). */
export function marketTrust(receipts: readonly ReceiptEvidence[], options: MarketOptions = {}) {
  const params = options.params ?? DEFAULT_TRUST_PARAMS;
  const asOf = options.asOf ?? AS_OF;
  const store = buildAggregates(receipts, params);
  const propagation = propagateCredibility(
    { pairs: store.pairs.values(), agentPlatforms: store.agentPlatforms.values(), asOf, anchors: options.anchors },
    params,
  );
  const platforms = approvedPlatforms(store);
  const report = (did: string) =>
    computeTrust({ did, aggregates: agentAggregates(store, did), credibility: propagation.nodes, platforms, self: propagation.nodes.get(did) ?? null }, params, asOf)
      .report;
  return { store, propagation, report, node: (did: string) => propagation.nodes.get(did) };
}
