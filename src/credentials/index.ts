// The pure verifiable-credentials library: build, issue (JWT, JSON-LD and Data Integrity), publish revocations, verify.
// Clock, keys, DID documents and status lists are always passed in; nothing here touches a database or the network.
export * from './contexts.ts';
export * from './credential-shape.ts';
export * from './credential-types.ts';
export * from './credential-status.ts';
export * from './data-integrity.ts';
export * from './dates.ts';
export * from './document-loader.ts';
export * from './signing-key.ts';
export * from './jsonld-credential.ts';
export * from './jsonld-proof.ts';
export * from './jwt-credential.ts';
export * from './presentation.ts';
export * from './schema-validation.ts';
export * from './status-list.ts';
export * from './verification-result.ts';
export * from './verify.ts';
