// JSON-LD context URLs and the exact @context lists Credence signs with. Dependency-free, so the shape check (and a
// third party importing it) needs nothing else.

/** The canonical Credence context URL written into every credential; the service also serves it under its own URL. */
export const CREDENCE_CONTEXT_V1_URL = 'https://credence.dev/contexts/credence/v1';
/** Path under the service's public URL where the same context is served. */
export const CREDENCE_CONTEXT_V1_PATH = '/contexts/credence/v1';

export const VC_V1_CONTEXT_URL = 'https://www.w3.org/2018/credentials/v1';
export const VC_V2_CONTEXT_URL = 'https://www.w3.org/ns/credentials/v2';
/** Defines BitstringStatusListEntry for VC 1.1 documents (VC 2.0 has it built in). */
export const STATUS_LIST_V1_CONTEXT_URL = 'https://www.w3.org/ns/credentials/status/v1';
export const DID_V1_CONTEXT_URL = 'https://www.w3.org/ns/did/v1';
export const ED25519_2020_CONTEXT_URL = 'https://w3id.org/security/suites/ed25519-2020/v1';
/** Defines `Multikey`, the verification method type the Data Integrity cryptosuites resolve. */
export const MULTIKEY_V1_CONTEXT_URL = 'https://w3id.org/security/multikey/v1';
/** Data Integrity terms for VC 1.1 documents (VC 2.0 has them built in); bundled for third parties, not signed with. */
export const DATA_INTEGRITY_V2_CONTEXT_URL = 'https://w3id.org/security/data-integrity/v2';

/** JSON-LD (VC 2.0) credentials: task and reputation. */
export const JSONLD_VC_CONTEXTS = [VC_V2_CONTEXT_URL, ED25519_2020_CONTEXT_URL, CREDENCE_CONTEXT_V1_URL] as const;
/** Data Integrity (VC 2.0, eddsa-rdfc-2022) credentials: VC 2.0 defines DataIntegrityProof, so no suite context. */
export const DATA_INTEGRITY_VC_CONTEXTS = [VC_V2_CONTEXT_URL, CREDENCE_CONTEXT_V1_URL] as const;
/** The `vc` claim of JWT credentials: did-jwt-vc requires the VC 1.1 context first; the status context defines BitstringStatusListEntry for it. */
export const JWT_VC_CONTEXTS = [VC_V1_CONTEXT_URL, STATUS_LIST_V1_CONTEXT_URL, CREDENCE_CONTEXT_V1_URL] as const;
/** BitstringStatusListCredentials. */
export const STATUS_LIST_CONTEXTS = [VC_V2_CONTEXT_URL, ED25519_2020_CONTEXT_URL] as const;
/** JSON-LD presentations. */
export const JSONLD_VP_CONTEXTS = [VC_V2_CONTEXT_URL, ED25519_2020_CONTEXT_URL] as const;
/** The `vp` claim of JWT presentations. */
export const JWT_VP_CONTEXTS = [VC_V1_CONTEXT_URL] as const;
