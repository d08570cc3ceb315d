// Deterministic trust-eval JSONL receipts for `credence import`: every action category, outcome and aggregate table
// gets rows, subjects overlap, and the same seed always gives the same lines.
import { didKeyFromPublicKey, keyPairFromSeed } from '../../src/crypto/ed25519.ts';
import { ACTION_CATEGORIES } from '../../src/trust/engine/types.ts';

export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ReceiptLineOptions {
  count: number;
  seed: number;
  /** Lines end before this instant (default 2026-11-01). */
  now?: Date;
  agents?: number;
  platforms?: number;
  /** Receipt ids are `${prefix}-${n}`. */
  prefix?: string;
}

// Real Ed25519 did:keys from fixed seeds: trust reads refuse anything else.
const agentDids = new Map<number, string>();
export const agentDid = (i: number): string => {
  let did = agentDids.get(i);
  if (did === undefined) {
    const seed = Buffer.alloc(32);
    seed.writeUInt32BE(i, 28);
    seed.write('receipt-lines', 0);
    did = didKeyFromPublicKey(keyPairFromSeed(seed).publicKey);
    agentDids.set(i, did);
  }
  return did;
};

export function receiptLines(options: ReceiptLineOptions): string[] {
  const random = prng(options.seed);
  const now = (options.now ?? new Date('2026-11-01T00:00:00Z')).getTime();
  const agents = options.agents ?? 40;
  const platforms = options.platforms ?? 3;
  const prefix = options.prefix ?? 'r';
  const lines: string[] = [];
  for (let n = 0; n < options.count; n += 1) {
    const subject = Math.floor(random() * agents);
    let counterparty = Math.floor(random() * agents);
    if (counterparty === subject) counterparty = (counterparty + 1) % agents;
    // Mostly economic, as on a marketplace; the rest spread over every other category.
    const category = random() < 0.6 ? 'economic.transaction' : ACTION_CATEGORIES[Math.floor(random() * ACTION_CATEGORIES.length)]!;
    const roll = random();
    const outcome = roll < 0.85 ? 'accepted' : roll < 0.93 ? 'disputed' : 'rejected';
    const escrow = category.startsWith('economic.') && random() < 0.7;
    lines.push(
      JSON.stringify({
        receipt_id: `${prefix}-${n}`,
        subject_did: agentDid(subject),
        counterparty_did: agentDid(counterparty),
        platform_did: `did:web:market${1 + Math.floor(random() * platforms)}.example`,
        action_category: category,
        action_type: escrow ? 'escrow_release' : 'task_done',
        value_usd: category.startsWith('economic.') ? Math.round(random() * 200_000) / 100 : 0,
        outcome,
        timestamp: new Date(now - Math.floor(random() * 600 * 86_400_000) - 60_000).toISOString(),
        escrow_verified: escrow,
        escrow_tx: escrow ? `esc-${prefix}-${n}` : null,
      }),
    );
  }
  return lines;
}
