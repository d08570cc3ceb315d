// A small hand-made marketplace for the sybil, collusion and newcomer tests: an honest core old enough to hold
// seeds, one newcomer, and one instance of each attack, every attack's receipts kept apart so a test can score
// the stream with and without it ("attack lift").
import type { ReceiptEvidence } from '../../../src/trust/engine/index.ts';
import { daysAgo, HOUR, P1, P2, P3, receipt } from './fixtures.ts';

const PLATFORMS = [P1, P2, P3];
export const worker = (i: number) => `did:key:z6MkCoreWorker${i}`;
export const client = (i: number) => `did:key:z6MkCoreClient${i}`;
export const NEWCOMER = 'did:key:z6MkNewcomer';
export const ring = (i: number) => `did:key:z6MkRing${i}`;
export const WASHER = 'did:key:z6MkWasher';
export const WASH_ALT = 'did:key:z6MkWashAlt';
export const BURSTER = 'did:key:z6MkBurster';
export const endorser = (i: number) => `did:key:z6MkEndorser${i}`;
export const throwaway = (i: number) => `did:key:z6MkThrowaway${i}`;

export interface Market {
  honest: ReceiptEvidence[];
  sybil: ReceiptEvidence[];
  wash: ReceiptEvidence[];
  burst: ReceiptEvidence[];
  endorse: ReceiptEvidence[];
}

/** Deterministic day offsets, spread so that nothing lands in the same hour by accident. */
const day = (i: number, j: number, k: number) => 9 + ((i * 37 + j * 53 + k * 71) % 230) + ((i + j + k) % 5) / 7;

export function market(): Market {
  const honest: ReceiptEvidence[] = [];
  // Core: 8 workers × 8 clients, each worker hired by 3 clients (j = i, i+1, i+3 mod 8), twice each, with escrow,
  // on two platforms, over the last ~240 days: every core DID passes the seed rule.
  for (let i = 0; i < 8; i++) {
    for (const step of [0, 1, 3]) {
      const j = (i + step) % 8;
      for (let k = 0; k < 2; k++) {
        const at = daysAgo(day(i, j, k));
        const platform = PLATFORMS[(i + j + k) % 3]!;
        honest.push(receipt({ subject: worker(i), counterparty: client(j), platform, usd: 150 + 25 * ((i + j + k) % 5), at }));
        honest.push(receipt({ subject: worker(i), counterparty: client(j), platform, category: 'productivity.completion', usd: 0, at: at - 2 * HOUR }));
      }
    }
  }
  // A newcomer: applied a week ago, one escrow job for a core client five days ago.
  honest.push(receipt({ subject: NEWCOMER, counterparty: P1, platform: P1, category: 'productivity.application', usd: 0, at: daysAgo(7) }));
  honest.push(receipt({ subject: NEWCOMER, counterparty: client(0), platform: P1, usd: 150, at: daysAgo(5) }));
  honest.push(receipt({ subject: NEWCOMER, counterparty: client(0), platform: P1, category: 'productivity.completion', usd: 0, at: daysAgo(5) - HOUR }));
  // The washer's and the burster's genuine work, and the endorsers' (they are ordinary workers).
  for (const [did, clients] of [[WASHER, [2, 3, 4]], [BURSTER, [3, 4, 5]], [endorser(0), [0, 5]], [endorser(1), [1, 6]], [endorser(2), [2, 7]], [endorser(3), [3, 6]]] as const) {
    clients.forEach((j, n) => honest.push(receipt({ subject: did, counterparty: client(j), platform: P2, usd: 120, at: daysAgo(20 + 25 * n) })));
  }
  // The ring's DIDs exist before the attack: each had its identity verified by a platform (a genuine footprint).
  for (let k = 0; k < 6; k++) {
    honest.push(receipt({ subject: ring(k), counterparty: P3, platform: P3, category: 'identity.verification', usd: 0, escrow: false, at: daysAgo(20) }));
  }
  // One ring member took one small genuine job (an attack edge).
  honest.push(receipt({ subject: ring(0), counterparty: client(1), platform: P3, usd: 60, at: daysAgo(15) }));

  // Sybil ring: six DIDs created 20 days ago pay each other (k pays k+1 four times and k+2 three times: no pair
  // pays both ways, so only propagation and credibility can stop it), large escrowed amounts, completions too.
  const sybil: ReceiptEvidence[] = [];
  for (let k = 0; k < 6; k++) {
    for (const [offset, count] of [[1, 4], [2, 3]] as const) {
      for (let n = 0; n < count; n++) {
        const at = daysAgo(1 + ((k * 5 + offset * 3 + n * 4) % 19) + k / 10);
        sybil.push(receipt({ subject: ring((k + offset) % 6), counterparty: ring(k), platform: P3, usd: 2000, at }));
        sybil.push(receipt({ subject: ring((k + offset) % 6), counterparty: ring(k), platform: P3, category: 'productivity.completion', usd: 0, at: at - HOUR }));
      }
    }
  }

  // Wash trading: the washer and its alt pay each other large escrowed sums (12 one way, 4 back).
  const wash: ReceiptEvidence[] = [];
  for (let n = 0; n < 16; n++) {
    const back = n % 4 === 3;
    wash.push(receipt({ subject: back ? WASH_ALT : WASHER, counterparty: back ? WASHER : WASH_ALT, platform: P2, usd: 5000, at: daysAgo(2 + n * 1.7) }));
  }

  // Burst: 40 tiny jobs from fresh DIDs inside one hour three days ago, half with escrow.
  const burst: ReceiptEvidence[] = [];
  for (let n = 0; n < 40; n++) {
    const at = daysAgo(3) + n * 60_000;
    burst.push(receipt({ subject: BURSTER, counterparty: throwaway(n), platform: P2, usd: 5, escrow: n % 2 === 0, at }));
    burst.push(receipt({ subject: BURSTER, counterparty: throwaway(n), platform: P2, category: 'productivity.completion', usd: 0, at: at - 30_000 }));
  }

  // Endorsement ring: four workers endorse each other.
  const endorse: ReceiptEvidence[] = [];
  for (let a = 0; a < 4; a++) {
    for (let b = 0; b < 4; b++) {
      if (a !== b) endorse.push(receipt({ subject: endorser(a), counterparty: endorser(b), platform: P2, category: 'social.endorsement', usd: 0, at: daysAgo(4 + a + b / 10) }));
    }
  }
  return { honest, sybil, wash, burst, endorse };
}
