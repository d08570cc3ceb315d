// Strict Ed25519 (security findings 8 and 9): small-order and non-canonical keys and signatures, and strict
// base64url, refused everywhere a signature is checked: bearer tokens, signed payloads (receipts, settlements,
// co-signatures) and did:key resolution.
import { ed25519 } from '@noble/curves/ed25519';
import { describe, expect, it, vi } from 'vitest';
import {
  decodeJws,
  didKeyFromPublicKey,
  encodeJws,
  generateEd25519KeyPair,
  isEd25519DidKey,
  keyPairFromSeed,
  privateKeyObject,
  publicKeyFromDidKey,
  publicKeyProblem,
  signatureProblem,
  verifyBytes,
  verifyBytesOffThread,
  verifyJwsSignature,
  JwsFormatError,
} from '../../../src/crypto/ed25519.ts';
import { checkAuthToken } from '../../../src/auth/did-auth.ts';
import { verifyDidKeyJws, verifyDidKeyJwsOffThread } from '../../../src/receipts/signed-jws.ts';

const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;
const AUDIENCE = 'did:web:localhost%3A4000';
const NOW = new Date('2026-11-01T12:00:00Z');
const NOW_S = NOW.getTime() / 1000;

const IDENTITY = Buffer.from('0100000000000000000000000000000000000000000000000000000000000000', 'hex');
// An order-8 point and a non-canonical encoding of y = 1 + p (the identity again).
const ORDER_8 = Buffer.from('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex');
const NON_CANONICAL_IDENTITY = Buffer.from('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex');

/** The encoded did:key of raw key bytes, built without the checks (what an attacker would publish). */
function rawDidKey(publicKey: Uint8Array): string {
  // didKeyFromPublicKey only encodes; it never validates.
  return didKeyFromPublicKey(publicKey);
}

/** A JWS "signed" by the identity key with R = identity, S = 0: verifies on every message under lax rules. */
function identityForgery(payload: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = Buffer.concat([IDENTITY, Buffer.alloc(32)]).toString('base64url');
  return `${header}.${body}.${signature}`;
}

function tokenPayload(did: string): Record<string, unknown> {
  return { iss: did, aud: AUDIENCE, iat: NOW_S, exp: NOW_S + 120, jti: 'jti-forged-0001' };
}

describe('finding 8: small-order Ed25519 public keys are refused', () => {
  it('the identity-point did:key is not an Ed25519 did:key and resolves to no key', () => {
    const did = rawDidKey(IDENTITY);
    expect(isEd25519DidKey(did)).toBe(false);
    expect(() => publicKeyFromDidKey(did)).toThrow(/small-order/);
  });

  it('every small-order and non-canonical key encoding is refused; real keys are accepted', () => {
    expect(publicKeyProblem(IDENTITY)).toMatch(/small-order/);
    expect(publicKeyProblem(ORDER_8)).toMatch(/small-order/);
    expect(publicKeyProblem(NON_CANONICAL_IDENTITY)).toMatch(/small-order|canonical/);
    // y = p (2^255 - 19) exactly: not a canonical field element.
    const yEqualsP = Buffer.from('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex');
    expect(publicKeyProblem(yEqualsP)).toBeDefined();
    for (let i = 0; i < 50; i++) expect(publicKeyProblem(generateEd25519KeyPair().publicKey)).toBeUndefined();
  });

  it('an accepted key is decoded once and remembered; a refused key is refused every time, never remembered', () => {
    const decode = vi.spyOn(ed25519.ExtendedPoint, 'fromHex');
    try {
      const { publicKey } = generateEd25519KeyPair();
      expect(publicKeyProblem(publicKey)).toBeUndefined();
      expect(publicKeyProblem(publicKey)).toBeUndefined();
      expect(isEd25519DidKey(didKeyFromPublicKey(publicKey))).toBe(true);
      expect(decode).toHaveBeenCalledTimes(1);
      decode.mockClear();
      // y = 2 is on no Ed25519 point: decoded, and refused, each time.
      const offCurve = Buffer.alloc(32);
      offCurve[0] = 2;
      for (let i = 0; i < 3; i++) expect(publicKeyProblem(offCurve)).toMatch(/canonical/);
      expect(decode).toHaveBeenCalledTimes(3);
    } finally {
      decode.mockRestore();
    }
  });

  it('the all-zero-S signature of the identity key verifies for no message', () => {
    const signature = Buffer.concat([IDENTITY, Buffer.alloc(32)]);
    expect(verifyBytes(IDENTITY, Buffer.from('any message'), signature)).toBe(false);
    expect(signatureProblem(signature)).toMatch(/small-order R/);
  });

  it('a bearer token forged for the identity did:key is refused', () => {
    const forged = identityForgery(tokenPayload(rawDidKey(IDENTITY)));
    expect(() => checkAuthToken(forged, AUDIENCE, NOW)).toThrow(/Ed25519 did:key/);
  });

  it('a signed payload (receipt, settlement, co-signature) forged for the identity did:key is refused', async () => {
    const forged = identityForgery({ iss: rawDidKey(IDENTITY), type: 'credence.task_receipt/v1' });
    expect(() => verifyDidKeyJws(forged, 'receipt')).toThrow(/Ed25519 did:key/);
    await expect(verifyDidKeyJwsOffThread(forged, 'receipt')).rejects.toThrow(/Ed25519 did:key/);
    const signature = Buffer.concat([IDENTITY, Buffer.alloc(32)]);
    expect(await verifyBytesOffThread(IDENTITY, Buffer.from('any message'), signature)).toBe(false);
  });
});

/** The same signature with S + L in place of S (little-endian), which lax verifiers accept. */
function withSPlusL(signature: Uint8Array): Buffer {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i]!);
  let sPlusL = s + GROUP_ORDER;
  const malleated = Buffer.from(signature);
  for (let i = 32; i < 64; i++) {
    malleated[i] = Number(sPlusL & 0xffn);
    sPlusL >>= 8n;
  }
  return malleated;
}

describe('finding 9: signature malleability', () => {
  const pair = keyPairFromSeed(Buffer.alloc(32, 9));
  const did = didKeyFromPublicKey(pair.publicKey);
  const token = encodeJws({ alg: 'EdDSA', typ: 'JWT' }, tokenPayload(did), privateKeyObject(pair));
  const [head, body, signature] = token.split('.') as [string, string, string];

  /** The 16 spellings of the last character that lenient base64url decoding maps to the same signature bytes. */
  function signatureSpellings(): string[] {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.at(-1)!);
    const base = last & ~0x0f;
    return Array.from({ length: 16 }, (_, low) => `${signature.slice(0, -1)}${alphabet[base + low]}`);
  }

  it('lenient decoding would map 16 spellings to one signature; only the canonical one is accepted', () => {
    const spellings = signatureSpellings();
    expect(new Set(spellings.map((s) => Buffer.from(s, 'base64url').toString('hex'))).size).toBe(1);
    const accepted = spellings.filter((s) => {
      try {
        checkAuthToken(`${head}.${body}.${s}`, AUDIENCE, NOW);
        return true;
      } catch {
        return false;
      }
    });
    expect(accepted).toEqual([signature]);
    for (const s of spellings.filter((s) => s !== signature)) {
      expect(() => decodeJws(`${head}.${body}.${s}`)).toThrow(JwsFormatError);
    }
  });

  it('a signed payload with a re-spelled signature is refused, so it cannot pre-empt the genuine one', async () => {
    const receipt = encodeJws({ alg: 'EdDSA' }, { iss: did, type: 'credence.task_receipt/v1' }, privateKeyObject(pair));
    const [h, b, sig] = receipt.split('.') as [string, string, string];
    expect(verifyDidKeyJws(receipt, 'receipt').issuer).toBe(did);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const variant = `${sig.slice(0, -1)}${alphabet[alphabet.indexOf(sig.at(-1)!) ^ 1]}`;
    expect(() => verifyDidKeyJws(`${h}.${b}.${variant}`, 'receipt')).toThrow(/canonical base64url/);
    expect((await verifyDidKeyJwsOffThread(receipt, 'receipt')).issuer).toBe(did);
    await expect(verifyDidKeyJwsOffThread(`${h}.${b}.${variant}`, 'receipt')).rejects.toThrow(/canonical base64url/);
  });

  it('S + L (the same signature with a non-canonical S) is refused', () => {
    const decoded = decodeJws(token);
    expect(verifyJwsSignature(decoded, pair.publicKey)).toBe(true);
    const malleated = withSPlusL(decoded.signature);
    expect(signatureProblem(malleated)).toMatch(/non-canonical S/);
    expect(verifyJwsSignature({ ...decoded, signature: malleated }, pair.publicKey)).toBe(false);
  });

  it('the thread-pool check answers as the one on the event loop', async () => {
    const decoded = decodeJws(token);
    const data = Buffer.from(decoded.signingInput, 'utf8');
    const other = Buffer.from(`${decoded.signingInput}x`, 'utf8');
    const malleated = withSPlusL(decoded.signature);
    const cases: Array<[Uint8Array, Uint8Array, Uint8Array]> = [
      [pair.publicKey, data, decoded.signature],
      [pair.publicKey, other, decoded.signature],
      [pair.publicKey, data, malleated],
      [ORDER_8, data, decoded.signature],
      [pair.publicKey, data, decoded.signature.subarray(0, 63)],
    ];
    const answers = await Promise.all(cases.map(([key, message, signature]) => verifyBytesOffThread(key, message, signature)));
    expect(answers).toEqual(cases.map(([key, message, signature]) => verifyBytes(key, message, signature)));
    expect(answers).toEqual([true, false, false, false, false]);
  });

  it('padding and stray characters are refused', () => {
    expect(() => decodeJws(`${head}.${body}.${signature}=`)).toThrow(JwsFormatError);
    expect(() => decodeJws(`${head}=.${body}.${signature}`)).toThrow(JwsFormatError);
    expect(() => decodeJws(`${head}.${body}.${signature}*`)).toThrow(JwsFormatError);
    // A 65-byte "signature" decodes but never verifies.
    expect(verifyJwsSignature(decodeJws(`${head}.${body}.${signature}AA`), pair.publicKey)).toBe(false);
  });
});

describe('key generation', () => {
  it('generates thousands of keys without hanging (no generateKeyPairSync + JWK export)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) seen.add(didKeyFromPublicKey(generateEd25519KeyPair().publicKey));
    expect(seen.size).toBe(3000);
  });

  it('hands every caller of a remembered did:key its own copy of the key, and keeps refusing a bad one', () => {
    const pair = keyPairFromSeed(Buffer.alloc(32, 9));
    const did = didKeyFromPublicKey(pair.publicKey);
    const first = publicKeyFromDidKey(did);
    first.fill(0);
    const second = publicKeyFromDidKey(did);
    expect(Buffer.from(second)).toEqual(Buffer.from(pair.publicKey));
    expect(second).not.toBe(first);
    const smallOrder = didKeyFromPublicKey(IDENTITY);
    for (let i = 0; i < 2; i += 1) expect(() => publicKeyFromDidKey(smallOrder)).toThrow(/small-order/);
  });
});
