import { builder } from '../builder.ts';
import { CredentialEdgeRef } from './credential-edge.ts';
import { CredentialRef } from './credential.ts';

export const CredentialConnectionRef = builder.connectionObject(
  {
    type: CredentialRef,
    name: 'CredentialConnection',
    description: 'A page of credentials (Relay cursor connection: first/after forward, last/before backward).',
  },
  CredentialEdgeRef,
);
