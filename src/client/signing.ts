// What a marketplace needs to speak to Credence: keys, auth tokens, and the signed payloads of api.md §2.
import { randomUUID } from 'node:crypto';
import { didKeyFromPublicKey, encodeJws, generateEd25519KeyPair, privateKeyObject, type Ed25519KeyPair } from '../crypto/ed25519.ts';
import { sha256Base64url } from '../receipts/signed-jws.ts';
import { RECEIPT_TYPE, VC_V1_CONTEXT } from '../receipts/receipt-verification.ts';
import type { ReceiptClaim } from '../receipts/payload-schemas.ts';
import type { SettlementEventPayload } from '../receipts/payload-schemas.ts';

export { mintAuthToken } from '../auth/mint-token.ts';
export { readKeyFile, writeKeyFile, keyPairFromKeyFile } from '../crypto/key-file.ts';

/** Receipts name this context next to the W3C one. */
export const CREDENCE_RECEIPT_CONTEXT = 'https://credence.dev/contexts/credence/v1';

export interface SigningKey extends Ed25519KeyPair {
  did: string;
}

export function generateSigningKey(): SigningKey {
  const pair = generateEd25519KeyPair();
  return withDid(pair);
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
      jti: options.jti ?? `evt_${randomUUID()}`,
      settlement,
    },
    privateKeyObject(platform),
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
      jti: `urn:uuid:${options.receiptId ?? randomUUID()}`,
      vc: {
        '@context': [VC_V1_CONTEXT, CREDENCE_RECEIPT_CONTEXT],
        type: ['VerifiableCredential', RECEIPT_TYPE],
        credentialSubject: { id: subject, receipt },
      },
    },
    privateKeyObject(platform),
  );
}

/** base64url SHA-256 of the receipt JWT: what a co-signature covers. */
export const receiptHash = (receiptJwt: string): string => sha256Base64url(receiptJwt.trim());

/** The counterparty's co-signature over a receipt. */
export function cosignReceipt(counterparty: Ed25519KeyPair, receiptJwt: string, options: { now?: Date } = {}): string {
  const payload = JSON.parse(Buffer.from(receiptJwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti?: unknown };
  if (typeof payload.jti !== 'string') throw new Error('receipt has no jti');
  return encodeJws(
    HEADER,
    { iss: didKeyFromPublicKey(counterparty.publicKey), sub: payload.jti, receiptHash: receiptHash(receiptJwt), iat: seconds(options.now ?? new Date()) },
    privateKeyObject(counterparty),
  );
}
