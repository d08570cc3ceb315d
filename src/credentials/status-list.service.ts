// The service's Bitstring Status Lists: creating and signing them, handing out indexes to new credentials, setting
// revoked bits (re-signing each list touched, in the caller's transaction, so the published list never lags the
// database) and serving them.
import { createHash } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { CredentialRow, CredentialStatusListRow } from '../db/schema.ts';
import { createCredentialRepository, type RevokedEntry } from './credential.repository.ts';
import type { DocumentLoader } from './document-loader.ts';
import type { SigningKey } from './signing-key.ts';
import {
  createBitstring,
  decodeBitstring,
  encodeBitstring,
  issueStatusListCredential,
  setBit,
  STATUS_LIST_LENGTH,
  statusListUrl,
} from './status-list.ts';

export interface PublishedStatusList {
  listId: number;
  url: string;
  /** The signed BitstringStatusListCredential as served. */
  body: string;
  etag: string;
  updatedAt: Date;
}

export const FIRST_STATUS_LIST_ID = 1;

export interface StatusListServiceOptions {
  publicUrl: string;
  /** The active issuer key; it signs credentials and status lists alike. */
  signingKey: SigningKey;
  documentLoader: DocumentLoader;
}

/** A strong validator over the exact bytes served. */
function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

export function createStatusListService(db: Db, options: StatusListServiceOptions) {
  const { publicUrl, signingKey, documentLoader } = options;
  const reads = createCredentialRepository(db);
  const listUrl = (listId: number) => statusListUrl(publicUrl, listId);

  async function signList(listId: number, bits: Uint8Array, now: Date) {
    const signed = await issueStatusListCredential({ url: listUrl(listId), bits, validFrom: now }, signingKey, { documentLoader });
    const body = JSON.stringify(signed);
    return { encoded_list: encodeBitstring(bits), signed_credential: body, etag: etagOf(body) };
  }

  /** Creates list `listId` (all bits clear) unless it exists. */
  async function createList(trx: Db, listId: number, now: Date): Promise<void> {
    const signed = await signList(listId, createBitstring(STATUS_LIST_LENGTH), now);
    await createCredentialRepository(trx).insertList({
      list_id: listId,
      status_purpose: 'revocation',
      length: STATUS_LIST_LENGTH,
      next_index: 0,
      ...signed,
      created_at: now,
      updated_at: now,
    });
  }

  function published(row: CredentialStatusListRow): PublishedStatusList {
    return {
      listId: row.list_id,
      url: listUrl(row.list_id),
      body: row.signed_credential,
      etag: row.etag,
      updatedAt: new Date(row.updated_at),
    };
  }

  return {
    listUrl,

    /** Makes sure the first status list exists and is signed, so the status URL answers before any issuance. */
    async ensureStatusList(now: Date): Promise<void> {
      if (await reads.listEtag(FIRST_STATUS_LIST_ID)) return;
      await createList(db, FIRST_STATUS_LIST_ID, now);
    },

    /** The next free index, in the caller's (issuing) transaction. */
    async allocateIndex(trx: Db, now: Date): Promise<{ listId: number; index: number }> {
      const repository = createCredentialRepository(trx);
      // A full newest list (or none at all) starts the next one; losing that race to another issuer just retries.
      for (let attempt = 0; attempt < 5; attempt++) {
        const allocated = await repository.allocateIndex();
        if (allocated) return allocated;
        await createList(trx, ((await repository.newestListId()) ?? 0) + 1, now);
      }
      throw new Error('could not allocate a status list index');
    },

    /** Sets the credentials' bits, locking and re-signing each list touched once (in list order, so no deadlock). */
    async setRevokedBits(trx: Db, credentials: readonly CredentialRow[], now: Date): Promise<void> {
      const repository = createCredentialRepository(trx);
      const byList = new Map<number, number[]>();
      for (const credential of credentials) {
        byList.set(credential.status_list_id, [...(byList.get(credential.status_list_id) ?? []), credential.status_index]);
      }
      for (const listId of [...byList.keys()].sort((a, b) => a - b)) {
        const list = await repository.lockList(listId);
        if (!list) throw new Error(`status list ${listId} is missing`);
        const bits = decodeBitstring(list.encoded_list);
        for (const index of byList.get(listId)!) setBit(bits, index, true);
        await repository.updateList(listId, { ...(await signList(listId, bits, now)), updated_at: now });
      }
    },

    async statusList(listId: number): Promise<PublishedStatusList | undefined> {
      const row = await reads.findList(listId);
      return row ? published(row) : undefined;
    },

    revokedInList: (listId: number): Promise<RevokedEntry[]> => reads.revokedInList(listId),
  };
}

export type StatusListService = ReturnType<typeof createStatusListService>;
