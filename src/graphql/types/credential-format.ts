import { builder } from '../builder.ts';

export const CredentialFormatEnum = builder.enumType('CredentialFormat', {
  description: 'How a credential is encoded and signed; one issuer key signs all three.',
  values: {
    JWT: { description: 'A JWT VC (did-jwt-vc shape), EdDSA.' },
    JSON_LD: { description: 'A VC 2.0 JSON-LD document with an Ed25519Signature2020 proof.' },
    DATA_INTEGRITY: {
      description:
        'A VC 2.0 JSON-LD document with a DataIntegrityProof (eddsa-rdfc-2022 cryptosuite), naming the issuer key as a Multikey.',
    },
  } as const,
});
