// Random pair graphs for the propagation equality tests (unit and on the databases).
import { emptyPairSums, type AgentPlatformRow, type PairRow } from '../../../src/trust/engine/index.ts';
import { AS_OF, P1, P2, P3 } from './fixtures.ts';

/** Deterministic pseudo-random numbers (high bits of an LCG). */
function random(seed: number) {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 8) / 2 ** 24;
}

/** A random graph with every kind of row: self pairs, platforms as parties, duplicates, fractional decayed sums. */
export function randomGraph(seed: number, dids: number, rows: number, options: { unique?: boolean } = {}): { pairs: PairRow[]; agentPlatforms: AgentPlatformRow[] } {
  const next = random(seed);
  const pick = (n: number) => Math.floor(next() * n);
  const platforms = [P1, P2, P3];
  const did = (i: number) => (i < 3 ? platforms[i]! : `did:key:z6Mk${(i * 7919).toString(36)}${i % 5 === 0 ? 'Ü' : ''}`);
  const hour = Math.floor(AS_OF / 3_600_000);
  const pairs: PairRow[] = [];
  const seen = new Set<string>();
  for (let r = 0; r < rows; r++) {
    const subject = did(pick(dids));
    const counterparty = next() < 0.03 ? subject : did(pick(dids));
    // Stored pairs are unique by (subject, counterparty); rows in memory may repeat one.
    if (options.unique && seen.has(`${subject}\n${counterparty}`)) continue;
    seen.add(`${subject}\n${counterparty}`);
    const accepted = next() < 0.7 ? 1 + pick(5) : 0;
    pairs.push({
      subjectDid: subject, counterpartyDid: counterparty, ...emptyPairSums(),
      receipts: accepted + 1, econAccepted: accepted, escrowAccepted: next() < 0.5 ? accepted : 0,
      econDisputed: next() < 0.2 ? 1 + pick(3) : 0, econRefunded: next() < 0.1 ? 1 : 0, verifications: next() < 0.05 ? 1 : 0,
      acceptedEp: accepted * next() * 3, completionsEp: next() < 0.3 ? next() * 2 : 0,
      disputedEp: next() < 0.25 ? next() * 4 : 0, refundedEp: next() < 0.1 ? next() : 0, rejectedWorkEp: next() < 0.1 ? next() : 0,
      violationsEp: next() < 0.05 ? next() : 0, incidentsEp: next() < 0.05 ? next() : 0,
      firstHour: hour - 3000, lastHour: hour - 10, econFirstHour: hour - 3000, econLastHour: hour - 10,
    });
  }
  const agentPlatforms: AgentPlatformRow[] = [];
  for (let i = 3; i < dids; i++) {
    for (const platformDid of platforms) {
      if (next() < 0.4) continue;
      for (const role of ['subject', 'client'] as const) {
        if (next() < 0.3) continue;
        const escrow = next() < 0.6 ? 1 + pick(8) : 0;
        agentPlatforms.push({ did: did(i), platformDid, role, receipts: escrow + 2, econAccepted: escrow + pick(3), econNegative: pick(2), escrowAccepted: escrow, escrowHourSum: escrow * (hour - 24 * (20 + pick(200))) });
      }
    }
  }
  return { pairs, agentPlatforms };
}

