// SIGKILL of the server while several clients submit receipt batches concurrently: after a restart no batch is
// partly stored, every acknowledged receipt is there, the aggregates equal a recomputation, and re-sending
// everything stores each receipt exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_URL,
  approvedPlatform,
  eventually,
  freshDatabase,
  recomputeCheck,
  seededKey,
  signedBatches,
  startServerProcess,
  storedIds,
  submitBatch,
  withPg,
  type Batch,
  type ServerProcess,
} from './harness.ts';

const CLIENTS = 4;
const BATCHES_PER_CLIENT = 40;
const BATCH_SIZE = 25;

// Real PostgreSQL only (TEST_DATABASE_URL): the server process is killed, the database must outlive it.
describe.skipIf(!ADMIN_URL)('SIGKILL during concurrent submitReceipts (PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    database = await freshDatabase();
    await database.database.close();
  });
  afterAll(async () => {
    await server?.kill('SIGKILL');
    await database?.drop().catch(() => undefined);
  });

  it('loses no acknowledged receipt, stores no partial batch, and counts every receipt once', async () => {
    server = await startServerProcess(database.url);
    const platform = seededKey(11);
    await approvedPlatform(server, platform);
    const agents = Array.from({ length: 12 }, (_, i) => seededKey(20 + i));
    const buyers = Array.from({ length: 12 }, (_, i) => seededKey(40 + i));
    const batches = signedBatches(platform, agents, buyers, CLIENTS * BATCHES_PER_CLIENT, BATCH_SIZE, '7');

    const acknowledged: Batch[] = [];
    const failed: Batch[] = [];
    const first = server;
    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      for (let b = c; b < batches.length; b += CLIENTS) {
        try {
          await submitBatch(first.client, batches[b]!);
          acknowledged.push(batches[b]!);
        } catch {
          // The server died under this request: not acknowledged, and the client stops.
          failed.push(batches[b]!);
          return;
        }
      }
    });
    await eventually(async () => acknowledged.length, (n) => n >= 12, 120_000, 'acknowledged batches');
    await first.kill('SIGKILL');
    await Promise.all(clients);
    expect(failed.length).toBeGreaterThan(0);
    expect(acknowledged.length).toBeLessThan(batches.length);

    // Straight from the database, before anything else touches it.
    const stored = await storedIds(database.url);
    const partial = batches.filter((batch) => {
      const present = batch.ids.filter((id) => stored.has(id)).length;
      return present !== 0 && present !== batch.ids.length;
    });
    expect(partial.map((batch) => batch.index)).toEqual([]);
    const lost = acknowledged.flatMap((batch) => batch.ids.filter((id) => !stored.has(id)));
    expect(lost).toEqual([]);
    // Nothing but whole batches: the count is a multiple of the batch size.
    expect(stored.size % BATCH_SIZE).toBe(0);
    const check = await recomputeCheck(database.url);
    expect(check.code, check.stdout + check.stderr).toBe(0);

    // Restart on the same database and send everything again: each receipt is stored once.
    server = await startServerProcess(database.url);
    expect((await server.client.fetch('/ready')).status).toBe(200);
    for (const batch of batches) await submitBatch(server.client, batch);
    const all = await storedIds(database.url);
    expect(all.size).toBe(batches.length * BATCH_SIZE);
    const counted = await withPg(database.url, async (pg) => (await pg.query<{ n: number }>('select sum(receipts)::int as n from trust_pair')).rows[0]!.n);
    expect(counted).toBe(batches.length * BATCH_SIZE);
    const after = await recomputeCheck(database.url);
    expect(after.code, after.stdout + after.stderr).toBe(0);
    console.log(
      `crash-submit: ${CLIENTS} clients, batches of ${BATCH_SIZE}; killed with ${acknowledged.length} batches acknowledged, ` +
        `${stored.size / BATCH_SIZE} stored (${stored.size / BATCH_SIZE - acknowledged.length} committed but unacknowledged), ${failed.length} in flight`,
    );
  });
});
