import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { seek, type KeysetRead } from '../db/keyset.ts';
import type { PlatformRow, PlatformStatus } from '../db/schema.ts';

export interface NewPlatform {
  did: string;
  name: string;
  domain: string | null;
  webhookUrl: string | null;
  webhookSecret: string;
  now: Date;
}

export function createPlatformRepository(db: Db) {
  return {
    /** Null when the DID is already registered. */
    async insert(values: NewPlatform): Promise<PlatformRow | null> {
      const row = await db
        .insertInto('platforms')
        .values({
          did: values.did,
          name: values.name,
          domain: values.domain,
          webhook_url: values.webhookUrl,
          webhook_secret: values.webhookSecret,
          status: 'PENDING',
          registered_at: values.now,
          updated_at: values.now,
        })
        .onConflict((oc) => oc.column('did').doNothing())
        .returningAll()
        .executeTakeFirst();
      return row ?? null;
    },

    async setStatus(did: string, status: PlatformStatus, by: string, reason: string | null, now: Date) {
      return db
        .updateTable('platforms')
        .set((eb) => ({
          status,
          status_reason: reason,
          status_changed_by: by,
          updated_at: now,
          approved_at: status === 'APPROVED' ? eb.fn.coalesce('approved_at', sql<Date>`${now}`) : eb.ref('approved_at'),
        }))
        .where('did', '=', did)
        .returningAll()
        .executeTakeFirst();
    },

    async findByDids(dids: readonly string[]): Promise<PlatformRow[]> {
      if (dids.length === 0) return [];
      return db.selectFrom('platforms').selectAll().where('did', 'in', dids).execute();
    },

    /** The platform row under a share lock until the transaction ends: a status change waits for the caller. */
    findForShare(did: string): Promise<PlatformRow | undefined> {
      return db.selectFrom('platforms').selectAll().where('did', '=', did).forShare().executeTakeFirst();
    },

    /** Registered platforms, oldest first by (registeredAt, did): a keyset read from either end of a window. */
    keysetPage(read: KeysetRead): Promise<PlatformRow[]> {
      return seek(db.selectFrom('platforms').selectAll(), ['registered_at', 'did'], 'asc', read).execute();
    },
  };
}

export type PlatformRepository = ReturnType<typeof createPlatformRepository>;
