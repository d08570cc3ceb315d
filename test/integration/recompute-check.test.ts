// The aggregates audit and repair: checkAggregates finds every kind of corruption and nothing else;
// rebuildAggregates repairs it; `credence recompute --check|--rebuild` exit codes and output.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { importReceipts } from '../../src/receipts/import.ts';
import { AGGREGATE_TABLES, subtractFromAggregates } from '../../src/trust/store/aggregate.repository.ts';
import { checkAggregates, rebuildAggregates } from '../../src/trust/store/aggregate-check.ts';
import { runCliInProcess } from '../helpers/cli.ts';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../helpers/database.ts';
import { receiptLines } from '../helpers/receipt-lines.ts';

const NOW = new Date('2026-11-01T00:00:00Z');

describe.each(testDatabaseKinds)('the aggregates audit on %s database', (kind) => {
  let testDatabase: TestDatabase;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(kind);
    const db = testDatabase.database.db;
    const imported = await importReceipts(db, Readable.from(receiptLines({ count: 600, seed: 7 }).join('\n')), { now: NOW, batchSize: 100 });
    expect(imported.inserted).toBe(600);
    // Revocations: the subtract path (negated sums, deleted empty rows, recomputed spans) must also agree.
    await db.transaction().execute(async (trx) => {
      const revoked = await trx
        .updateTable('receipts')
        .set({ revoked_at: NOW, revoked_reason: 'audit test', revoked_by: 'did:key:z6MkAdmin' })
        .where('receipt_id', 'in', ['r-3', 'r-10', 'r-77', 'r-250', 'r-599'])
        .returningAll()
        .execute();
      await subtractFromAggregates(trx, revoked);
    });
  });
  afterAll(async () => {
    await testDatabase.drop();
  });

  it('finds nothing on aggregates maintained by ingest and revocation, and covers every aggregate table', async () => {
    const check = await checkAggregates(testDatabase.database.db);
    expect(check.differences).toEqual([]);
    expect(check).toMatchObject({ receipts: 595, revoked: 5, differenceCount: 0 });
    expect(Object.keys(check.tables).sort()).toEqual(AGGREGATE_TABLES.map((spec) => spec.table).sort());
    for (const table of Object.values(check.tables)) {
      expect(table.stored).toBeGreaterThan(0);
      expect(table.stored).toBe(table.expected);
    }
  });

  it('reports a changed sum, a changed span, a missing row and an extra row; ignores float noise; a rebuild repairs all', async () => {
    const db = testDatabase.database.db;
    const pair = (await sql<{ subject_did: string; counterparty_did: string }>`select subject_did, counterparty_did from trust_pair order by subject_did, counterparty_did limit 2`.execute(db)).rows;
    await sql`update trust_pair set pos_mass = pos_mass + 1 where subject_did = ${pair[0]!.subject_did} and counterparty_did = ${pair[0]!.counterparty_did}`.execute(db);
    await sql`update trust_pair set first_hour = first_hour - 1 where subject_did = ${pair[1]!.subject_did} and counterparty_did = ${pair[1]!.counterparty_did}`.execute(db);
    const client = (await sql<{ client_did: string }>`select client_did from trust_client order by client_did limit 1`.execute(db)).rows[0]!;
    await sql`delete from trust_client where client_did = ${client.client_did}`.execute(db);
    await sql`insert into trust_platform (platform_did, receipts) values ('did:web:ghost.example', 3)`.execute(db);
    // Relative noise far below the tolerance, as summation order leaves it.
    await sql`update trust_agent_hour set value_accepted_usd = value_accepted_usd * (1 + 1e-13)`.execute(db);

    const check = await checkAggregates(db);
    expect(check.differenceCount).toBe(4);
    expect(check.differences).toEqual(
      expect.arrayContaining([
        { table: 'trust_pair', key: [pair[0]!.subject_did, pair[0]!.counterparty_did], kind: 'value', column: 'pos_mass', stored: expect.any(Number), expected: expect.any(Number) },
        { table: 'trust_pair', key: [pair[1]!.subject_did, pair[1]!.counterparty_did], kind: 'value', column: 'first_hour', stored: expect.any(Number), expected: expect.any(Number) },
        { table: 'trust_client', key: [client.client_did], kind: 'missing' },
        { table: 'trust_platform', key: ['did:web:ghost.example'], kind: 'unexpected' },
      ]),
    );
    const posMass = check.differences.find((d) => d.column === 'pos_mass')!;
    expect(posMass.stored! - posMass.expected!).toBeCloseTo(1, 9);

    const rebuilt = await rebuildAggregates(db);
    expect(rebuilt.receipts).toBe(595);
    expect(rebuilt.tables.trust_platform).toMatchObject({ after: rebuilt.tables.trust_platform!.before - 1 });
    expect((await checkAggregates(db)).differences).toEqual([]);
  });
});

describe('credence recompute --check and --rebuild (embedded database on disk)', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'credence-recompute-'));
    env = { CREDENCE_DATA_DIR: dir };
    const file = path.join(dir, 'receipts.jsonl');
    await writeFile(file, `${receiptLines({ count: 300, seed: 3 }).join('\n')}\n`);
    const imported = await runCliInProcess(['import', file], { env });
    expect(imported.code).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function corrupt(): Promise<void> {
    const database = await openDatabase({ dataDir: dir });
    try {
      await migrateToLatest(database.db);
      await sql`update trust_agent_platform set econ_accepted = econ_accepted + 2 where ctid = (select ctid from trust_agent_platform limit 1)`.execute(database.db);
    } finally {
      await database.close();
    }
  }

  it('exits 0 on consistent aggregates, 1 with the differences printed on corrupted ones, 0 again after --rebuild', async () => {
    const clean = await runCliInProcess(['recompute', '--check'], { env });
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, receipts: 300, differenceCount: 0 });

    await corrupt();
    const dirty = await runCliInProcess(['recompute', '--check'], { env });
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toMatch(/^trust_agent_platform \[.*\] econ_accepted: stored \d+, expected \d+$/m);
    expect(JSON.parse(dirty.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: false, differenceCount: 1 });

    const rebuild = await runCliInProcess(['recompute', '--rebuild'], { env });
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toContain('"rebuilt"');
    expect((await runCliInProcess(['recompute', '--check'], { env })).code).toBe(0);

    expect((await runCliInProcess(['recompute', '--check', '--rebuild'], { env })).code).toBe(2);
    // Five commands in this process, each opening and closing the embedded database.
  }, 180_000);
});
