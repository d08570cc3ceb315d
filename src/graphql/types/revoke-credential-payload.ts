import type { CredentialRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { CredentialRef } from './credential.ts';

export const RevokeCredentialPayloadRef = builder.objectRef<{ credential: CredentialRow }>('RevokeCredentialPayload').implement({
  description: 'What revokeCredential answers on success.',
  fields: (t) => ({ credential: t.field({ description: 'The credential, now revoked.', type: CredentialRef, resolve: (payload) => payload.credential }) }),
});
