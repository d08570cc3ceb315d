// Ed25519 keys, did:key encoding and compact JWS, on node:crypto.
// node:crypto with cached KeyObjects is about ten times faster than the pure-JS signers the DID libraries default to.
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { base58btc } from 'multiformats/bases/base58';

/** Multicodec prefix for an Ed25519 public key (0xed, varint-encoded). */
const ED25519_PUB_MULTICODEC = Uint8Array.from([0xed, 0x01]);

export interface Ed25519KeyPair {
  /** 32-byte public key. */
  publicKey: Uint8Array;
  /** 32-byte private seed. */
  secretKey: Uint8Array;
}

export class DidKeyError extends Error {
  override name = 'DidKeyError';
}

/**
 * A fresh key from 32 random bytes. Not generateKeyPairSync('ed25519'): on Node 20 that followed by a JWK export can
 * deadlock the process under garbage collection within a few thousand keys.
 */
export function generateEd25519KeyPair(): Ed25519KeyPair {
  return keyPairFromSeed(randomBytes(32));
}

export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== 32) throw new DidKeyError('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({
    format: 'der',
    type: 'pkcs8',
    // PKCS#8 prefix for a raw Ed25519 seed: lets node derive the public key.
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed)]),
  });
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x as string;
  return { publicKey: Buffer.from(x, 'base64url'), secretKey: Uint8Array.from(seed) };
}

const publicKeyCache = new Map<string, KeyObject>();
const PUBLIC_KEY_CACHE_LIMIT = 10_000;

export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const cacheKey = Buffer.from(publicKey).toString('base64url');
  let keyObject = publicKeyCache.get(cacheKey);
  if (!keyObject) {
    const problem = publicKeyProblem(publicKey);
    if (problem) throw new DidKeyError(problem);
    keyObject = createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x: cacheKey } });
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_LIMIT) publicKeyCache.clear();
    publicKeyCache.set(cacheKey, keyObject);
  }
  return keyObject;
}

export function privateKeyObject(pair: Ed25519KeyPair): KeyObject {
  return createPrivateKey({
    format: 'jwk',
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      x: Buffer.from(pair.publicKey).toString('base64url'),
      d: Buffer.from(pair.secretKey).toString('base64url'),
    },
  });
}

export function signBytes(privateKey: KeyObject, data: Uint8Array): Uint8Array {
  return sign(null, data, privateKey);
}

// RFC 8032 and libsodium's stricter rules, on top of OpenSSL's verify (which accepts small-order keys): the group
// order L; S must be below it, or each signature would have a second valid form.
const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

// The small-order points' encodings, canonical and not ("Taming the many EdDSAs", table 6b). A small-order R
// or A lets one signature verify for many messages or keys.
const SMALL_ORDER_ENCODINGS = new Set(
  [
    '0100000000000000000000000000000000000000000000000000000000000000',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '0000000000000000000000000000000000000000000000000000000000000080',
    '0000000000000000000000000000000000000000000000000000000000000000',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
    '0100000000000000000000000000000000000000000000000000000000000080',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  ],
);

function littleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  return value;
}

// Decoding the point (a square root in pure-JS bigints) costs about a third of a millisecond, more than a warm trust
// read: every DID argument and every receipt's signer, subject and counterparty went through it on every request. An
// acceptable key stays acceptable, so keys found acceptable are remembered (the oldest forgotten first).
const ACCEPTED_PUBLIC_KEY_LIMIT = 50_000;
const acceptedPublicKeys = new Set<string>();

/**
 * Why these 32 bytes are not an acceptable Ed25519 public key, or undefined: the encoding must be canonical
 * (y below the field prime, no sign bit on x = 0) and the point must not have small order.
 */
export function publicKeyProblem(publicKey: Uint8Array): string | undefined {
  if (publicKey.length !== 32) return 'an Ed25519 public key is 32 bytes';
  const hex = Buffer.from(publicKey).toString('hex');
  if (acceptedPublicKeys.has(hex)) return undefined;
  if (SMALL_ORDER_ENCODINGS.has(hex)) return 'a small-order Ed25519 public key';
  let point;
  try {
    point = ed25519.ExtendedPoint.fromHex(publicKey, false);
  } catch {
    return 'not a canonical Ed25519 point encoding';
  }
  if (point.isSmallOrder()) return 'a small-order Ed25519 public key';
  if (acceptedPublicKeys.size >= ACCEPTED_PUBLIC_KEY_LIMIT) acceptedPublicKeys.delete(acceptedPublicKeys.keys().next().value!);
  acceptedPublicKeys.add(hex);
  return undefined;
}

/** Why a 64-byte signature is malformed before any curve work, or undefined: canonical S, no small-order R. */
export function signatureProblem(signature: Uint8Array): string | undefined {
  if (signature.length !== 64) return 'an Ed25519 signature is 64 bytes';
  if (littleEndian(signature.subarray(32)) >= GROUP_ORDER) return 'non-canonical S';
  if (SMALL_ORDER_ENCODINGS.has(Buffer.from(signature.subarray(0, 32)).toString('hex'))) return 'a small-order R';
  return undefined;
}

/** The key to verify `signature` with, or null when the signature or the key is refused before any curve work. */
function verificationKey(publicKey: Uint8Array, signature: Uint8Array): KeyObject | null {
  if (signatureProblem(signature)) return null;
  try {
    return publicKeyObject(publicKey);
  } catch {
    return null;
  }
}

/** RFC 8032 verification with canonical S, and small-order or non-canonical keys and R refused. */
export function verifyBytes(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  const keyObject = verificationKey(publicKey, signature);
  return keyObject !== null && verify(null, data, keyObject, signature);
}

/**
 * `verifyBytes` with the curve work on libuv's thread pool (node:crypto's callback form): a batch of 500 receipts
 * held the event loop for about 60 ms of signature checks, during which no read was answered.
 */
export function verifyBytesOffThread(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const keyObject = verificationKey(publicKey, signature);
  if (keyObject === null) return Promise.resolve(false);
  return new Promise((resolve, reject) => verify(null, data, keyObject, signature, (error, valid) => (error ? reject(error) : resolve(valid))));
}

/** `z6Mk…`: multibase base58btc of the multicodec-prefixed public key. */
export function publicKeyMultibase(publicKey: Uint8Array): string {
  const bytes = new Uint8Array(ED25519_PUB_MULTICODEC.length + publicKey.length);
  bytes.set(ED25519_PUB_MULTICODEC, 0);
  bytes.set(publicKey, ED25519_PUB_MULTICODEC.length);
  return base58btc.encode(bytes);
}

// Keys decoded from their multibase text, found acceptable: base58 decoding is quadratic in pure JS and was about 5% of
// a receipt batch's CPU, which names the same signer, subjects and counterparties again and again. Callers get a
// copy, so none can change what the next one gets. The oldest is forgotten first.
const DECODED_KEY_LIMIT = 50_000;
const decodedKeys = new Map<string, Uint8Array>();

export function publicKeyFromMultibase(multibase: string): Uint8Array {
  const known = decodedKeys.get(multibase);
  if (known !== undefined) return known.slice();
  let bytes: Uint8Array;
  try {
    bytes = base58btc.decode(multibase);
  } catch {
    throw new DidKeyError('not a base58btc multibase key');
  }
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
    throw new DidKeyError('not an Ed25519 public key');
  }
  const publicKey = bytes.slice(2);
  const problem = publicKeyProblem(publicKey);
  if (problem) throw new DidKeyError(problem);
  if (decodedKeys.size >= DECODED_KEY_LIMIT) decodedKeys.delete(decodedKeys.keys().next().value!);
  decodedKeys.set(multibase, publicKey);
  return publicKey.slice();
}

export function didKeyFromPublicKey(publicKey: Uint8Array): string {
  return `did:key:${publicKeyMultibase(publicKey)}`;
}

const DID_KEY_PATTERN = /^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/;

export function isEd25519DidKey(did: string): boolean {
  if (!DID_KEY_PATTERN.test(did)) return false;
  try {
    publicKeyFromDidKey(did);
    return true;
  } catch {
    return false;
  }
}

/** Accepts `did:key:z…` and `did:key:z…#z…` (a verification method id). */
export function publicKeyFromDidKey(didOrKid: string): Uint8Array {
  const did = didOrKid.split('#')[0] ?? '';
  if (!did.startsWith('did:key:')) throw new DidKeyError('not a did:key');
  return publicKeyFromMultibase(did.slice('did:key:'.length));
}

export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Uint8Array;
}

export class JwsFormatError extends Error {
  override name = 'JwsFormatError';
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Strict base64url (RFC 4648 section 3.5, no padding): the unused low bits of the last character must be zero, so each
 * byte string has exactly one accepted encoding. Lenient decoding gave a signature 16 spellings, each a different
 * token with the same meaning.
 */
export function decodeBase64urlStrict(segment: string, what: string): Buffer {
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) throw new JwsFormatError(`${what} is not base64url`);
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.toString('base64url') !== segment) throw new JwsFormatError(`${what} is not canonical base64url`);
  return bytes;
}

function decodeJsonSegment(segment: string, what: string): Record<string, unknown> {
  const bytes = decodeBase64urlStrict(segment, what);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new JwsFormatError(`${what} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JwsFormatError(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function decodeJws(token: string): DecodedJws {
  if (typeof token !== 'string') throw new JwsFormatError('a JWS is a string');
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwsFormatError('a compact JWS has three parts');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const signature = decodeBase64urlStrict(signaturePart, 'signature');
  return {
    header: decodeJsonSegment(headerPart, 'header'),
    payload: decodeJsonSegment(payloadPart, 'payload'),
    signingInput: `${headerPart}.${payloadPart}`,
    signature,
  };
}

export function verifyJwsSignature(decoded: DecodedJws, publicKey: Uint8Array): boolean {
  return verifyBytes(publicKey, Buffer.from(decoded.signingInput, 'utf8'), decoded.signature);
}

/** `verifyJwsSignature` off the event loop (see verifyBytesOffThread). */
export function verifyJwsSignatureOffThread(decoded: DecodedJws, publicKey: Uint8Array): Promise<boolean> {
  return verifyBytesOffThread(publicKey, Buffer.from(decoded.signingInput, 'utf8'), decoded.signature);
}

export function encodeJws(header: Record<string, unknown>, payload: Record<string, unknown>, privateKey: KeyObject): string {
  const signingInput = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = signBytes(privateKey, Buffer.from(signingInput, 'utf8'));
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
}

/** A did-jwt compatible signer over a cached node:crypto key. */
export function nodeEdDsaSigner(privateKey: KeyObject): (data: string | Uint8Array) => Promise<string> {
  return async (data) => {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    return Buffer.from(signBytes(privateKey, bytes)).toString('base64url');
  };
}
