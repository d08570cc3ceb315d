// Checking `X-Credence-Signature` on a webhook delivery, for receivers on any runtime: the same rules as the
// service's src/webhooks/signature.ts (a test checks both agree), with HMAC-SHA256 from @noble/hashes instead of
// node:crypto.
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { utf8Bytes } from './keys.ts';

/** The header carrying the signature on every webhook delivery. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Credence-Signature';

/** Default allowed distance between the signature timestamp and the receiver's clock, in seconds. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/** Longest header value the verifier looks at; anything longer is refused before parsing. */
const MAX_HEADER_LENGTH = 4096;

export type WebhookSignatureFailure = 'missing_header' | 'malformed_header' | 'timestamp_out_of_tolerance' | 'signature_mismatch';

export type WebhookSignatureResult = { ok: true; timestamp: number } | { ok: false; reason: WebhookSignatureFailure; message: string };

export interface VerifyWebhookSignatureInput {
  /** The platform's webhook secret. */
  secret: string;
  /** The request body exactly as received (before any JSON parsing). */
  rawBody: string | Uint8Array;
  /** The `X-Credence-Signature` header value. */
  header: string | null | undefined;
  /** The receiver's current time in unix seconds. */
  nowSeconds: number;
  /** Allowed clock distance in seconds (default 300). */
  toleranceSeconds?: number;
}

function expectedMac(secret: string, timestamp: number, rawBody: string | Uint8Array): Uint8Array {
  const mac = hmac.create(sha256, utf8Bytes(secret));
  mac.update(utf8Bytes(`${timestamp}.`));
  mac.update(typeof rawBody === 'string' ? utf8Bytes(rawBody) : rawBody);
  return mac.digest();
}

function bytesFromHex(hex: string): Uint8Array {
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

/** Equal lengths assumed; looks at every byte whatever the first difference, so timing reveals nothing. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function parseHeader(header: string): { timestamp: number; signatures: string[] } | null {
  if (header.length > MAX_HEADER_LENGTH) return null;
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== null || !/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return null;
      signatures.push(value.toLowerCase());
    }
    // Unknown schemes are ignored so that new ones can be added next to v1.
  }
  if (timestamp === null || signatures.length === 0) return null;
  return { timestamp, signatures };
}

/**
 * Verifies an `X-Credence-Signature` header against the raw body: the timestamp must be within `toleranceSeconds`
 * of `nowSeconds` and one `v1` value must equal the HMAC (compared in constant time).
 */
export function verifyWebhookSignature(input: VerifyWebhookSignatureInput): WebhookSignatureResult {
  const { secret, rawBody, header, nowSeconds } = input;
  const tolerance = input.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('webhook secret must be a non-empty string');
  if (header === null || header === undefined || header === '') {
    return { ok: false, reason: 'missing_header', message: `${WEBHOOK_SIGNATURE_HEADER} header is missing` };
  }
  const parsed = typeof header === 'string' ? parseHeader(header) : null;
  if (!parsed) {
    return { ok: false, reason: 'malformed_header', message: `${WEBHOOK_SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<64 hex characters>` };
  }
  if (!Number.isFinite(nowSeconds) || Math.abs(Math.floor(nowSeconds) - parsed.timestamp) > tolerance) {
    return { ok: false, reason: 'timestamp_out_of_tolerance', message: `signature timestamp is more than ${tolerance} seconds away from now` };
  }
  const expected = expectedMac(secret, parsed.timestamp, rawBody);
  let matched = false;
  for (const candidate of parsed.signatures) {
    if (constantTimeEqual(bytesFromHex(candidate), expected)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'signature_mismatch', message: 'signature does not match the body and secret' };
  return { ok: true, timestamp: parsed.timestamp };
}
