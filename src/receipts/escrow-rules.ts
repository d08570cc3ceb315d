// The escrow lifecycle and how a receipt's outcome must match an escrow's final state (pure).
import type { ReceiptOutcome, Ruling, SettlementStatus } from '../db/schema.ts';

/** Allowed moves, after seed 003's lifecycle: funded, then released and settled, refunded, or disputed and resolved. */
const TRANSITIONS: Record<SettlementStatus | 'NEW', readonly SettlementStatus[]> = {
  NEW: ['FUNDED'],
  FUNDED: ['RELEASED', 'REFUNDED', 'DISPUTED'],
  RELEASED: ['SETTLED'],
  DISPUTED: ['RESOLVED', 'RELEASED'],
  SETTLED: [],
  REFUNDED: [],
  RESOLVED: [],
};

export function canTransition(from: SettlementStatus | null, to: SettlementStatus): boolean {
  return TRANSITIONS[from ?? 'NEW'].includes(to);
}

export const FINAL_STATUSES: readonly SettlementStatus[] = ['SETTLED', 'REFUNDED', 'RESOLVED'];

/**
 * The outcome a final escrow state stands for. Disputes are opened by the depositor (the claimant) against the
 * beneficiary (the respondent): a respondent win pays the agent, anything else is a disputed job.
 */
export function outcomeOfFinalState(status: SettlementStatus, ruling: Ruling | null): ReceiptOutcome | null {
  switch (status) {
    case 'SETTLED':
      return 'accepted';
    case 'REFUNDED':
      return 'rejected';
    case 'RESOLVED':
      return ruling === 'RESPONDENT_WINS' ? 'accepted' : 'disputed';
    default:
      return null;
  }
}

/**
 * How far a USD value may be from the one recorded when the escrow was funded: one cent. The platform signs both,
 * so it can repeat the funding value; the cent absorbs float rounding (values are stored to the cent).
 */
export const ESCROW_USD_TOLERANCE = 0.01;

export function sameEscrowUsd(claimed: number, recorded: number | string): boolean {
  return Math.abs(claimed - Number(recorded)) <= ESCROW_USD_TOLERANCE + 1e-9;
}
