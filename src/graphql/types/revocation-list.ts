import type { RevokedEntry } from '../../credentials/credential.repository.ts';
import type { PublishedStatusList } from '../../credentials/credential.service.ts';
import { builder } from '../builder.ts';

export const RevokedCredentialRef = builder.objectRef<RevokedEntry>('RevokedCredential').implement({
  fields: (t) => ({
    credentialId: t.exposeString('id'),
    reason: t.string({ resolve: (entry) => entry.revoked_reason ?? '' }),
    revokedAt: t.field({ type: 'DateTime', resolve: (entry) => entry.revoked_at }),
  }),
});

export const RevocationListRef = builder.objectRef<PublishedStatusList>('RevocationList').implement({
  description: 'A published Bitstring Status List (purpose revocation) and the revocations it carries.',
  fields: (t) => ({
    listId: t.exposeInt('listId'),
    statusListCredentialUrl: t.exposeString('url'),
    statusListCredential: t.string({
      description: 'The signed BitstringStatusListCredential (JSON text), exactly as served at statusListCredentialUrl.',
      resolve: (list) => list.body,
    }),
    etag: t.exposeString('etag'),
    revoked: t.field({
      type: [RevokedCredentialRef],
      resolve: (list, _args, context) => context.services.credentials.revokedInList(list.listId),
    }),
    updatedAt: t.field({ type: 'DateTime', resolve: (list) => list.updatedAt }),
  }),
});
