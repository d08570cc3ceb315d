import { builder } from '../builder.ts';
import { CredentialRef } from './credential.ts';

/** Shared by every connection of credentials, so clients write one fragment for them. */
export const CredentialEdgeRef = builder.edgeObject({
  type: CredentialRef,
  name: 'CredentialEdge',
  description: 'One credential in a page, with the cursor of its position in the list.',
});
