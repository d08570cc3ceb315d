// The service's issuer keys as the rest of the service sees them: the published key list, the did:web document
// built from it, and the start-up step that records the key loaded from the keyring.
import type { Db } from '../db/database.ts';
import type { IssuerKeyRow } from '../db/schema.ts';
import { buildDidWebDocument, type DidWebDocument } from './did-web.ts';
import type { IssuerKey } from './issuer-key.ts';
import { createIssuerKeyRepository } from './issuer-key.repository.ts';

export function createIssuerKeyService(db: Db, options: { serviceDid: string }) {
  const keys = createIssuerKeyRepository(db);
  return {
    list: (): Promise<IssuerKeyRow[]> => keys.list(),

    /** The service's DID document: every key it has published, the active ones also for authentication. */
    async didDocument(): Promise<DidWebDocument> {
      const rows = await keys.list();
      return buildDidWebDocument(
        options.serviceDid,
        rows.map((key) => ({ keyId: key.key_id, publicKeyMultibase: key.public_key_multibase })),
        rows.filter((key) => key.status === 'ACTIVE').map((key) => key.key_id),
      );
    },

    /** Publishes the key loaded at start as the active one, and the keys its keyring says it replaced. */
    async publish(key: IssuerKey, now: Date): Promise<void> {
      await keys.rememberRetired(key.retired ?? []);
      await keys.activate(key.keyId, key.publicKeyMultibase, now);
    },
  };
}

export type IssuerKeyService = ReturnType<typeof createIssuerKeyService>;
