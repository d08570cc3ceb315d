import type { IssuerKeyRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';

export const IssuerKeyStatusEnum = builder.enumType('IssuerKeyStatus', {
  values: ['ACTIVE', 'RETIRED'] as const,
});

export const IssuerKeyRef = builder.objectRef<IssuerKeyRow & { serviceDid: string }>('IssuerKey').implement({
  description: 'An Ed25519 key of the service DID. Retired keys stay published so earlier credentials still verify.',
  fields: (t) => ({
    id: t.string({ description: 'The verification method id.', resolve: (key) => `${key.serviceDid}#${key.key_id}` }),
    type: t.string({ resolve: () => 'Ed25519VerificationKey2020' }),
    publicKeyMultibase: t.exposeString('public_key_multibase'),
    status: t.field({ type: IssuerKeyStatusEnum, resolve: (key) => key.status }),
    createdAt: t.field({ type: 'DateTime', resolve: (key) => key.created_at }),
    retiredAt: t.field({ type: 'DateTime', nullable: true, resolve: (key) => key.retired_at }),
  }),
});
