// The document loader every service credential is signed and verified with: the service's DID document (from the
// issuer keys) and its signed status lists (from the database), besides the bundled contexts.
import type { Db } from '../db/database.ts';
import { CREDENCE_CONTEXT_V1_PATH } from './contexts.ts';
import { createCredentialRepository } from './credential.repository.ts';
import { createDocumentLoader, type DidDocument, type DocumentLoader } from './document-loader.ts';

export interface ServiceDocumentLoaderOptions {
  serviceDid: string;
  publicUrl: string;
  /** The service's current DID document (the issuer keys own it). */
  didDocument: () => Promise<DidDocument>;
}

export function createServiceDocumentLoader(db: Db, options: ServiceDocumentLoaderOptions): DocumentLoader {
  const { serviceDid, publicUrl } = options;
  const reads = createCredentialRepository(db);
  const listPrefix = `${publicUrl.replace(/\/+$/, '')}/credentials/status/`;

  // The loader's status cache keys on object identity: hand out one parsed object per list version (ETag).
  const parsedLists = new Map<number, { etag: string; document: object }>();
  async function signedListFor(url: string): Promise<object | undefined> {
    if (!url.startsWith(listPrefix)) return undefined;
    const id = url.slice(listPrefix.length);
    if (!/^[1-9][0-9]{0,8}$/.test(id)) return undefined;
    const listId = Number(id);
    const etag = await reads.listEtag(listId);
    if (etag === undefined) return undefined;
    const cached = parsedLists.get(listId);
    if (cached?.etag === etag) return cached.document;
    const row = await reads.findList(listId);
    if (!row) return undefined;
    const document = JSON.parse(row.signed_credential) as object;
    parsedLists.set(listId, { etag: row.etag, document });
    return document;
  }

  return createDocumentLoader({
    didDocuments: async (did) => (did === serviceDid ? options.didDocument() : undefined),
    statusListCredentials: signedListFor,
    contextAliases: [`${publicUrl.replace(/\/+$/, '')}${CREDENCE_CONTEXT_V1_PATH}`],
  });
}
