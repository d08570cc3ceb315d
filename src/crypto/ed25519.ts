// Ed25519 keys, did:key encoding and compact JWS, on node:crypto.
// node:crypto with cached KeyObjects is about ten times faster than the pure-JS signers the DID libraries default to.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
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

export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    publicKey: Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url'),
    secretKey: Buffer.from(jwk.d as string, 'base64url'),
  };
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
    if (publicKey.length !== 32) throw new DidKeyError('an Ed25519 public key is 32 bytes');
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

export function verifyBytes(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  return verify(null, data, publicKeyObject(publicKey), signature);
}

/** `z6Mk…`: multibase base58btc of the multicodec-prefixed public key. */
export function publicKeyMultibase(publicKey: Uint8Array): string {
  const bytes = new Uint8Array(ED25519_PUB_MULTICODEC.length + publicKey.length);
  bytes.set(ED25519_PUB_MULTICODEC, 0);
  bytes.set(publicKey, ED25519_PUB_MULTICODEC.length);
  return base58btc.encode(bytes);
}

export function publicKeyFromMultibase(multibase: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = base58btc.decode(multibase);
  } catch {
    throw new DidKeyError('not a base58btc multibase key');
  }
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
    throw new DidKeyError('not an Ed25519 public key');
  }
  return bytes.slice(2);
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

function decodeJsonSegment(segment: string, what: string): Record<string, unknown> {
  if (!BASE64URL.test(segment)) throw new JwsFormatError(`${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
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
  if (!BASE64URL.test(signaturePart)) throw new JwsFormatError('signature is not base64url');
  return {
    header: decodeJsonSegment(headerPart, 'header'),
    payload: decodeJsonSegment(payloadPart, 'payload'),
    signingInput: `${headerPart}.${payloadPart}`,
    signature: Buffer.from(signaturePart, 'base64url'),
  };
}

export function verifyJwsSignature(decoded: DecodedJws, publicKey: Uint8Array): boolean {
  return verifyBytes(publicKey, Buffer.from(decoded.signingInput, 'utf8'), decoded.signature);
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
