import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { IssuerKeyRow } from '../db/schema.ts';

export function createIssuerKeyRepository(db: Db) {
  return {
    list(): Promise<IssuerKeyRow[]> {
      return db.selectFrom('issuer_keys').selectAll().orderBy('created_at', 'asc').orderBy('key_id', 'asc').execute();
    },

    /**
     * Makes `keyId` the active key; any other active key is retired but kept, so old credentials verify.
     * Instances starting together on one database all publish their key: the table lock makes them take turns, so
     * each sees the rows the one before committed (without it, two first inserts of one key race on the
     * public-key unique index, which an ON CONFLICT on `key_id` does not cover).
     */
    async activate(keyId: string, publicKeyMultibase: string, now: Date): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await sql`lock table issuer_keys in share row exclusive mode`.execute(trx);
        await trx
          .updateTable('issuer_keys')
          .set({ status: 'RETIRED', retired_at: now })
          .where('status', '=', 'ACTIVE')
          .where('key_id', '!=', keyId)
          .execute();
        await trx
          .insertInto('issuer_keys')
          .values({ key_id: keyId, public_key_multibase: publicKeyMultibase, status: 'ACTIVE', created_at: now })
          .onConflict((oc) => oc.column('key_id').doUpdateSet({ status: 'ACTIVE', retired_at: null }))
          .execute();
      });
    },

    /**
     * Records keys the keyring says were retired, unless already known: a rebuilt database still publishes them.
     * A known key keeps its row (and status): activate() decides which key is active.
     */
    async rememberRetired(keys: ReadonlyArray<{ keyId: string; publicKeyMultibase: string; retiredAt: Date }>): Promise<void> {
      if (keys.length === 0) return;
      await db
        .insertInto('issuer_keys')
        .values(
          keys.map((key) => ({
            key_id: key.keyId,
            public_key_multibase: key.publicKeyMultibase,
            status: 'RETIRED' as const,
            created_at: key.retiredAt,
            retired_at: key.retiredAt,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
  };
}

export type IssuerKeyRepository = ReturnType<typeof createIssuerKeyRepository>;
