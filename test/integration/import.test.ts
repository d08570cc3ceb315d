// `credence import` over a generated JSON-lines stream (the deterministic generator in test/helpers/receipt-lines.ts,
// so the test runs wherever the repository does), malformed lines, the write path's hooks and ingest counts, and the
// signing commands in-process.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceiptRow } from '../../src/db/schema.ts';
import { importReceipts } from '../../src/receipts/import.ts';
import { createReceiptStore } from '../../src/receipts/receipt-store.ts';
import { runCliInProcess } from '../helpers/cli.ts';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../helpers/database.ts';
import { receiptLines } from '../helpers/receipt-lines.ts';

const NOW = new Date('2026-11-01T00:00:00Z');
const GENERATED_LINES = 1_500;

describe.each(testDatabaseKinds)('credence import on %s database', (kind) => {
  let dir: string;
  let stream: string;
  let testDatabase: TestDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'credence-import-'));
    testDatabase = await createTestDatabase(kind);
    stream = path.join(dir, 'receipts.jsonl');
    await writeFile(stream, `${receiptLines({ count: GENERATED_LINES, seed: 11, agents: 120, now: NOW }).join('\n')}\n`);
  });
  afterAll(async () => {
    await testDatabase.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a generated stream as IMPORTED receipts, and a re-run adds nothing', async () => {
    const lines = GENERATED_LINES;
    const first = await importReceipts(testDatabase.database.db, createReadStream(stream), { now: NOW, batchSize: 500 });
    expect(first.inserted).toBe(Number(lines));
    expect(first.rejected).toBe(0);
    const db = testDatabase.database.db;
    const counts = await db.selectFrom('receipts').select(['confidence', (eb) => eb.fn.countAll().as('n')]).groupBy('confidence').execute();
    expect(counts).toEqual([{ confidence: 'IMPORTED', n: Number(lines) }]);
    const verified = await db.selectFrom('receipts').select((eb) => eb.fn.countAll().as('n')).where('escrow_verified', '=', true).executeTakeFirstOrThrow();
    expect(Number(verified.n)).toBeGreaterThan(0);

    const second = await importReceipts(db, createReadStream(stream), { now: NOW, batchSize: 500 });
    expect(second).toMatchObject({ inserted: 0, duplicates: Number(lines), conflicts: 0 });
  });

  it('rejects malformed lines with reasons and counts a changed line under an old id as a conflict', async () => {
    const good = { receipt_id: 'imp-1', subject_did: 'did:key:z6MkAgentOne', counterparty_did: 'did:key:z6MkBuyerOne', platform_did: 'did:web:market1.example', action_category: 'economic.transaction', action_type: 'escrow_release', value_usd: 10.5, outcome: 'accepted', timestamp: '2026-10-01T00:00:00Z', escrow_verified: true, escrow_tx: 'esc_imp_1' };
    const text = [
      JSON.stringify(good),
      '{ not json',
      JSON.stringify({ ...good, receipt_id: 'imp-2', action_category: 'economic.bribe' }),
      JSON.stringify({ ...good, receipt_id: 'imp-3', counterparty_did: good.subject_did }),
      JSON.stringify({ ...good, receipt_id: 'imp-4', timestamp: '2027-06-01T00:00:00Z' }),
      JSON.stringify({ ...good, receipt_id: 'imp-5', value_usd: -3 }),
      '',
    ].join('\n');
    const result = await importReceipts(testDatabase.database.db, Readable.from([text]), { now: NOW });
    expect(result).toMatchObject({ inserted: 1, rejected: 5 });
    expect(result.rejections.map((r) => r.line)).toEqual([2, 3, 4, 5, 6]);
    const changed = await importReceipts(testDatabase.database.db, Readable.from([JSON.stringify({ ...good, value_usd: 99 })]), { now: NOW });
    expect(changed).toMatchObject({ inserted: 0, conflicts: 1 });
    const stored = await testDatabase.database.db.selectFrom('receipts').selectAll().where('receipt_id', '=', 'imp-1').executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ confidence: 'IMPORTED', escrow_verified: true, escrow_id: 'esc_imp_1', value_usd: 10.5, jwt: null });
  });

  it('stores through the receipt write path: its hooks see every stored batch, and each line is counted like a submission', async () => {
    const stored: ReceiptRow[][] = [];
    const counted: string[] = [];
    const store = createReceiptStore({
      receiptsStored: async (_trx, receipts) => {
        stored.push([...receipts]);
      },
    });
    const ingest = { countIngest: (outcome: string, code?: string | null) => void counted.push(code ? `${outcome}:${code}` : outcome) };
    const lines = receiptLines({ count: 5, seed: 99, prefix: 'hooked', now: NOW });
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    const text = [...lines, lines[1]!, JSON.stringify({ ...first, value_usd: 1 }), 'nope'].join('\n');
    const result = await importReceipts(testDatabase.database.db, Readable.from([text]), { now: NOW, batchSize: 3, store, ingest });
    expect(result).toMatchObject({ inserted: 5, duplicates: 1, conflicts: 1, rejected: 1 });
    expect(stored.flat().map((row) => row.receipt_id).sort()).toEqual(['hooked-0', 'hooked-1', 'hooked-2', 'hooked-3', 'hooked-4']);
    expect(counted.sort()).toEqual(
      ['duplicate', 'rejected:INVALID_INPUT', 'rejected:RECEIPT_CONFLICT', 'stored', 'stored', 'stored', 'stored', 'stored'].sort(),
    );
    // A hook that fails rolls its batch back: nothing of it is stored or counted.
    const failing = createReceiptStore({
      receiptsStored: async () => {
        throw new Error('hook failed');
      },
    });
    const more = receiptLines({ count: 2, seed: 100, prefix: 'rolled-back', now: NOW }).join('\n');
    await expect(importReceipts(testDatabase.database.db, Readable.from([more]), { now: NOW, store: failing })).rejects.toThrow('hook failed');
    const left = await testDatabase.database.db.selectFrom('receipts').select('receipt_id').where('receipt_id', 'like', 'rolled-back-%').execute();
    expect(left).toEqual([]);
  });
});

describe('credence sign-settlement, sign-receipt and cosign', () => {
  it('produce payloads the service verifies', async () => {
    const runCli = (args: string[]) => runCliInProcess(args);
    const { verifyReceiptJwt } = await import('../../src/receipts/receipt-verification.ts');
    const { verifySettlementEvent } = await import('../../src/receipts/settlement-verification.ts');
    const dir = await mkdtemp(path.join(tmpdir(), 'credence-sign-'));
    try {
      const did = async (name: string) => (await runCli(['keygen', '--out', path.join(dir, `${name}.json`)])).stdout.trim();
      const [platform, agent, buyer] = [await did('platform'), await did('agent'), await did('buyer')];
      const now = new Date();
      const settlement = { escrowId: 'esc_cli', jobId: 'job_cli', depositor: buyer, beneficiary: agent, amount: '12.50', currency: 'USDC', usd: 12.5, status: 'FUNDED', ruling: null, occurredAt: new Date(now.getTime() - 60_000).toISOString() };
      await writeFile(path.join(dir, 'settlement.json'), JSON.stringify({ settlement }));
      const event = await runCli(['sign-settlement', '--key', path.join(dir, 'platform.json'), path.join(dir, 'settlement.json')]);
      expect(event.code).toBe(0);
      expect(verifySettlementEvent(event.stdout.trim(), new Date()).platformDid).toBe(platform);

      const receipt = { subject: agent, counterparty: buyer, actionCategory: 'economic.transaction', actionType: 'escrow_release', outcome: 'accepted', value: { amount: '12.50', currency: 'USDC', usd: 12.5 }, escrowId: 'esc_cli', occurredAt: new Date(now.getTime() - 30_000).toISOString() };
      await writeFile(path.join(dir, 'receipt.json'), JSON.stringify(receipt));
      const signed = await runCli(['sign-receipt', '--key', path.join(dir, 'platform.json'), path.join(dir, 'receipt.json')]);
      await writeFile(path.join(dir, 'receipt.jwt'), signed.stdout);
      const cosigned = await runCli(['cosign', '--key', path.join(dir, 'buyer.json'), path.join(dir, 'receipt.jwt')]);
      const verified = await verifyReceiptJwt(signed.stdout.trim(), [cosigned.stdout.trim()], new Date());
      expect(verified).toMatchObject({ platformDid: platform, subjectDid: agent, cosignedBy: [buyer] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
