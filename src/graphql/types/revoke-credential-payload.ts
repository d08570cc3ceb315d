import type { CredentialRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { CredentialRef } from './credential.ts';

export const RevokeCredentialPayloadRef = builder.objectRef<{ credential: CredentialRow }>('RevokeCredentialPayload').implement({
  fields: (t) => ({ credential: t.field({ type: CredentialRef, resolve: (payload) => payload.credential }) }),
});
