// Trust anchors: DIDs the operator vouches for, which seed credibility propagation whatever the observable rule
// says. Configured anchors (CREDENCE_TRUST_ANCHORS) are fixed for the process; admin-named ones are stored and
// audited. Either takes effect at the next propagation run.
import type { Db } from '../../db/database.ts';
import { NotFoundError } from '../../errors.ts';
import { addAnchor, anchorAudit, listAnchors, removeAnchor, type TrustAnchorAuditRow } from './anchors.repository.ts';

export type TrustAnchorSource = 'CONFIGURATION' | 'ADMIN';

export interface TrustAnchor {
  did: string;
  source: TrustAnchorSource;
  reason: string | null;
  addedBy: string | null;
  addedAt: Date | null;
}

export function createTrustAnchorService(db: Db, configured: readonly string[]) {
  return {
    /** Configured anchors first (in configuration order), then stored ones by DID. */
    async list(): Promise<TrustAnchor[]> {
      const stored = await listAnchors(db);
      const fixed = new Set(configured);
      return [
        ...configured.map((did): TrustAnchor => ({ did, source: 'CONFIGURATION', reason: null, addedBy: null, addedAt: null })),
        ...stored.filter((row) => !fixed.has(row.did)).map((row): TrustAnchor => ({ did: row.did, source: 'ADMIN', reason: row.reason, addedBy: row.addedBy, addedAt: row.addedAt })),
      ];
    },
    async add(did: string, reason: string, actorDid: string, now: Date): Promise<TrustAnchor> {
      const row = await db.transaction().execute((trx) => addAnchor(trx, did, reason, actorDid, now));
      return { did: row.did, source: 'ADMIN', reason: row.reason, addedBy: row.addedBy, addedAt: row.addedAt };
    },
    /** Removes an admin-named anchor; a configured one can only be removed from the configuration. */
    async remove(did: string, actorDid: string, now: Date): Promise<TrustAnchor> {
      const row = await db.transaction().execute((trx) => removeAnchor(trx, did, actorDid, now));
      if (!row) {
        throw new NotFoundError(
          configured.includes(did) ? `${did} is a configured anchor (CREDENCE_TRUST_ANCHORS); remove it there` : `${did} is not a trust anchor`,
        );
      }
      return { did: row.did, source: 'ADMIN', reason: row.reason, addedBy: row.addedBy, addedAt: row.addedAt };
    },
    audit(did?: string, limit = 100): Promise<TrustAnchorAuditRow[]> {
      return anchorAudit(db, did, limit);
    },
  };
}

export type TrustAnchorService = ReturnType<typeof createTrustAnchorService>;
