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

/**
 * One Ed25519VerificationKey2020 method per key, current and retired alike, so credentials signed before a rotation
 * still verify. Only active keys are referenced for assertion; every key stays resolvable.
 */
export function buildDidWebDocument(did: string, keys: readonly DidDocumentKey[], activeKeyIds: readonly string[]) {
  const methodId = (key: DidDocumentKey) => `${did}#${key.keyId}`;
  return {
    '@context': [
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/suites/ed25519-2020/v1',
    ],
    id: did,
    verificationMethod: keys.map((key) => ({
      id: methodId(key),
      type: 'Ed25519VerificationKey2020',
      controller: did,
      publicKeyMultibase: key.publicKeyMultibase,
    })),
    authentication: keys.filter((key) => activeKeyIds.includes(key.keyId)).map(methodId),
    assertionMethod: keys.map(methodId),
  };
}
