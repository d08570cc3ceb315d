// `credence/client` for any runtime (browsers, edge workers, Deno, Bun, Node): keys, auth tokens, signed payloads,
// the typed GraphQL client, JWT presentations, webhook signature checks and the credential shape check. Imports
// nothing Node-only and none of the service's modules beyond the pure, dependency-free shape check; a test bundles it
// for the browser. Node gets index.ts, which adds key files and JSON-LD presentations.
export {
  CREDENCE_RECEIPT_CONTEXT,
  cosignReceipt,
  generateSigningKey,
  keyPairFromKeyFile,
  keyPairFromSeed,
  mintAuthToken,
  receiptHash,
  signSettlementEvent,
  signTaskReceipt,
  toKeyFile,
  withDid,
  type Ed25519KeyPair,
  type KeyFile,
  type MintTokenOptions,
  type SettlementInput,
  type SigningKey,
  type TaskReceiptInput,
} from './signing.ts';
export { createCredenceClient, CredenceClientError, type CredenceClient, type CredenceClientErrorCode, type CredenceClientOptions } from './credence-client.ts';
export type * from './types.ts';
export { createPresentation, MAX_PRESENTATION_BINDING, type CreatePresentationOptions, type PresentationFormat } from './presentation-core.ts';
export {
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  WEBHOOK_SIGNATURE_HEADER,
  verifyWebhookSignature,
  type VerifyWebhookSignatureInput,
  type WebhookSignatureFailure,
  type WebhookSignatureResult,
} from './webhook-signature.ts';
export {
  CREDENTIAL_LIMITS,
  checkJsonLdCredentialShape,
  checkJsonLdPresentationShape,
  checkJwtCredentialShape,
  checkJwtPresentationShape,
  checkStatusListShape,
  type ShapeProblem,
} from '../credentials/credential-shape.ts';
