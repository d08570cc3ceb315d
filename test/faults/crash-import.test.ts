// SIGKILL in the middle of a 10,000-receipt `credence import`: every batch is all or nothing, the aggregates equal a
// from-scratch recomputation, the server starts on what is left, and a re-run completes the import exactly once.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.ts';
import { receiptLines } from '../helpers/receipt-lines.ts';
import { ADMIN_URL, eventually, freshDatabase, recomputeCheck, serviceEnv, startServerProcess, storedIds } from './harness.ts';

const LINES = 10_000;
const BATCH = 250;

// Killing processes and terminating connections needs real PostgreSQL (TEST_DATABASE_URL); the embedded database
// lives inside the killed process and has no concurrent connections to lose.
describe.skipIf(!ADMIN_URL)('SIGKILL during credence import (PostgreSQL)', () => {
  let dir: string;
  let file: string;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const lines = receiptLines({ count: LINES, seed: 42, prefix: 'imp', agents: 200 });
  const ids = lines.map((line) => (JSON.parse(line) as { receipt_id: string }).receipt_id);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'credence-fault-import-'));
    file = path.join(dir, 'receipts.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    database = await freshDatabase();
    // The pool of the test's own handle is not needed: the CLI processes do the work.
    await database.database.close();
  });
  afterAll(async () => {
    await database?.drop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps whole batches only, stays consistent, and finishes exactly once on a re-run', async () => {
    const env = serviceEnv(database.url);
    const importer = spawnCli(['import', file, '--batch', String(BATCH)], env);
    const exited = new Promise<number | null>((resolve) => importer.once('exit', (code) => resolve(code)));
    // Kill once the first batch is reported committed, at a varying point inside the next ones.
    await eventually(async () => importer.output(), (output) => /imported [1-9]\d* of/.test(output), 60_000, 'first import batch');
    await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 40)));
    importer.kill('SIGKILL');
    expect(await exited).toBeNull();

    const stored = await storedIds(database.url);
    const kept = stored.size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(LINES);
    // Batch atomicity: whole batches of consecutive lines, nothing from the batch that was in flight.
    expect(kept % BATCH).toBe(0);
    expect([...stored].sort()).toEqual(ids.slice(0, kept).sort());

    const check = await recomputeCheck(database.url);
    expect(check.stdout, check.stderr).toMatch(/"ok":true/);
    expect(check.code).toBe(0);

    // The service starts on the interrupted database.
    const server = await startServerProcess(database.url);
    try {
      expect((await server.client.fetch('/ready')).status).toBe(200);
      const trust = await server.client.gql(`query($did: String!) { trust(did: $did) { did tier } }`, { did: JSON.parse(lines[0]!).subject_did });
      expect(trust.data.trust.did).toBe(JSON.parse(lines[0]!).subject_did);
    } finally {
      await server.kill('SIGTERM');
    }

    // A re-run adds exactly what is missing.
    const rerun = await runCli(['import', file, '--batch', String(BATCH)], env);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout.trim().split('\n').at(-1)!)).toMatchObject({ lines: LINES, inserted: LINES - kept, duplicates: kept, conflicts: 0, rejected: 0 });
    expect((await storedIds(database.url)).size).toBe(LINES);
    const final = await recomputeCheck(database.url);
    expect(final.code, final.stdout).toBe(0);
    console.log(`crash-import: killed after ${kept} of ${LINES} receipts (batches of ${BATCH}); re-run inserted ${LINES - kept}`);
  });
});
