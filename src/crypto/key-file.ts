// The JSON key file `credence keygen` writes and the CLI and client helpers read.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { didKeyFromPublicKey, keyPairFromSeed, publicKeyMultibase, type Ed25519KeyPair } from './ed25519.ts';

export interface KeyFile {
  did: string;
  publicKeyMultibase: string;
  /** base64url of the 32-byte Ed25519 seed. */
  secretKey: string;
}

export function toKeyFile(pair: Ed25519KeyPair): KeyFile {
  return {
    did: didKeyFromPublicKey(pair.publicKey),
    publicKeyMultibase: publicKeyMultibase(pair.publicKey),
    secretKey: Buffer.from(pair.secretKey).toString('base64url'),
  };
}

export function keyPairFromKeyFile(file: unknown): Ed25519KeyPair {
  const secretKey = (file as Partial<KeyFile> | null)?.secretKey;
  if (typeof secretKey !== 'string') throw new Error('key file has no secretKey');
  const seed = Buffer.from(secretKey, 'base64url');
  const pair = keyPairFromSeed(seed);
  const did = (file as Partial<KeyFile>).did;
  if (did !== undefined && did !== didKeyFromPublicKey(pair.publicKey)) {
    throw new Error('key file did does not match its secretKey');
  }
  return pair;
}

export async function readKeyFile(path: string): Promise<Ed25519KeyPair> {
  return keyPairFromKeyFile(JSON.parse(await readFile(path, 'utf8')));
}

/** Written with mode 0600 (the file holds a private key) and never over an existing file. */
export async function writeKeyFile(path: string, pair: Ed25519KeyPair): Promise<void> {
  await writeFile(path, `${JSON.stringify(toKeyFile(pair), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
}
