import type { IssuerKeyRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';

export const IssuerKeyStatusEnum = builder.enumType('IssuerKeyStatus', {
  description: 'Whether an issuer key signs new credentials.',
  values: {
    ACTIVE: { description: 'Signs every new credential and status list; exactly one key is ACTIVE.' },
    RETIRED: { description: 'Signs nothing new; stays published so credentials it signed still verify.' },
  } as const,
});

export const IssuerKeyRef = builder.objectRef<IssuerKeyRow & { serviceDid: string }>('IssuerKey').implement({
  description: 'An Ed25519 key of the service DID. Retired keys stay published so earlier credentials still verify.',
  fields: (t) => ({
    id: t.string({ description: 'The verification method id.', resolve: (key) => `${key.serviceDid}#${key.key_id}` }),
    type: t.string({ description: 'The verification method type: always Ed25519VerificationKey2020.', resolve: () => 'Ed25519VerificationKey2020' }),
    publicKeyMultibase: t.exposeString('public_key_multibase', { description: 'The Ed25519 public key, multibase base58btc with the ed25519-pub multicodec prefix (z6Mk…).' }),
    status: t.field({ description: 'ACTIVE signs new credentials; RETIRED only verifies earlier ones.', type: IssuerKeyStatusEnum, resolve: (key) => key.status }),
    createdAt: t.field({ description: 'When the key was first used by this service.', type: 'DateTime', resolve: (key) => key.created_at }),
    retiredAt: t.field({ description: 'When it was retired; null while ACTIVE.', type: 'DateTime', nullable: true, resolve: (key) => key.retired_at }),
  }),
});
