// Two server instances on one database ingesting concurrently (different receipts, overlapping subjects) end in the
// same state as one instance given all of them: equal aggregate rows, equal trust reports, and both databases pass
// `credence recompute --check`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGGREGATE_TABLES } from '../../src/trust/store/aggregate.repository.ts';
import { runCli } from '../helpers/cli.ts';
import {
  ADMIN_URL,
  approvedPlatform,
  freshDatabase,
  recomputeCheck,
  seededKey,
  serviceEnv,
  signedBatches,
  startServerProcess,
  submitBatch,
  withPg,
  type ServerProcess,
} from './harness.ts';

const BATCHES = 48;
const BATCH_SIZE = 25;
const AS_OF = new Date(Date.now() + 60_000).toISOString();
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

// Real PostgreSQL only (TEST_DATABASE_URL): several processes share one database.
describe.skipIf(!ADMIN_URL)('two instances on one database (PostgreSQL)', () => {
  let shared: Awaited<ReturnType<typeof freshDatabase>>;
  let single: Awaited<ReturnType<typeof freshDatabase>>;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    [shared, single] = await Promise.all([freshDatabase(), freshDatabase()]);
    await Promise.all([shared.database.close(), single.database.close()]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill('SIGKILL')));
    await shared?.drop().catch(() => undefined);
    await single?.drop().catch(() => undefined);
  });

  async function aggregateRows(databaseUrl: string): Promise<Record<string, Map<string, Record<string, unknown>>>> {
    return withPg(databaseUrl, async (client) => {
      const tables: Record<string, Map<string, Record<string, unknown>>> = {};
      for (const spec of AGGREGATE_TABLES) {
        const rows = (await client.query(`select * from ${spec.table}`)).rows as Array<Record<string, unknown>>;
        tables[spec.table] = new Map(rows.map((row) => [JSON.stringify(spec.keys.map((k) => row[snake(k)])), row]));
      }
      return tables;
    });
  }

  it('ends in the same aggregates and trust reports as a single instance', async () => {
    const [a, b, c] = await Promise.all([startServerProcess(shared.url), startServerProcess(shared.url), startServerProcess(single.url)]);
    servers.push(a!, b!, c!);
    const platform = seededKey(12);
    await approvedPlatform(a!, platform);
    await approvedPlatform(c!, platform);
    const agents = Array.from({ length: 8 }, (_, i) => seededKey(80 + i));
    const buyers = Array.from({ length: 8 }, (_, i) => seededKey(100 + i));
    const batches = signedBatches(platform, agents, buyers, BATCHES, BATCH_SIZE, '9');

    // Instances A and B at once: two clients each, A takes the even batches and B the odd ones.
    await Promise.all(
      [a!, a!, b!, b!].map(async (server, lane) => {
        const parity = lane < 2 ? 0 : 1;
        for (let index = parity + 2 * (lane % 2); index < batches.length; index += 4) await submitBatch(server.client, batches[index]!);
      }),
    );
    // Instance C alone, everything in order.
    for (const batch of batches) await submitBatch(c!.client, batch);

    for (const url of [shared.url, single.url]) {
      const check = await recomputeCheck(url);
      expect(check.code, check.stdout + check.stderr).toBe(0);
    }

    // Row for row, column for column.
    const [concurrent, sequential] = await Promise.all([aggregateRows(shared.url), aggregateRows(single.url)]);
    for (const spec of AGGREGATE_TABLES) {
      const left = concurrent[spec.table]!;
      const right = sequential[spec.table]!;
      expect([...left.keys()].sort(), spec.table).toEqual([...right.keys()].sort());
      expect(left.size, spec.table).toBeGreaterThan(0);
      for (const [key, row] of left) {
        const other = right.get(key)!;
        for (const [column, value] of Object.entries(row)) {
          if (typeof value === 'number') expect(value, `${spec.table} ${key} ${column}`).toBeCloseTo(other[column] as number, 6);
          else expect(value, `${spec.table} ${key} ${column}`).toEqual(other[column]);
        }
      }
    }

    // Propagation as of the same instant on both, then every agent's report through each side.
    for (const url of [shared.url, single.url]) expect((await runCli(['recompute', '--as-of', AS_OF], serviceEnv(url))).code).toBe(0);
    const REPORT = `query($dids: [String!]!, $asOf: DateTime!) { trustBatch(dids: $dids, asOf: $asOf) { did score tier confidence vector { A B C D E P R } } }`;
    const dids = [...agents, ...buyers].map((key) => key.did);
    const [fromShared, fromSingle] = await Promise.all([a!.client.gql(REPORT, { dids, asOf: AS_OF }), c!.client.gql(REPORT, { dids, asOf: AS_OF })]);
    expect(fromShared.errors).toBeUndefined();
    expect(fromShared.data.trustBatch).toHaveLength(dids.length);
    for (const [index, report] of (fromShared.data.trustBatch as any[]).entries()) {
      const other = fromSingle.data.trustBatch[index];
      expect(report.did).toBe(other.did);
      expect(report.tier, report.did).toBe(other.tier);
      expect(report.score, report.did).toBeCloseTo(other.score, 6);
      expect(report.confidence, report.did).toBeCloseTo(other.confidence, 6);
      for (const [dimension, value] of Object.entries(report.vector as Record<string, number>)) expect(value, `${report.did} ${dimension}`).toBeCloseTo(other.vector[dimension], 6);
    }
    // B answers the same as A: instances share everything through the database.
    const fromB = await b!.client.gql(REPORT, { dids, asOf: AS_OF });
    expect(fromB.data.trustBatch.map((r: any) => r.score)).toEqual(fromShared.data.trustBatch.map((r: any) => r.score));
    console.log(`two-instances: ${BATCHES} batches of ${BATCH_SIZE} (${BATCHES * BATCH_SIZE} receipts, ${agents.length} subjects) split over 2 instances x 2 clients; aggregates and ${dids.length} trust reports equal to one instance`);
  });
});
