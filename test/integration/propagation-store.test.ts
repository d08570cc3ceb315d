// The propagation job on both databases: the graph read in keyset pages (pages of 7 rows cross every kind of
// boundary) and stored with unnest gives, row for row and bit for bit, what the in-memory reference computes
// from the same rows; the scores command's read agrees; a second run replaces the first.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PLATFORM_SUM_COLUMNS, PAIR_SUM_COLUMNS, type AgentPlatformRow, type PairRow } from '../../src/trust/engine/index.ts';
import { propagateFromStore, runPropagation } from '../../src/trust/store/propagation-job.ts';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../helpers/database.ts';
import { referencePropagateCredibility } from '../unit/trust/propagation-reference.ts';
import { randomGraph } from '../unit/trust/random-graph.ts';
import { AS_OF } from '../unit/trust/fixtures.ts';

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const PAIR_COLUMNS = ['subjectDid', 'counterpartyDid', ...PAIR_SUM_COLUMNS, 'firstHour', 'lastHour', 'econFirstHour', 'econLastHour'] as const;
const AGENT_PLATFORM_COLUMNS = ['did', 'platformDid', 'role', ...AGENT_PLATFORM_SUM_COLUMNS] as const;

async function insertRows(db: TestDatabase['database']['db'], table: string, columns: readonly string[], rows: readonly object[]) {
  for (let offset = 0; offset < rows.length; offset += 200) {
    const values = rows.slice(offset, offset + 200).map((row) => sql`(${sql.join(columns.map((c) => sql`${(row as Record<string, unknown>)[c]}`))})`);
    await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(snake(c))))}) values ${sql.join(values)}`.execute(db);
  }
}

describe.each(testDatabaseKinds)('propagation job over keyset pages on %s database', (kind) => {
  let testDatabase: TestDatabase;
  let graph: { pairs: PairRow[]; agentPlatforms: AgentPlatformRow[] };
  const asOf = new Date(AS_OF);

  beforeAll(async () => {
    testDatabase = await createTestDatabase(kind);
    graph = randomGraph(21, 90, 1_200, { unique: true });
    await insertRows(testDatabase.database.db, 'trust_pair', PAIR_COLUMNS, graph.pairs);
    await insertRows(testDatabase.database.db, 'trust_agent_platform', AGENT_PLATFORM_COLUMNS, graph.agentPlatforms);
  }, 120_000);
  afterAll(async () => testDatabase?.drop());

  it('stores exactly what the in-memory reference computes, whatever the page size', async () => {
    const db = testDatabase.database.db;
    const expected = referencePropagateCredibility({ pairs: graph.pairs, agentPlatforms: graph.agentPlatforms, asOf: AS_OF });
    expect(expected.stats.edges).toBeGreaterThan(200);
    expect(expected.stats.raters).toBeGreaterThan(5);
    const expectedRows = [...expected.nodes.entries()]
      .sort((x, y) => (x[0] < y[0] ? -1 : 1))
      .map(([did, n]) => ({
        did, credibility: n.credibility, density: n.density, breadth: n.breadth, activity: n.activity, seed: n.seed, anchor: n.anchor === true,
        fairness: n.fairness ?? 1, rater_negatives: n.raterNegatives ?? 0, rater_expected: n.raterExpected ?? 0, rater_agents: n.raterAgents ?? 0,
      }));
    const stored = async () =>
      (await sql<Record<string, unknown>>`
        select did, credibility, density, breadth, activity, seed, anchor, fairness, rater_negatives, rater_expected, rater_agents
        from trust_credibility order by did collate "C"`.execute(db)).rows;
    for (const pageRows of [7, 1_000]) {
      const run = await runPropagation(db, asOf, {}, { pageRows });
      expect(run.ran).toBe(true);
      expect(run.stats).toEqual(expected.stats);
      // JS string order is UTF-16 code units; "C" order is bytes: the same for these DIDs (no astral characters).
      expect(await stored()).toEqual(expectedRows);
      const platforms = (await sql<{ platform_did: string; credible_share: number }>`select platform_did, credible_share from trust_platform_credibility`.execute(db)).rows;
      expect(new Map(platforms.map((p) => [p.platform_did, { credibleShare: p.credible_share }]))).toEqual(
        new Map([...expected.platforms].filter(([, p]) => p.credibleShare !== null)),
      );
    }
    const runs = await sql<{ nodes: number }>`select nodes from trust_propagation_runs order by id`.execute(db);
    expect(runs.rows.map((r) => r.nodes)).toEqual([expected.stats.nodes, expected.stats.nodes]);
  });

  it('reads the same graph for the scores command', async () => {
    const expected = referencePropagateCredibility({ pairs: graph.pairs, agentPlatforms: graph.agentPlatforms, asOf: AS_OF });
    const actual = await propagateFromStore(testDatabase.database.db, asOf);
    expect([...actual.nodes.entries()].sort()).toEqual([...expected.nodes.entries()].sort());
    expect(actual.stats).toEqual(expected.stats);
  });
});
