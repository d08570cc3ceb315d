// `credence scores`: every agent's score as of a moment, with the propagation computed for that same moment.
import type { Writable } from 'node:stream';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { propagateFromStore } from './propagation-job.ts';
import type { TrustSettings } from './settings.ts';
import { createTrustService } from './trust.service.ts';

const BATCH = 500;

export async function writeScores(db: Db, asOf: Date, out: Writable, settings: Partial<TrustSettings> = {}): Promise<number> {
  const propagation = await propagateFromStore(db, asOf, settings);
  const platformShares = new Map<string, number>();
  for (const [did, p] of propagation.platforms) if (p.credibleShare !== null) platformShares.set(did, p.credibleShare);
  // Agents are the DIDs receipts are about; platforms acting as counterparties are not scored.
  const subjects = await sql<{ did: string }>`
    select distinct subject_did as did from trust_pair
    where subject_did not in (select platform_did from trust_platform)
    order by did`.execute(db);
  const dids = subjects.rows.map((row) => row.did);
  const trust = createTrustService(db);
  let written = 0;
  for (let offset = 0; offset < dids.length; offset += BATCH) {
    const reports = await trust.reports(dids.slice(offset, offset + BATCH), asOf, { override: { credibility: propagation.nodes, platformShares }, explain: false });
    const lines = reports.map((r) => JSON.stringify({ did: r.did, score: r.score, tier: r.tier, vector: r.vector, flags: r.flags.map((f) => f.code) })).join('\n');
    if (!out.write(`${lines}\n`)) await new Promise((resolve) => out.once('drain', resolve));
    written += reports.length;
  }
  if (out !== process.stdout) await new Promise<void>((resolve) => out.end(resolve));
  return written;
}
