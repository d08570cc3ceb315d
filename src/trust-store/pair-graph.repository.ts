// The propagation's input read in keyset pages (primary-key order, a page per statement), each page folded into
// the compact PairGraph and dropped, so the process never holds more than one page of row objects. Callers run it
// in one REPEATABLE READ transaction so every page reads the same snapshot.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { PairGraphBuilder, type AgentPlatformGraphRow, type PairGraph, type PairGraphRow } from '../trust/pair-graph.ts';

export const PAIR_GRAPH_PAGE_ROWS = 20_000;

export interface PairGraphLoad {
  graph: PairGraph;
  pairRows: number;
  agentPlatformRows: number;
  pages: number;
}

export async function loadPairGraph(db: Db, pageRows = PAIR_GRAPH_PAGE_ROWS): Promise<PairGraphLoad> {
  const builder = new PairGraphBuilder();
  let pages = 0;
  // Agent-platform rows first: they name the platforms, which the pair rows' client tallies leave out.
  let agentPlatformRows = 0;
  let lastAgent: AgentPlatformGraphRow | undefined;
  for (;;) {
    const after = lastAgent ? sql`where (did, platform_did, role) > (${lastAgent.did}, ${lastAgent.platformDid}, ${lastAgent.role})` : sql``;
    const page = await sql<AgentPlatformGraphRow>`
      select did, platform_did as "platformDid", role, econ_accepted as "econAccepted", escrow_accepted as "escrowAccepted",
        escrow_hour_sum as "escrowHourSum"
      from trust_agent_platform ${after}
      order by did, platform_did, role
      limit ${pageRows}`.execute(db);
    pages++;
    for (const row of page.rows) builder.addAgentPlatform(row);
    agentPlatformRows += page.rows.length;
    if (page.rows.length < pageRows) break;
    lastAgent = page.rows[page.rows.length - 1];
  }
  let pairRows = 0;
  let lastPair: PairGraphRow | undefined;
  for (;;) {
    const after = lastPair ? sql`where (subject_did, counterparty_did) > (${lastPair.subjectDid}, ${lastPair.counterpartyDid})` : sql``;
    const page = await sql<PairGraphRow>`
      select subject_did as "subjectDid", counterparty_did as "counterpartyDid", econ_accepted as "econAccepted",
        escrow_accepted as "escrowAccepted", econ_disputed as "econDisputed", econ_refunded as "econRefunded",
        verifications, disputed_ep as "disputedEp", refunded_ep as "refundedEp", rejected_work_ep as "rejectedWorkEp",
        violations_ep as "violationsEp", incidents_ep as "incidentsEp", accepted_ep as "acceptedEp", completions_ep as "completionsEp"
      from trust_pair ${after}
      order by subject_did, counterparty_did
      limit ${pageRows}`.execute(db);
    pages++;
    for (const row of page.rows) builder.addPair(row);
    pairRows += page.rows.length;
    if (page.rows.length < pageRows) break;
    lastPair = page.rows[page.rows.length - 1];
  }
  return { graph: builder.finish(), pairRows, agentPlatformRows, pages };
}
