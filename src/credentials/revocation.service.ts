// Revoking the service's credentials: an admin's revocation, and the credentials built on a revoked receipt.
// Marking the rows and setting their status bits happen in one transaction.
import type { Db } from '../db/database.ts';
import type { CredentialRow } from '../db/schema.ts';
import { NotFoundError } from '../errors.ts';
import { createCredentialRepository } from './credential.repository.ts';
import type { StatusListService } from './status-list.service.ts';

const MAX_REASON = 500;

export interface RevocationServiceOptions {
  statusLists: StatusListService;
  /** Called inside the revoking transaction with the credentials just revoked (webhooks hook in here). */
  onRevoked?: ((trx: Db, revoked: readonly CredentialRow[], now: Date) => Promise<unknown>) | undefined;
}

export function createRevocationService(db: Db, options: RevocationServiceOptions) {
  /** Revokes locked live credentials: marks the rows, sets their bits and re-signs each list touched once. */
  async function revokeLocked(
    trx: Db,
    credentials: readonly CredentialRow[],
    values: { reason: string; by: string; now: Date },
  ): Promise<CredentialRow[]> {
    if (credentials.length === 0) return [];
    await options.statusLists.setRevokedBits(trx, credentials, values.now);
    const revoked = await createCredentialRepository(trx).markRevoked(
      credentials.map((credential) => credential.id),
      { ...values, reason: values.reason.slice(0, MAX_REASON) },
    );
    await options.onRevoked?.(trx, revoked, values.now);
    return revoked;
  }

  return {
    /** Admin revocation; revoking a revoked credential returns it unchanged. */
    async revoke(id: string, reason: string, caller: { did: string }, now: Date): Promise<CredentialRow> {
      return db.transaction().execute(async (trx) => {
        const repository = createCredentialRepository(trx);
        const live = await repository.lockLive({ ids: [id] });
        if (live.length === 0) {
          const [stored] = await repository.findByIds([id]);
          if (!stored) throw new NotFoundError(`no credential ${id}`);
          return stored;
        }
        const [revoked] = await revokeLocked(trx, live, { reason, by: caller.did, now });
        return revoked!;
      });
    },

    /**
     * Revokes every live credential built on a receipt, inside the caller's transaction (the receipt store runs it
     * in the transaction that revokes the receipt, so neither half commits alone). Idempotent.
     */
    async revokeForReceiptIn(trx: Db, receiptId: string, reason: string, by: string, now: Date): Promise<CredentialRow[]> {
      const live = await createCredentialRepository(trx).lockLive({ receiptId });
      return revokeLocked(trx, live, { reason: `receipt revoked: ${reason}`, by, now });
    },
  };
}

export type RevocationService = ReturnType<typeof createRevocationService>;
