// Offline trust evaluation: fold a trust-eval receipts.jsonl into aggregates with the same applyReceipt the
// database mirrors, run one propagation, and write one {"did","score","tier","vector"} line per subject as of
// meta.now. No database involved; `credence import` + `credence scores` must reproduce these numbers.
//
//   npx tsx scripts/trust-eval-offline.ts --in $D/receipts.jsonl --meta $D/meta.json --out full.jsonl
//   npx tsx scripts/trust-eval-offline.ts --in $D/receipts.clean.jsonl --meta $D/meta.json --out clean.jsonl

import fs from 'node:fs';
import readline from 'node:readline';
import { agentAggregates, applyReceipt, createAggregateStore, toMs } from '../src/trust/engine/evidence.ts';
import { computeTrustReport } from '../src/trust/engine/engine.ts';
import { DEFAULT_TRUST_PARAMS, trustParams } from '../src/trust/engine/params.ts';
import type { PlatformStanding } from '../src/trust/engine/propagation.ts';
import { propagateCredibility } from '../src/trust/engine/propagation.ts';
import type { ActionCategory, Outcome, ReceiptEvidence } from '../src/trust/engine/types.ts';
import { ACTION_CATEGORIES } from '../src/trust/engine/types.ts';

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) out[arg.slice(2, eq)] = arg.slice(eq + 1);
    else out[arg.slice(2)] = argv[++i] ?? '';
  }
  return out;
}

const CATEGORIES = new Set<string>(ACTION_CATEGORIES);
const OUTCOMES = new Set<string>(['accepted', 'rejected', 'disputed']);

/** One import line → the evidence an operator import stores (confidence IMPORTED, escrow flag kept). */
function importLine(line: Record<string, unknown>): ReceiptEvidence | null {
  const category = String(line.action_category ?? '');
  const outcome = String(line.outcome ?? '');
  const occurredAt = Date.parse(String(line.timestamp ?? ''));
  if (!CATEGORIES.has(category) || !OUTCOMES.has(outcome) || !Number.isFinite(occurredAt)) return null;
  if (typeof line.subject_did !== 'string' || typeof line.counterparty_did !== 'string' || typeof line.platform_did !== 'string') return null;
  return {
    receiptId: String(line.receipt_id ?? ''),
    subjectDid: line.subject_did,
    counterpartyDid: line.counterparty_did,
    platformDid: line.platform_did,
    actionCategory: category as ActionCategory,
    actionType: String(line.action_type ?? ''),
    outcome: outcome as Outcome,
    valueUsd: typeof line.value_usd === 'number' ? line.value_usd : 0,
    occurredAt,
    confidence: 'IMPORTED',
    escrowVerified: line.escrow_verified === true,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.in || !args.out || (!args.meta && !args['as-of'])) {
    throw new Error('usage: --in receipts.jsonl (--meta meta.json | --as-of ISO) --out scores.jsonl');
  }
  const asOfMs = args['as-of'] ? Date.parse(args['as-of']) : Date.parse(JSON.parse(fs.readFileSync(args.meta!, 'utf8')).now);
  if (!Number.isFinite(asOfMs)) throw new Error('bad as-of time');
  // --params '{"fairness":{"tolerance":1e9}}' switches a mechanism off for an ablation run.
  const params = args.params ? trustParams(JSON.parse(args.params)) : DEFAULT_TRUST_PARAMS;

  const t0 = performance.now();
  const store = createAggregateStore();
  let receipts = 0;
  let skipped = 0;
  const lines = readline.createInterface({ input: fs.createReadStream(args.in, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const text of lines) {
    if (!text.trim()) continue;
    const evidence = importLine(JSON.parse(text) as Record<string, unknown>);
    if (!evidence || toMs(evidence.occurredAt) > asOfMs) {
      skipped++;
      continue;
    }
    applyReceipt(store, evidence, 1, params);
    receipts++;
  }
  const t1 = performance.now();

  const propagation = propagateCredibility({ pairs: store.pairs.values(), agentPlatforms: store.agentPlatforms.values(), asOf: asOfMs }, params);
  const t2 = performance.now();

  const platforms = new Map<string, PlatformStanding>();
  for (const [did, row] of store.platforms) {
    platforms.set(did, { status: 'unknown', row, credibleShare: propagation.platforms.get(did)?.credibleShare ?? null });
  }
  const out: string[] = [];
  const subjects = [...store.pairsBySubject.keys()].sort();
  for (const did of subjects) {
    if (platforms.has(did)) continue;
    const report = computeTrustReport(
      { did, aggregates: agentAggregates(store, did), credibility: propagation.nodes, platforms, self: propagation.nodes.get(did) ?? null },
      params,
      asOfMs,
    );
    out.push(JSON.stringify({ did, score: report.score, tier: report.tier, vector: report.vector }));
  }
  fs.writeFileSync(args.out, out.length ? out.join('\n') + '\n' : '');
  const t3 = performance.now();
  console.log(
    JSON.stringify({
      receipts,
      skipped,
      agents: out.length,
      pairs: store.pairs.size,
      propagation: propagation.stats,
      ms: { fold: Math.round(t1 - t0), propagate: Math.round(t2 - t1), reports: Math.round(t3 - t2) },
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
