// did:web identifiers and the service's DID document (pure).

/** `http://localhost:4000` → `did:web:localhost%3A4000`; a path adds `:`-separated segments. */
export function didWebFromUrl(publicUrl: string): string {
  const url = new URL(publicUrl);
  const host = url.port ? `${url.hostname}%3A${url.port}` : url.hostname;
  const path = url.pathname.split('/').filter((segment) => segment.length > 0).map(encodeURIComponent);
  return ['did:web', host, ...path].join(':');
}

export interface DidDocumentKey {
  /** Fragment id, e.g. `key-1`. */
  keyId: string;
  /** `z6Mk…` multibase Ed25519 public key. */
  publicKeyMultibase: string;
}

/** The id of a key's Multikey method: the Ed25519VerificationKey2020 method's id with this suffix. */
export const MULTIKEY_METHOD_SUFFIX = '-multikey';

/** `did:web:…#key-1` → `did:web:…#key-1-multikey`: what Data Integrity (eddsa-rdfc-2022) proofs name. */
export function multikeyMethodId(methodId: string): string {
  return `${methodId}${MULTIKEY_METHOD_SUFFIX}`;
}

/**
 * Two methods per key, current and retired alike, so credentials signed before a rotation still verify: an
 * Ed25519VerificationKey2020 (what Ed25519Signature2020 proofs and JWT `kid`s name) and the same public key as a
 * Multikey (what the eddsa-rdfc-2022 Data Integrity cryptosuite resolves). Only active keys are referenced for
 * authentication; every key stays an assertion method.
 */
export function buildDidWebDocument(did: string, keys: readonly DidDocumentKey[], activeKeyIds: readonly string[]): DidWebDocument {
  const methodId = (key: DidDocumentKey) => `${did}#${key.keyId}`;
  return {
    '@context': [
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/suites/ed25519-2020/v1',
      'https://w3id.org/security/multikey/v1',
    ],
    id: did,
    verificationMethod: [
      ...keys.map((key) => ({
        id: methodId(key),
        type: 'Ed25519VerificationKey2020' as const,
        controller: did,
        publicKeyMultibase: key.publicKeyMultibase,
      })),
      ...keys.map((key) => ({
        id: multikeyMethodId(methodId(key)),
        type: 'Multikey' as const,
        controller: did,
        publicKeyMultibase: key.publicKeyMultibase,
      })),
    ],
    authentication: keys.filter((key) => activeKeyIds.includes(key.keyId)).map(methodId),
    assertionMethod: [...keys.map(methodId), ...keys.map((key) => multikeyMethodId(methodId(key)))],
  };
}

// A type alias, not an interface: it must fit the document loader's open DidDocument shape.
export type DidWebDocument = {
  '@context': string[];
  id: string;
  verificationMethod: Array<{ id: string; type: 'Ed25519VerificationKey2020' | 'Multikey'; controller: string; publicKeyMultibase: string }>;
  authentication: string[];
  assertionMethod: string[];
};
