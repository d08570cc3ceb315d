// The service's signing key: from CREDENCE_ISSUER_KEY, or generated once and kept in a 0600 file under the data
// directory. The private half never leaves this module except as a node:crypto KeyObject.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import {
  generateEd25519KeyPair,
  keyPairFromSeed,
  privateKeyObject,
  publicKeyMultibase,
  type Ed25519KeyPair,
} from '../crypto/ed25519.ts';
import { readKeyFile, writeKeyFile } from '../crypto/key-file.ts';

export interface IssuerKey {
  /** DID-document fragment; the public key's multibase, so every instance derives the same id. */
  keyId: string;
  publicKeyMultibase: string;
  publicKey: Uint8Array;
  privateKey: KeyObject;
}

export const ISSUER_KEY_FILE = 'issuer-key.json';

/** `CREDENCE_ISSUER_KEY` holds the 32-byte seed as base64url or hex. */
export function parseIssuerKeySeed(value: string): Uint8Array {
  const trimmed = value.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64url');
  if (bytes.length !== 32) throw new Error('CREDENCE_ISSUER_KEY must be a 32-byte Ed25519 seed (base64url or hex)');
  return bytes;
}

export function issuerKeyFromPair(pair: Ed25519KeyPair): IssuerKey {
  const multibase = publicKeyMultibase(pair.publicKey);
  return { keyId: multibase, publicKeyMultibase: multibase, publicKey: pair.publicKey, privateKey: privateKeyObject(pair) };
}

export async function loadIssuerKey(options: { issuerKey: string | undefined; dataDir: string }): Promise<IssuerKey> {
  if (options.issuerKey) return issuerKeyFromPair(keyPairFromSeed(parseIssuerKeySeed(options.issuerKey)));
  if (options.dataDir === 'memory://') return issuerKeyFromPair(generateEd25519KeyPair());
  const file = path.join(options.dataDir, ISSUER_KEY_FILE);
  if (existsSync(file)) return issuerKeyFromPair(await readKeyFile(file));
  await mkdir(options.dataDir, { recursive: true });
  const pair = generateEd25519KeyPair();
  try {
    await writeKeyFile(file, pair);
  } catch (error) {
    // Another process created it first: use theirs, so both sign with one key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return issuerKeyFromPair(await readKeyFile(file));
    throw error;
  }
  return issuerKeyFromPair(pair);
}
