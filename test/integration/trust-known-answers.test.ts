// Known answers: fixed receipts (the deterministic generator, one seed), a fixed clock, one propagation run, and the
// full trust reports of three agents pinned below, on every database. A change in the engine, the aggregates, the
// store's column lists or the propagation that moves any number in a report fails here; a deliberate change of
// the trust model updates these answers in the same commit (run with KNOWN_ANSWERS_PRINT=1 to print the new ones).
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { importReceipts } from '../../src/receipts/import.ts';
import { runPropagation } from '../../src/trust/store/propagation-job.ts';
import { trustSettings } from '../../src/trust/store/settings.ts';
import { createTrustService } from '../../src/trust/store/trust.service.ts';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../helpers/database.ts';
import { agentDid, receiptLines } from '../helpers/receipt-lines.ts';

const NOW = new Date('2026-11-01T00:00:00Z');
/** Tier B with a concentration flag, tier C with no flag, tier D with four flags. */
const AGENTS = [32, 19, 7];

const EXPECTED: Record<number, unknown> = {
  32: {"did": "did:key:z6MkpAPZCuBMT5Sqz2QXJaxxowSox1JWi4uetfxPHiVqdwVe", "asOf": "2026-11-01T00:00:00.000Z", "vector": {"E": 0.5934, "P": 0.057, "B": 0.948, "D": 0.6934, "R": 0.9019, "A": -0.1057, "C": 0}, "score": 60.6, "tier": "B", "confidence": 0.4063, "windows": {"d7": {"tasks": 0, "accepted": 0, "disputed": 0, "refunded": 0, "acceptedRate": 0, "disputeRate": 0, "volumeUsd": 0, "avgValueUsd": 0, "uniqueCounterparties": 0, "escrowVerifiedShare": 0, "verifiedVolumeUsd": 0}, "d30": {"tasks": 1, "accepted": 1, "disputed": 0, "refunded": 0, "acceptedRate": 1, "disputeRate": 0, "volumeUsd": 1263.9, "avgValueUsd": 1263.9, "uniqueCounterparties": 1, "escrowVerifiedShare": 1, "verifiedVolumeUsd": 1263.9}, "d90": {"tasks": 2, "accepted": 2, "disputed": 0, "refunded": 0, "acceptedRate": 1, "disputeRate": 0, "volumeUsd": 1719.91, "avgValueUsd": 859.96, "uniqueCounterparties": 1, "escrowVerifiedShare": 1, "verifiedVolumeUsd": 1719.91}, "lifetime": {"tasks": 13, "accepted": 13, "disputed": 0, "refunded": 0, "acceptedRate": 1, "disputeRate": 0, "volumeUsd": 11588.08, "avgValueUsd": 891.39, "uniqueCounterparties": 12, "escrowVerifiedShare": 0.6923, "verifiedVolumeUsd": 6979.79}}, "client": {"jobsAsClient": 10, "disputesFiled": 2, "disputeRate": 0.2, "restricted": false}, "flags": [{"code": "SELF_DEALING", "severity": "warning", "detail": "4.2% of accepted work is round-tripped (3 counterparties paid in both directions)"}, {"code": "COUNTERPARTY_CONCENTRATION", "severity": "warning", "detail": "one counterparty accounts for 55.7% of recent accepted work"}], "explanation": [{"factor": "prior", "points": 33.06, "detail": "starting point for any DID with evidence (0.4 of the evidence scale)"}, {"factor": "E", "points": 11.77, "detail": "economic: credibility-weighted settled work, E=0.593"}, {"factor": "D", "points": 10.31, "detail": "diversity: credible counterparties and platforms, D=0.693"}, {"factor": "A", "points": -7.16, "detail": "anomaly penalty A=-0.106 (reciprocal 0.08, concentration 0.02)"}, {"factor": "R", "points": 6.71, "detail": "recency: current activity against the agent's own history, R=0.902"}, {"factor": "B", "points": 5.45, "detail": "behaviour: disputes, refunds and rejections against good work, B=0.948"}]},
  19: {"did": "did:key:z6MkfQqAwMcaZsx64sSB3VRA7hXc1fFoj9stJ77tswhcXRCa", "asOf": "2026-11-01T00:00:00.000Z", "vector": {"E": 0.4044, "P": 0.2295, "B": 0.7843, "D": 0.5921, "R": 0.9987, "A": 0, "C": 0}, "score": 43.9, "tier": "C", "confidence": 0.2923, "windows": {"d7": {"tasks": 0, "accepted": 0, "disputed": 0, "refunded": 0, "acceptedRate": 0, "disputeRate": 0, "volumeUsd": 0, "avgValueUsd": 0, "uniqueCounterparties": 0, "escrowVerifiedShare": 0, "verifiedVolumeUsd": 0}, "d30": {"tasks": 0, "accepted": 0, "disputed": 0, "refunded": 0, "acceptedRate": 0, "disputeRate": 0, "volumeUsd": 0, "avgValueUsd": 0, "uniqueCounterparties": 0, "escrowVerifiedShare": 0, "verifiedVolumeUsd": 0}, "d90": {"tasks": 0, "accepted": 0, "disputed": 0, "refunded": 0, "acceptedRate": 0, "disputeRate": 0, "volumeUsd": 0, "avgValueUsd": 0, "uniqueCounterparties": 0, "escrowVerifiedShare": 0, "verifiedVolumeUsd": 0}, "lifetime": {"tasks": 8, "accepted": 7, "disputed": 1, "refunded": 0, "acceptedRate": 0.875, "disputeRate": 0.125, "volumeUsd": 8943.89, "avgValueUsd": 1277.7, "uniqueCounterparties": 8, "escrowVerifiedShare": 0.75, "verifiedVolumeUsd": 5804.42}}, "client": {"jobsAsClient": 12, "disputesFiled": 3, "disputeRate": 0.25, "restricted": false}, "flags": [], "explanation": [{"factor": "prior", "points": 33.06, "detail": "starting point for any DID with evidence (0.4 of the evidence scale)"}, {"factor": "B", "points": -15.09, "detail": "behaviour: disputes, refunds and rejections against good work, B=0.784"}, {"factor": "D", "points": 8.81, "detail": "diversity: credible counterparties and platforms, D=0.592"}, {"factor": "E", "points": 8.02, "detail": "economic: credibility-weighted settled work, E=0.404"}, {"factor": "R", "points": 7.43, "detail": "recency: current activity against the agent's own history, R=0.999"}, {"factor": "P", "points": 1.71, "detail": "productivity: completions, applications, paid-client endorsements, P=0.23"}]},
  7: {"did": "did:key:z6Mku6S3gMbR4JeSkNzYgrP65L9DTSKnwUELHgsn5HS8YtKb", "asOf": "2026-11-01T00:00:00.000Z", "vector": {"E": 0.7856, "P": 0.0207, "B": 0.6553, "D": 0.8171, "R": 1, "A": -0.0366, "C": -0.3825}, "score": 21.1, "tier": "D", "confidence": 0.6964, "windows": {"d7": {"tasks": 1, "accepted": 1, "disputed": 0, "refunded": 0, "acceptedRate": 1, "disputeRate": 0, "volumeUsd": 1268.38, "avgValueUsd": 1268.38, "uniqueCounterparties": 1, "escrowVerifiedShare": 0, "verifiedVolumeUsd": 0}, "d30": {"tasks": 4, "accepted": 4, "disputed": 0, "refunded": 0, "acceptedRate": 1, "disputeRate": 0, "volumeUsd": 5138.84, "avgValueUsd": 1284.71, "uniqueCounterparties": 4, "escrowVerifiedShare": 0.5, "verifiedVolumeUsd": 3740.37}, "d90": {"tasks": 5, "accepted": 4, "disputed": 1, "refunded": 0, "acceptedRate": 0.8, "disputeRate": 0.2, "volumeUsd": 5138.84, "avgValueUsd": 1284.71, "uniqueCounterparties": 5, "escrowVerifiedShare": 0.4, "verifiedVolumeUsd": 3740.37}, "lifetime": {"tasks": 12, "accepted": 9, "disputed": 3, "refunded": 0, "acceptedRate": 0.75, "disputeRate": 0.25, "volumeUsd": 8576.93, "avgValueUsd": 952.99, "uniqueCounterparties": 10, "escrowVerifiedShare": 0.4167, "verifiedVolumeUsd": 4241.92}}, "client": {"jobsAsClient": 11, "disputesFiled": 1, "disputeRate": 0.0909, "restricted": false}, "flags": [{"code": "SELF_DEALING", "severity": "warning", "detail": "1.8% of accepted work is round-tripped (1 counterparties paid in both directions)"}, {"code": "COMPLIANCE_VIOLATION", "severity": "critical", "detail": "2 compliance receipts, decayed weight 0.964, penalty C=-0.382"}, {"code": "HIGH_DISPUTE_RATE", "severity": "warning", "detail": "lifetime dispute rate 25% over 12 jobs"}, {"code": "UNVERIFIED_VOLUME", "severity": "info", "detail": "$4335.01 of accepted value has no settled escrow and does not scale E"}], "explanation": [{"factor": "prior", "points": 33.06, "detail": "starting point for any DID with evidence (0.4 of the evidence scale)"}, {"factor": "B", "points": -32.85, "detail": "behaviour: disputes, refunds and rejections against good work, B=0.655"}, {"factor": "E", "points": 15.58, "detail": "economic: credibility-weighted settled work, E=0.786"}, {"factor": "C", "points": -13.09, "detail": "compliance penalty C=-0.382 (2 violation/incident receipts)"}, {"factor": "D", "points": 12.15, "detail": "diversity: credible counterparties and platforms, D=0.817"}, {"factor": "R", "points": 7.44, "detail": "recency: current activity against the agent's own history, R=1"}]},
};

describe.each(testDatabaseKinds)('known-answer trust reports on %s database', (kind) => {
  let testDatabase: TestDatabase;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(kind);
    const lines = receiptLines({ count: 800, seed: 2026, agents: 40, platforms: 3, now: NOW, prefix: 'known' });
    const imported = await importReceipts(testDatabase.database.db, Readable.from([lines.join('\n')]), { now: NOW, batchSize: 250 });
    expect(imported).toMatchObject({ inserted: 800, rejected: 0 });
    const run = await runPropagation(testDatabase.database.db, NOW, trustSettings(loadConfig({})));
    expect(run.ran).toBe(true);
  });
  afterAll(async () => {
    await testDatabase?.drop();
  });

  it.each(AGENTS)('agent %i gets its pinned report', async (agent) => {
    const report = await createTrustService(testDatabase.database.db, { cacheSize: 0 }).report(agentDid(agent), NOW);
    const answer = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    if (process.env.KNOWN_ANSWERS_PRINT) console.log(`${agent}: ${JSON.stringify(answer)}`);
    expect(answer).toEqual(EXPECTED[agent]);
  });
});
