import type { CredentialRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { CredentialRef } from './credential.ts';

export const IssueCredentialPayloadRef = builder.objectRef<{ credential: CredentialRow }>('IssueCredentialPayload').implement({
  description: 'What issueCredential and reissueCredential answer on success.',
  fields: (t) => ({ credential: t.field({ description: 'The new credential; its `encoded` text is the credential to hand to a verifier.', type: CredentialRef, resolve: (payload) => payload.credential }) }),
});
