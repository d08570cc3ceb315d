// Operator trust anchors named through the admin API, and their audit trail (every add and remove, who and why).
// An anchor takes effect at the next propagation run, like any change to the graph.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

export interface TrustAnchorRow {
  did: string;
  reason: string;
  addedBy: string;
  addedAt: Date;
}

export interface TrustAnchorAuditRow {
  id: number;
  did: string;
  action: 'ADD' | 'REMOVE';
  reason: string | null;
  actorDid: string;
  at: Date;
}

interface RawAnchor {
  did: string;
  reason: string;
  added_by: string;
  added_at: Date | string;
}

const toAnchor = (row: RawAnchor): TrustAnchorRow => ({ did: row.did, reason: row.reason, addedBy: row.added_by, addedAt: new Date(row.added_at) });

export async function listAnchors(db: Db): Promise<TrustAnchorRow[]> {
  const result = await sql<RawAnchor>`select did, reason, added_by, added_at from trust_anchors order by did`.execute(db);
  return result.rows.map(toAnchor);
}

export async function anchorDids(db: Db): Promise<string[]> {
  const result = await sql<{ did: string }>`select did from trust_anchors order by did`.execute(db);
  return result.rows.map((row) => row.did);
}

/** Adds (or re-states the reason of) an anchor and audits it; call inside a transaction. */
export async function addAnchor(db: Db, did: string, reason: string, actorDid: string, now: Date): Promise<TrustAnchorRow> {
  const result = await sql<RawAnchor>`
    insert into trust_anchors (did, reason, added_by, added_at) values (${did}, ${reason}, ${actorDid}, ${now})
    on conflict (did) do update set reason = excluded.reason, added_by = excluded.added_by, added_at = excluded.added_at
    returning did, reason, added_by, added_at`.execute(db);
  await sql`insert into trust_anchor_audit (did, action, reason, actor_did, at) values (${did}, 'ADD', ${reason}, ${actorDid}, ${now})`.execute(db);
  return toAnchor(result.rows[0]!);
}

/** Removes an anchor and audits it; null when the DID was not an anchor (nothing is written). */
export async function removeAnchor(db: Db, did: string, actorDid: string, now: Date): Promise<TrustAnchorRow | null> {
  const result = await sql<RawAnchor>`delete from trust_anchors where did = ${did} returning did, reason, added_by, added_at`.execute(db);
  const row = result.rows[0];
  if (!row) return null;
  await sql`insert into trust_anchor_audit (did, action, reason, actor_did, at) values (${did}, 'REMOVE', null, ${actorDid}, ${now})`.execute(db);
  return toAnchor(row);
}

export async function anchorAudit(db: Db, did?: string, limit = 100): Promise<TrustAnchorAuditRow[]> {
  const result = await sql<{ id: string | number; did: string; action: 'ADD' | 'REMOVE'; reason: string | null; actor_did: string; at: Date | string }>`
    select id, did, action, reason, actor_did, at from trust_anchor_audit
    ${did === undefined ? sql`` : sql`where did = ${did}`}
    order by id desc limit ${limit}`.execute(db);
  return result.rows.map((row) => ({ id: Number(row.id), did: row.did, action: row.action, reason: row.reason, actorDid: row.actor_did, at: new Date(row.at) }));
}
