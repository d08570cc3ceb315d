// Ed25519 keys, did:key names and compact JWS for the client, on pure JavaScript (@noble/curves, multiformats) and
// web-standard globals (TextEncoder, btoa/atob, crypto.getRandomValues): the same code runs in Node, Deno, Bun, a
// browser or an edge worker. The service's own signing (src/crypto/) stays on node:crypto, which is faster there.
import { ed25519 } from '@noble/curves/ed25519';
import { base58btc } from 'multiformats/bases/base58';

export interface Ed25519KeyPair {
  /** 32-byte public key. */
  publicKey: Uint8Array;
  /** 32-byte private seed. */
  secretKey: Uint8Array;
}

/** The JSON key file `credence keygen` writes. */
export interface KeyFile {
  did: string;
  publicKeyMultibase: string;
  /** base64url of the 32-byte Ed25519 seed. */
  secretKey: string;
}

/** Multicodec prefix for an Ed25519 public key (0xed, varint-encoded). */
const ED25519_PUB_MULTICODEC = Uint8Array.from([0xed, 0x01]);

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export const utf8Bytes = (text: string): Uint8Array => encoder.encode(text);

export function base64urlFromBytes(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function bytesFromBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export const base64urlFromText = (text: string): string => base64urlFromBytes(utf8Bytes(text));
export const textFromBase64url = (text: string): string => decoder.decode(bytesFromBase64url(text));

/** A version 4 UUID from the platform's cryptographic random source. */
export const randomUuid = (): string => globalThis.crypto.randomUUID();

export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  return { publicKey: ed25519.getPublicKey(seed), secretKey: Uint8Array.from(seed) };
}

/** A fresh key from 32 random bytes. */
export function generateKeyPair(): Ed25519KeyPair {
  return keyPairFromSeed(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

/** `z6Mk…`: multibase base58btc of the multicodec-prefixed public key. */
export function publicKeyMultibase(publicKey: Uint8Array): string {
  const bytes = new Uint8Array(ED25519_PUB_MULTICODEC.length + publicKey.length);
  bytes.set(ED25519_PUB_MULTICODEC, 0);
  bytes.set(publicKey, ED25519_PUB_MULTICODEC.length);
  return base58btc.encode(bytes);
}

export const didKeyFromPublicKey = (publicKey: Uint8Array): string => `did:key:${publicKeyMultibase(publicKey)}`;

/** What `credence keygen` writes for this key. */
export function toKeyFile(pair: Ed25519KeyPair): KeyFile {
  return { did: didKeyFromPublicKey(pair.publicKey), publicKeyMultibase: publicKeyMultibase(pair.publicKey), secretKey: base64urlFromBytes(pair.secretKey) };
}

/** The key in a parsed key file; its `did`, when present, must be this key's. */
export function keyPairFromKeyFile(file: unknown): Ed25519KeyPair {
  const secretKey = (file as Partial<KeyFile> | null)?.secretKey;
  if (typeof secretKey !== 'string') throw new Error('key file has no secretKey');
  let seed: Uint8Array;
  try {
    seed = bytesFromBase64url(secretKey);
  } catch {
    throw new Error('key file secretKey is not base64url');
  }
  const pair = keyPairFromSeed(seed);
  const did = (file as Partial<KeyFile>).did;
  if (did !== undefined && did !== didKeyFromPublicKey(pair.publicKey)) throw new Error('key file did does not match its secretKey');
  return pair;
}

/** An Ed25519 signature over `data`, base64url. */
export const signBase64url = (pair: Ed25519KeyPair, data: Uint8Array): string => base64urlFromBytes(ed25519.sign(data, pair.secretKey));

export function encodeJws(header: Record<string, unknown>, payload: Record<string, unknown>, pair: Ed25519KeyPair): string {
  const signingInput = `${base64urlFromText(JSON.stringify(header))}.${base64urlFromText(JSON.stringify(payload))}`;
  return `${signingInput}.${signBase64url(pair, utf8Bytes(signingInput))}`;
}

/** The payload of a compact JWS, unverified (the service verifies; the client only reads its own inputs). */
export function jwsPayload(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('a compact JWS has three parts');
  const payload: unknown = JSON.parse(textFromBase64url(parts[1] ?? ''));
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('the JWS payload is not a JSON object');
  return payload as Record<string, unknown>;
}
