import type { RevokedEntry } from '../../credentials/credential.repository.ts';
import type { PublishedStatusList } from '../../credentials/credential.service.ts';
import { builder } from '../builder.ts';

export const RevokedCredentialRef = builder.objectRef<RevokedEntry>('RevokedCredential').implement({
  description: 'One revoked credential in a status list.',
  fields: (t) => ({
    credentialId: t.exposeString('id', { description: 'The revoked credential\'s own id (`urn:uuid:…`).' }),
    reason: t.string({ description: 'Why it was revoked; empty when no reason was given.', resolve: (entry) => entry.revoked_reason ?? '' }),
    revokedAt: t.field({ description: 'When it was revoked.', type: 'DateTime', resolve: (entry) => entry.revoked_at }),
  }),
});

export const RevocationListRef = builder.objectRef<PublishedStatusList>('RevocationList').implement({
  description: 'A published Bitstring Status List (purpose revocation) and the revocations it carries.',
  fields: (t) => ({
    listId: t.exposeInt('listId', { description: 'The status list number (1 for the first list).' }),
    statusListCredentialUrl: t.exposeString('url', { description: 'Where the signed status list is served (the statusListCredential URL inside credentials).' }),
    statusListCredential: t.string({
      description: 'The signed BitstringStatusListCredential (JSON text), exactly as served at statusListCredentialUrl.',
      resolve: (list) => list.body,
    }),
    etag: t.exposeString('etag', { description: 'The ETag the status list is served with; it changes whenever a bit changes.' }),
    revoked: t.field({
      type: [RevokedCredentialRef],
      description: 'Every credential revoked in this list, newest first.',
      resolve: (list, _args, context) => context.services.credentials.revokedInList(list.listId),
    }),
    updatedAt: t.field({ description: 'When the list was last re-signed.', type: 'DateTime', resolve: (list) => list.updatedAt }),
  }),
});
