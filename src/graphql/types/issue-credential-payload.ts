import type { CredentialRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { CredentialRef } from './credential.ts';

export const IssueCredentialPayloadRef = builder.objectRef<{ credential: CredentialRow }>('IssueCredentialPayload').implement({
  fields: (t) => ({ credential: t.field({ type: CredentialRef, resolve: (payload) => payload.credential }) }),
});
