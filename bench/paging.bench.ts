// Paging cost on real PostgreSQL for an agent with 100,000 receipts: the first page, the last page (last: 20), and
// pages deep in the middle in both directions, through the same connection code the GraphQL fields use. Each is
// printed as a ratio to the first page measured in the same run (keyset pages should all cost about the same), next
// to an OFFSET read at the same depth (what paging by position would cost there).
//   npx tsx bench/paging.bench.ts   (BENCH_DATABASE_URL or TEST_DATABASE_URL, else the local postgres)
import { sql } from 'kysely';
import { encodeCursor } from '../src/graphql/connection-cursor.ts';
import { resolveKeysetConnection, type ConnectionArgs } from '../src/graphql/connection.ts';
import { createReceiptRepository } from '../src/receipts/receipt.repository.ts';
import { freshBenchDatabase, median } from './pg.ts';

const HEAVY = Number(process.env.BENCH_PAGING_RECEIPTS ?? 100_000);
const OTHERS = 50;
const PER_OTHER = 2_000;
const READS = Number(process.env.BENCH_PAGING_READS ?? 200);
const SUBJECT = 'did:key:z6MkPagingBenchSubject';

const bench = await freshBenchDatabase();
try {
  const db = bench.database.db;
  // Imported rows (no JWT to verify): the list's shape is what matters here. Ties on occurred_at every 7 rows.
  const insert = (subject: string, count: number, offset: number) => sql`
    insert into receipts (receipt_id, subject_did, counterparty_did, platform_did, action_category, action_type, outcome,
      value_usd, confidence, occurred_at, received_at, content_hash)
    select 'r' || (${offset}::int + n), ${subject}, 'did:key:z6MkBuyer' || (n % 97), 'did:web:market.example',
      'economic.transaction', 'payment', 'accepted', 10, 'IMPORTED',
      timestamptz '2026-01-01T00:00:00Z' + ((n / 7) * interval '1 minute'), now(), 'h' || n
    from generate_series(1, ${count}::int) as n`.execute(db);
  await insert(SUBJECT, HEAVY, 0);
  for (let other = 0; other < OTHERS; other++) await insert(`did:key:z6MkPagingBenchOther${other}`, PER_OTHER, HEAVY + other * PER_OTHER);
  await sql`analyze receipts`.execute(db);

  const receipts = createReceiptRepository(db);
  const connection = (args: ConnectionArgs) =>
    resolveKeysetConnection(args, {
      list: 'Receipt',
      read: (read) => receipts.keysetPage({ subjectDid: SUBJECT }, read),
      keyOf: (row) => ({ at: new Date(row.occurred_at), id: row.receipt_id }),
    });
  const middle = HEAVY / 2;
  const [atMiddle] = await receipts.pageAt(SUBJECT, middle, 1);
  const cursor = encodeCursor('Receipt', { at: new Date(atMiddle!.occurred_at), id: atMiddle!.receipt_id });

  async function time(label: string, read: () => Promise<unknown>): Promise<[string, number]> {
    for (let i = 0; i < 20; i++) await read();
    const samples: number[] = [];
    for (let i = 0; i < READS; i++) {
      const start = process.hrtime.bigint();
      await read();
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return [label, median(samples)];
  }

  const first = await time('first: 20 (ceiling: the cheapest page)', () => connection({ first: 20 }));
  const results = [
    first,
    await time('last: 20 (the oldest receipts)', () => connection({ last: 20 })),
    await time(`first: 20, after the ${middle}th`, () => connection({ first: 20, after: cursor })),
    await time(`last: 20, before the ${middle}th`, () => connection({ last: 20, before: cursor })),
    await time(`OFFSET ${middle} LIMIT 21 (paging by position, for comparison)`, () => receipts.pageAt(SUBJECT, middle, 21)),
  ];
  console.log(`receipts: ${HEAVY} for the paged agent, ${OTHERS * PER_OTHER} for others; median of ${READS} reads each`);
  for (const [label, ms] of results) console.log(`${label.padEnd(60)} ${ms.toFixed(3)} ms  ratio ${(ms / first[1]).toFixed(2)}`);
} finally {
  await bench.drop();
}
