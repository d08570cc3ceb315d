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
