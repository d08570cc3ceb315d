import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { SettlementEventRow, SettlementRow, SettlementsTable } from '../db/schema.ts';
import type { Insertable } from 'kysely';

export function createSettlementRepository(db: Db) {
  return {
    /** Serialises every writer of one escrow until the transaction ends. */
    async lockEscrow(platformDid: string, escrowId: string): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`${platformDid}\n${escrowId}`}, 0))`.execute(db);
    },

    findEvent(platformDid: string, jti: string): Promise<SettlementEventRow | undefined> {
      return db.selectFrom('settlement_events').selectAll().where('platform_did', '=', platformDid).where('jti', '=', jti).executeTakeFirst();
    },

    find(platformDid: string, escrowId: string): Promise<SettlementRow | undefined> {
      return db.selectFrom('settlements').selectAll().where('platform_did', '=', platformDid).where('escrow_id', '=', escrowId).executeTakeFirst();
    },

    async findMany(keys: ReadonlyArray<{ platformDid: string; escrowId: string }>): Promise<SettlementRow[]> {
      if (keys.length === 0) return [];
      return db
        .selectFrom('settlements')
        .selectAll()
        .where((eb) =>
          eb.or(keys.map((key) => eb.and([eb('platform_did', '=', key.platformDid), eb('escrow_id', '=', key.escrowId)]))),
        )
        .execute();
    },

    insert(row: Insertable<SettlementsTable>): Promise<SettlementRow> {
      return db.insertInto('settlements').values(row).returningAll().executeTakeFirstOrThrow();
    },

    updateState(platformDid: string, escrowId: string, values: Pick<SettlementRow, 'status' | 'ruling' | 'updated_at'>) {
      return db
        .updateTable('settlements')
        .set(values)
        .where('platform_did', '=', platformDid)
        .where('escrow_id', '=', escrowId)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    async insertEvent(row: SettlementEventRow): Promise<void> {
      await db.insertInto('settlement_events').values(row).execute();
    },

    events(platformDid: string, escrowId: string): Promise<SettlementEventRow[]> {
      return db
        .selectFrom('settlement_events')
        .selectAll()
        .where('platform_did', '=', platformDid)
        .where('escrow_id', '=', escrowId)
        .orderBy('occurred_at', 'asc')
        .orderBy('received_at', 'asc')
        .execute();
    },
  };
}

export type SettlementRepository = ReturnType<typeof createSettlementRepository>;
