// `credence/client`: helpers for marketplaces and agents integrating with a Credence service.
export {
  CREDENCE_RECEIPT_CONTEXT,
  cosignReceipt,
  generateSigningKey,
  keyPairFromKeyFile,
  mintAuthToken,
  readKeyFile,
  receiptHash,
  signSettlementEvent,
  signTaskReceipt,
  withDid,
  writeKeyFile,
  type SettlementInput,
  type SigningKey,
  type TaskReceiptInput,
} from './signing.ts';
export { createCredenceClient, CredenceClientError, type CredenceClient, type CredenceClientErrorCode, type CredenceClientOptions } from './credence-client.ts';
export type * from './types.ts';
export { createPresentation, MAX_PRESENTATION_BINDING, type CreatePresentationOptions, type PresentationFormat } from './presentation.ts';
export {
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  WEBHOOK_SIGNATURE_HEADER,
  verifyWebhookSignature,
  type VerifyWebhookSignatureInput,
  type WebhookSignatureFailure,
  type WebhookSignatureResult,
} from '../webhooks/signature.ts';
export {
  CREDENTIAL_LIMITS,
  checkJsonLdCredentialShape,
  checkJsonLdPresentationShape,
  checkJwtCredentialShape,
  checkJwtPresentationShape,
  checkStatusListShape,
  type ShapeProblem,
} from '../credentials/credential-shape.ts';
