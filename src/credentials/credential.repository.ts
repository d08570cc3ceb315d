// Issued credentials and their status lists. Writers pass a transaction; the row locks taken here (list rows on
// allocation and re-signing, credential rows on revocation) are what keep concurrent issuers and revokers apart.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { readFromStart, seek, type KeysetKey, type KeysetRead } from '../db/keyset.ts';
import type {
  CredentialEncoding,
  CredentialKind,
  CredentialRow,
  CredentialStatusListRow,
  CredentialStatusListsTable,
  NewCredentialRow,
} from '../db/schema.ts';
import type { Insertable } from 'kysely';

/** A position in a subject's credentials: (issuedAt, id), the key every keyset list and cursor uses. */
export type CredentialCursor = KeysetKey;

export interface RevokedEntry {
  id: string;
  revoked_reason: string | null;
  revoked_at: Date | string;
}

export function createCredentialRepository(db: Db) {
  /** Credentials issued to a subject, newest first by (issuedAt, id): a keyset read from either end of a window. */
  function keysetPage(subjectDid: string, read: KeysetRead): Promise<CredentialRow[]> {
    const query = db.selectFrom('credentials').selectAll().where('subject_did', '=', subjectDid);
    return seek(query, ['issued_at', 'id'], 'desc', read).execute();
  }

  return {
    keysetPage,

    async findByIds(ids: readonly string[]): Promise<CredentialRow[]> {
      if (ids.length === 0) return [];
      return db.selectFrom('credentials').selectAll().where('id', 'in', ids).execute();
    },

    /** Newest first by (issuedAt, id), strictly after the cursor. */
    page(subjectDid: string, after: CredentialCursor | null, limit: number): Promise<CredentialRow[]> {
      return keysetPage(subjectDid, readFromStart(limit, after));
    },

    /** The same order as `page`, by offset (the REST API's `limit`/`offset` pagination). */
    pageAt(subjectDid: string, offset: number, limit: number): Promise<CredentialRow[]> {
      return db
        .selectFrom('credentials')
        .selectAll()
        .where('subject_did', '=', subjectDid)
        .orderBy('issued_at', 'desc')
        .orderBy('id', 'desc')
        .offset(offset)
        .limit(limit)
        .execute();
    },

    /** Credentials issued to the subject: all of them, and those not revoked. */
    async countForSubject(subjectDid: string): Promise<{ total: number; live: number }> {
      const row = await db
        .selectFrom('credentials')
        .select((eb) => [
          eb.fn.countAll<string | number>().as('total'),
          eb.fn.count<string | number>('id').filterWhere('revoked_at', 'is', null).as('live'),
        ])
        .where('subject_did', '=', subjectDid)
        .executeTakeFirst();
      return { total: Number(row?.total ?? 0), live: Number(row?.live ?? 0) };
    },

    /** A live credential already built on this receipt in this format, if any. */
    findLiveForReceipt(receiptId: string, type: CredentialKind, format: CredentialEncoding): Promise<CredentialRow | undefined> {
      return db
        .selectFrom('credentials')
        .selectAll()
        .where('receipt_id', '=', receiptId)
        .where('type', '=', type)
        .where('format', '=', format)
        .where('revoked_at', 'is', null)
        .orderBy('issued_at', 'asc')
        .limit(1)
        .executeTakeFirst();
    },

    /**
     * The newest revoked credential of this type built on the receipt, in any format, that an admin has not reissued
     * (a reissue lifts the revocation's stand for the receipt, as for reputation numbers).
     */
    findStandingRevocationForReceipt(receiptId: string, type: CredentialKind): Promise<CredentialRow | undefined> {
      return db
        .selectFrom('credentials as revoked')
        .selectAll('revoked')
        .where('revoked.receipt_id', '=', receiptId)
        .where('revoked.type', '=', type)
        .where('revoked.revoked_at', 'is not', null)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('credentials as reissue').select('reissue.id').whereRef('reissue.reissue_of', '=', 'revoked.id'))),
        )
        .orderBy('revoked.revoked_at', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    /** The credential an admin issued in place of `id`, if any. */
    findReissueOf(id: string): Promise<CredentialRow | undefined> {
      return db.selectFrom('credentials').selectAll().where('reissue_of', '=', id).executeTakeFirst();
    },

    /** Which of these credentials an admin reissued. */
    async reissued(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db.selectFrom('credentials').select('reissue_of').where('reissue_of', 'in', ids).execute();
      return new Set(rows.map((row) => row.reissue_of!));
    },

    /**
     * Serialises the reputation issuers of one DID until the transaction ends, so the reuse lookup and the quota
     * count below see every credential a concurrent request for the same DID issued.
     */
    async lockReputationSubject(subjectDid: string): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`credence:reputation:${subjectDid}`}, 0))`.execute(db);
    },

    /** The subject's newest reputation credentials that signed these numbers (any format, revoked ones too). */
    reputationWithHash(subjectDid: string, subjectHash: string, limit: number): Promise<CredentialRow[]> {
      return db
        .selectFrom('credentials')
        .selectAll()
        .where('subject_did', '=', subjectDid)
        .where('type', '=', 'REPUTATION')
        .where('subject_hash', '=', subjectHash)
        .orderBy('issued_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
    },

    /** Reputation credentials issued to the subject since `since` (revoked ones included) and the oldest's time. */
    async reputationIssuedSince(subjectDid: string, since: Date): Promise<{ count: number; oldest: Date | null }> {
      const row = await db
        .selectFrom('credentials')
        .select((eb) => [eb.fn.countAll<string | number>().as('count'), eb.fn.min('issued_at').as('oldest')])
        .where('subject_did', '=', subjectDid)
        .where('type', '=', 'REPUTATION')
        .where('issued_at', '>', since)
        .executeTakeFirst();
      return { count: Number(row?.count ?? 0), oldest: row?.oldest ? new Date(row.oldest as Date | string) : null };
    },

    async insert(row: NewCredentialRow): Promise<CredentialRow> {
      return db.insertInto('credentials').values(row).returningAll().executeTakeFirstOrThrow();
    },

    /** Locks the given live credentials (in id order, so two revokers cannot deadlock). */
    lockLive(where: { ids?: readonly string[]; receiptId?: string }): Promise<CredentialRow[]> {
      let query = db.selectFrom('credentials').selectAll().where('revoked_at', 'is', null);
      if (where.ids) query = where.ids.length === 0 ? query.where(sql<boolean>`false`) : query.where('id', 'in', where.ids);
      if (where.receiptId !== undefined) query = query.where('receipt_id', '=', where.receiptId);
      return query.orderBy('id').forUpdate().execute();
    },

    async markRevoked(ids: readonly string[], values: { reason: string; by: string; now: Date }): Promise<CredentialRow[]> {
      if (ids.length === 0) return [];
      return db
        .updateTable('credentials')
        .set({ revoked_at: values.now, revoked_reason: values.reason, revoked_by: values.by })
        .where('id', 'in', ids)
        .where('revoked_at', 'is', null)
        .returningAll()
        .execute();
    },

    revokedInList(listId: number): Promise<RevokedEntry[]> {
      return db
        .selectFrom('credentials')
        .select(['id', 'revoked_reason', 'revoked_at'])
        .where('status_list_id', '=', listId)
        .where('revoked_at', 'is not', null)
        .orderBy('revoked_at', 'asc')
        .orderBy('id', 'asc')
        .execute() as Promise<RevokedEntry[]>;
    },

    // --- status lists -------------------------------------------------------------------------------------------

    findList(listId: number): Promise<CredentialStatusListRow | undefined> {
      return db.selectFrom('credential_status_lists').selectAll().where('list_id', '=', listId).executeTakeFirst();
    },

    listEtag(listId: number): Promise<string | undefined> {
      return db
        .selectFrom('credential_status_lists')
        .select('etag')
        .where('list_id', '=', listId)
        .executeTakeFirst()
        .then((row) => row?.etag);
    },

    lockList(listId: number): Promise<CredentialStatusListRow | undefined> {
      return db.selectFrom('credential_status_lists').selectAll().where('list_id', '=', listId).forUpdate().executeTakeFirst();
    },

    async newestListId(): Promise<number | null> {
      const row = await db
        .selectFrom('credential_status_lists')
        .select((eb) => eb.fn.max('list_id').as('list_id'))
        .executeTakeFirst();
      return row?.list_id ?? null;
    },

    /**
     * Takes the next free index of the newest list; the row lock it takes is held until the transaction ends, so
     * concurrent issuers get distinct indexes. Undefined when there is no list or the newest one is full.
     */
    async allocateIndex(): Promise<{ listId: number; index: number } | undefined> {
      const row = await db
        .updateTable('credential_status_lists')
        .set((eb) => ({ next_index: eb('next_index', '+', 1) }))
        .where('list_id', '=', (eb) => eb.selectFrom('credential_status_lists').select((inner) => inner.fn.max('list_id').as('newest')))
        .whereRef('next_index', '<', 'length')
        .returning(['list_id', 'next_index'])
        .executeTakeFirst();
      return row ? { listId: row.list_id, index: row.next_index - 1 } : undefined;
    },

    /** Inserts a list unless that id exists (another instance made it first); true when this call inserted it. */
    async insertList(row: Insertable<CredentialStatusListsTable>): Promise<boolean> {
      const inserted = await db
        .insertInto('credential_status_lists')
        .values(row)
        .onConflict((oc) => oc.column('list_id').doNothing())
        .returning('list_id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async updateList(
      listId: number,
      values: Pick<CredentialStatusListRow, 'encoded_list' | 'signed_credential' | 'etag'> & { updated_at: Date },
    ): Promise<CredentialStatusListRow> {
      return db
        .updateTable('credential_status_lists')
        .set(values)
        .where('list_id', '=', listId)
        .returningAll()
        .executeTakeFirstOrThrow();
    },
  };
}

export type CredentialRepository = ReturnType<typeof createCredentialRepository>;
