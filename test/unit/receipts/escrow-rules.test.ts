// The escrow value rule (pure): a USD value matches the escrow's recorded one within one cent, whichever side is
// larger and whether the recorded value arrives as a number or a numeric string.
import { describe, expect, it } from 'vitest';
import { ESCROW_USD_TOLERANCE, sameEscrowUsd } from '../../../src/receipts/escrow-rules.ts';

describe('sameEscrowUsd (finding 17.4: escrow value binding)', () => {
  it('accepts values within one cent of the recorded value, from either side', () => {
    expect(ESCROW_USD_TOLERANCE).toBe(0.01);
    expect(sameEscrowUsd(500, 500)).toBe(true);
    expect(sameEscrowUsd(500.01, 500)).toBe(true);
    expect(sameEscrowUsd(499.99, '500.00')).toBe(true);
    expect(sameEscrowUsd(0.1 + 0.2, 0.3)).toBe(true);
    expect(sameEscrowUsd(10_000_000, '10000000.00')).toBe(true);
  });

  it('refuses anything further away, however large the escrow', () => {
    expect(sameEscrowUsd(500.02, 500)).toBe(false);
    expect(sameEscrowUsd(499.98, '500')).toBe(false);
    expect(sameEscrowUsd(10_000_000, 500)).toBe(false);
    expect(sameEscrowUsd(0, 0.02)).toBe(false);
    expect(sameEscrowUsd(9_999_999.98, 10_000_000)).toBe(false);
  });
});
