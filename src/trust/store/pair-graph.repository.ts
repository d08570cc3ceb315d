// The propagation's input read in keyset pages (primary-key order, a page per statement), each page folded into
// the compact PairGraph and dropped, so the process never holds more than one page of row objects. Callers run it
// in one REPEATABLE READ transaction so every page reads the same snapshot.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { PairGraphBuilder, type AgentPlatformGraphRow, type PairGraph, type PairGraphSums } from '../engine/pair-graph.ts';

export const PAIR_GRAPH_PAGE_ROWS = 20_000;

export interface PairGraphLoad {
  graph: PairGraph;
  pairRows: number;
  agentPlatformRows: number;
  pages: number;
}

export async function loadPairGraph(db: Db, pageRows = PAIR_GRAPH_PAGE_ROWS): Promise<PairGraphLoad> {
  const builder = new PairGraphBuilder();
  // Agent-platform rows first: they name the platforms, which the pair rows' client tallies leave out.
  const agentPages = await eachAgentPlatformPage(db, pageRows, (rows) => {
    for (const row of rows) builder.addAgentPlatform(row);
  });
  const pairPages = await eachPairPage(db, pageRows, (rows) => {
    for (const row of rows) builder.addPairSums(row);
  });
  return { graph: builder.finish(), pairRows: pairPages.rows, agentPlatformRows: agentPages.rows, pages: agentPages.pages + pairPages.pages };
}

/**
 * Runs `query(after)` page by page, `after` being the previous page's last row; each next page is requested before
 * the current one is visited, so the database scans while this process folds rows in.
 */
async function eachPage<Row>(
  pageRows: number,
  query: (after: Row | undefined) => Promise<{ rows: Row[] }>,
  visit: (rows: Row[]) => void,
): Promise<{ rows: number; pages: number }> {
  let rows = 0;
  let pages = 0;
  let pending = query(undefined);
  for (;;) {
    const page = await pending;
    pages++;
    rows += page.rows.length;
    const full = page.rows.length >= pageRows;
    if (full) {
      pending = query(page.rows[page.rows.length - 1]);
      // Awaited on the next turn; if visiting throws first, its failure must not go unhandled.
      pending.catch(() => undefined);
    }
    visit(page.rows);
    if (!full) return { rows, pages };
  }
}

/** Every trust_agent_platform row the propagation reads, page by page in primary-key order. */
export function eachAgentPlatformPage(db: Db, pageRows: number, visit: (rows: AgentPlatformGraphRow[]) => void): Promise<{ rows: number; pages: number }> {
  return eachPage<AgentPlatformGraphRow>(
    pageRows,
    (last) => sql<AgentPlatformGraphRow>`
      select did, platform_did as "platformDid", role, econ_accepted as "econAccepted", escrow_accepted as "escrowAccepted",
        escrow_hour_sum as "escrowHourSum"
      from trust_agent_platform
      ${last ? sql`where (did, platform_did, role) > (${last.did}, ${last.platformDid}, ${last.role})` : sql``}
      order by did, platform_did, role
      limit ${pageRows}`.execute(db),
    visit,
  );
}

/**
 * Every trust_pair row, reduced to what the propagation reads, page by page in primary-key order. The database
 * adds the decayed sums (float8 addition is IEEE on both sides, left to right as PairGraphBuilder.addPair does),
 * which roughly halves what crosses the wire and gets parsed.
 */
export function eachPairPage(db: Db, pageRows: number, visit: (rows: PairGraphSums[]) => void): Promise<{ rows: number; pages: number }> {
  return eachPage<PairGraphSums>(
    pageRows,
    (last) => sql<PairGraphSums>`
      select subject_did as "subjectDid", counterparty_did as "counterpartyDid", econ_accepted as "econAccepted",
        escrow_accepted as "escrowAccepted", econ_accepted + econ_disputed + econ_refunded as econ, econ_disputed as "econDisputed",
        verifications, disputed_ep + refunded_ep + rejected_work_ep + violations_ep + incidents_ep as "negativeEp",
        accepted_ep + completions_ep as "positiveEp"
      from trust_pair
      ${last ? sql`where (subject_did, counterparty_did) > (${last.subjectDid}, ${last.counterpartyDid})` : sql``}
      order by subject_did, counterparty_did
      limit ${pageRows}`.execute(db),
    visit,
  );
}
