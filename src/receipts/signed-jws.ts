// Verifies a compact JWS made by a did:key issuer (EdDSA) with node:crypto; the shared first step for settlement
// events, receipts and co-signatures.
import { createHash } from 'node:crypto';
import {
  decodeJws,
  isEd25519DidKey,
  publicKeyFromDidKey,
  verifyJwsSignature,
  verifyJwsSignatureOffThread,
  JwsFormatError,
  type DecodedJws,
} from '../crypto/ed25519.ts';
import { InputError, SignatureError } from '../errors.ts';

/** Signed payloads larger than this are refused before decoding. */
export const MAX_SIGNED_PAYLOAD_LENGTH = 16_384;

export interface VerifiedJws {
  issuer: string;
  payload: Record<string, unknown>;
}

interface DecodedDidKeyJws extends VerifiedJws {
  decoded: DecodedJws;
  publicKey: Uint8Array;
}

/** Every check of a did:key JWS but its signature. */
function decodeDidKeyJws(jws: unknown, what: string): DecodedDidKeyJws {
  if (typeof jws !== 'string' || jws.length === 0) throw new InputError(`${what} must be a compact JWS string`, what);
  if (jws.length > MAX_SIGNED_PAYLOAD_LENGTH) {
    throw new InputError(`${what} is longer than ${MAX_SIGNED_PAYLOAD_LENGTH} characters`, what);
  }
  let decoded;
  try {
    decoded = decodeJws(jws.trim());
  } catch (error) {
    throw new SignatureError(`${what} is malformed: ${error instanceof JwsFormatError ? error.message : 'cannot decode'}`);
  }
  if (decoded.header.alg !== 'EdDSA') throw new SignatureError(`${what} must be signed with EdDSA`);
  if (decoded.header.crit !== undefined) throw new SignatureError(`${what} uses unsupported critical headers`);
  const issuer = decoded.payload.iss;
  if (typeof issuer !== 'string' || !isEd25519DidKey(issuer)) {
    throw new SignatureError(`${what} iss must be an Ed25519 did:key`);
  }
  return { issuer, payload: decoded.payload, decoded, publicKey: publicKeyFromDidKey(issuer) };
}

function verified(signed: DecodedDidKeyJws, valid: boolean, what: string): VerifiedJws {
  if (!valid) throw new SignatureError(`${what} signature does not verify for ${signed.issuer}`);
  return { issuer: signed.issuer, payload: signed.payload };
}

export function verifyDidKeyJws(jws: unknown, what: string): VerifiedJws {
  const signed = decodeDidKeyJws(jws, what);
  return verified(signed, verifyJwsSignature(signed.decoded, signed.publicKey), what);
}

/**
 * `verifyDidKeyJws` with the signature checked on libuv's thread pool, for receipt batches: the event loop goes on
 * answering reads meanwhile, and a batch's signatures are checked in parallel. Same checks, same errors.
 */
export async function verifyDidKeyJwsOffThread(jws: unknown, what: string): Promise<VerifiedJws> {
  const signed = decodeDidKeyJws(jws, what);
  return verified(signed, await verifyJwsSignatureOffThread(signed.decoded, signed.publicKey), what);
}

export function sha256Base64url(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}

/** Key order does not change the hash: the same content signed twice compares equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
