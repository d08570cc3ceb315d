// The service's signing key: from CREDENCE_ISSUER_KEY, or generated once and kept in a 0600 file under the data
// directory. The private half never leaves this module except as a node:crypto KeyObject.
//
// The file is a keyring: the active key in the key-file shape (`did`, `publicKeyMultibase`, `secretKey`), plus
// `retired`, the public halves of the keys it replaced. `rotateIssuerKeyFile` adds a key and retires the active one.
// A retired key never signs again, so only its public half is kept: enough to keep it in the DID document (earlier
// credentials still verify) even if the database is rebuilt.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import {
  generateEd25519KeyPair,
  keyPairFromSeed,
  privateKeyObject,
  publicKeyMultibase,
  type Ed25519KeyPair,
} from '../crypto/ed25519.ts';
import { keyPairFromKeyFile, toKeyFile, writeKeyFile } from '../crypto/key-file.ts';

export interface RetiredIssuerKey {
  keyId: string;
  publicKeyMultibase: string;
  retiredAt: Date;
}

export interface IssuerKey {
  /** DID-document fragment; the public key's multibase, so every instance derives the same id. */
  keyId: string;
  publicKeyMultibase: string;
  publicKey: Uint8Array;
  privateKey: KeyObject;
  /** Keys this one replaced (from the keyring file); they stay published. */
  retired?: readonly RetiredIssuerKey[];
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
  if (existsSync(file)) return readIssuerKeyring(file);
  await mkdir(options.dataDir, { recursive: true });
  const pair = generateEd25519KeyPair();
  try {
    await writeKeyFile(file, pair);
  } catch (error) {
    // Another process created it first: use theirs, so both sign with one key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readIssuerKeyring(file);
    throw error;
  }
  return issuerKeyFromPair(pair);
}

/** Reads the keyring (a plain key file is a keyring with nothing retired). */
export async function readIssuerKeyring(file: string): Promise<IssuerKey> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as { retired?: unknown };
  const active = issuerKeyFromPair(keyPairFromKeyFile(parsed));
  const entries = parsed.retired === undefined ? [] : parsed.retired;
  if (!Array.isArray(entries)) throw new Error(`${file}: "retired" is not a list`);
  const retired = entries.map((entry: { publicKeyMultibase?: unknown; retiredAt?: unknown }) => {
    const multibase = entry?.publicKeyMultibase;
    const retiredAt = new Date(String(entry?.retiredAt));
    if (typeof multibase !== 'string' || !/^z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/.test(multibase) || Number.isNaN(retiredAt.getTime())) {
      throw new Error(`${file}: a retired key needs publicKeyMultibase (z6Mk…) and retiredAt`);
    }
    return { keyId: multibase, publicKeyMultibase: multibase, retiredAt };
  });
  return { ...active, retired };
}

export interface IssuerKeyRotation {
  active: IssuerKey;
  retired: RetiredIssuerKey;
}

/**
 * Generates a new active key in the data directory's keyring and retires the current one. The file is replaced
 * atomically (written 0600 beside it, then renamed), so a crash leaves either keyring, never a torn one.
 */
export async function rotateIssuerKeyFile(dataDir: string, now: Date): Promise<IssuerKeyRotation> {
  const file = path.join(dataDir, ISSUER_KEY_FILE);
  if (!existsSync(file)) {
    throw new Error(`no issuer key at ${file}: the service makes one on its first start; there is nothing to rotate yet`);
  }
  const current = await readIssuerKeyring(file);
  const pair = generateEd25519KeyPair();
  const retired: RetiredIssuerKey = { keyId: current.keyId, publicKeyMultibase: current.publicKeyMultibase, retiredAt: now };
  const keyring = {
    ...toKeyFile(pair),
    retired: [...(current.retired ?? []), retired].map((key) => ({
      publicKeyMultibase: key.publicKeyMultibase,
      retiredAt: key.retiredAt.toISOString(),
    })),
  };
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(keyring, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const active = issuerKeyFromPair(pair);
  return { active: { ...active, retired: [...(current.retired ?? []), retired] }, retired };
}
