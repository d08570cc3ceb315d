// What a marketplace needs to speak to Credence: keys, auth tokens, and the signed payloads of api.md §2. Runs
// anywhere (see keys.ts); the service's verifiers accept exactly these payloads (tests sign here, verify there).
import { sha256 } from '@noble/hashes/sha2';
import type { ReceiptClaim, SettlementEventPayload } from '../receipts/payload-schemas.ts';
import {
  base64urlFromBytes,
  didKeyFromPublicKey,
  encodeJws,
  generateKeyPair,
  jwsPayload,
  randomUuid,
  utf8Bytes,
  type Ed25519KeyPair,
} from './keys.ts';

export { mintAuthToken, type MintTokenOptions } from './tokens.ts';
export { keyPairFromKeyFile, keyPairFromSeed, toKeyFile, type Ed25519KeyPair, type KeyFile } from './keys.ts';

/** Receipts name this context next to the W3C one. */
export const CREDENCE_RECEIPT_CONTEXT = 'https://credence.dev/contexts/credence/v1';
/** The W3C VC 1.1 context a receipt JWT's `vc` names first. */
const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
const RECEIPT_TYPE = 'TaskReceiptCredential';

export interface SigningKey extends Ed25519KeyPair {
  did: string;
}

export function generateSigningKey(): SigningKey {
  return withDid(generateKeyPair());
}

export function withDid(pair: Ed25519KeyPair): SigningKey {
  return { ...pair, did: didKeyFromPublicKey(pair.publicKey) };
}

const HEADER = { alg: 'EdDSA', typ: 'JWT' } as const;
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export type SettlementInput = SettlementEventPayload['settlement'];

/** A settlement event signed by the platform that runs the escrow. */
export function signSettlementEvent(platform: Ed25519KeyPair, settlement: SettlementInput, options: { jti?: string; now?: Date } = {}): string {
  return encodeJws(
    HEADER,
    {
      iss: didKeyFromPublicKey(platform.publicKey),
      iat: seconds(options.now ?? new Date()),
      jti: options.jti ?? `evt_${randomUuid()}`,
      settlement,
    },
    platform,
  );
}

export interface TaskReceiptInput extends ReceiptClaim {
  /** The agent the receipt is about. */
  subject: string;
}

/** A TaskReceiptCredential JWT VC issued by the platform about the agent. */
export function signTaskReceipt(
  platform: Ed25519KeyPair,
  input: TaskReceiptInput,
  options: { receiptId?: string; now?: Date } = {},
): string {
  const { subject, ...receipt } = input;
  return encodeJws(
    HEADER,
    {
      iss: didKeyFromPublicKey(platform.publicKey),
      sub: subject,
      nbf: seconds(options.now ?? new Date()),
      jti: `urn:uuid:${options.receiptId ?? randomUuid()}`,
      vc: {
        '@context': [VC_V1_CONTEXT, CREDENCE_RECEIPT_CONTEXT],
        type: ['VerifiableCredential', RECEIPT_TYPE],
        credentialSubject: { id: subject, receipt },
      },
    },
    platform,
  );
}

/** base64url SHA-256 of the receipt JWT: what a co-signature covers. */
export const receiptHash = (receiptJwt: string): string => base64urlFromBytes(sha256(utf8Bytes(receiptJwt.trim())));

/** The counterparty's co-signature over a receipt. */
export function cosignReceipt(counterparty: Ed25519KeyPair, receiptJwt: string, options: { now?: Date } = {}): string {
  const { jti } = jwsPayload(receiptJwt);
  if (typeof jti !== 'string') throw new Error('receipt has no jti');
  return encodeJws(
    HEADER,
    { iss: didKeyFromPublicKey(counterparty.publicKey), sub: jti, receiptHash: receiptHash(receiptJwt), iat: seconds(options.now ?? new Date()) },
    counterparty,
  );
}
