// Webhook signatures: `X-Credence-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
// Pure (node:crypto only, time passed in), shared by the delivery worker and by `credence/client` for receivers.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signature on every webhook delivery. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Credence-Signature';

/** Default allowed distance between the signature timestamp and the receiver's clock, in seconds. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/** Longest header value the verifier looks at; anything longer is refused before parsing. */
const MAX_HEADER_LENGTH = 4096;

function hmacHex(secret: string, timestamp: number, rawBody: string | Uint8Array): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(rawBody);
  return mac.digest('hex');
}

/**
 * Signs a webhook body. `rawBody` must be exactly the bytes sent; `unixSeconds` is the signing time (whole seconds).
 * Returns the value of the `X-Credence-Signature` header.
 */
export function signWebhook(secret: string, rawBody: string | Uint8Array, unixSeconds: number): string {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('webhook secret must be a non-empty string');
  if (!Number.isSafeInteger(unixSeconds) || unixSeconds < 0) {
    throw new TypeError('webhook signature timestamp must be a non-negative whole number of seconds');
  }
  return `t=${unixSeconds},v1=${hmacHex(secret, unixSeconds, rawBody)}`;
}

export type WebhookSignatureFailure =
  | 'missing_header'
  | 'malformed_header'
  | 'timestamp_out_of_tolerance'
  | 'signature_mismatch';

export type WebhookSignatureResult =
  | { ok: true; timestamp: number }
  | { ok: false; reason: WebhookSignatureFailure; message: string };

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

interface ParsedHeader {
  timestamp: number;
  signatures: string[];
}

function parseHeader(header: string): ParsedHeader | null {
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
    return {
      ok: false,
      reason: 'malformed_header',
      message: `${WEBHOOK_SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<64 hex characters>`,
    };
  }
  if (!Number.isFinite(nowSeconds) || Math.abs(Math.floor(nowSeconds) - parsed.timestamp) > tolerance) {
    return {
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      message: `signature timestamp is more than ${tolerance} seconds away from now`,
    };
  }
  const expected = Buffer.from(hmacHex(secret, parsed.timestamp, rawBody), 'hex');
  let matched = false;
  for (const candidate of parsed.signatures) {
    const given = Buffer.from(candidate, 'hex');
    // Both are 32 bytes (checked by the parser), so timingSafeEqual never throws here.
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  if (!matched) {
    return { ok: false, reason: 'signature_mismatch', message: 'signature does not match the body and secret' };
  }
  return { ok: true, timestamp: parsed.timestamp };
}
