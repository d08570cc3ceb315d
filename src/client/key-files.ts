// Key files on disk (Node only; the Node build of credence/client exports these): what `credence keygen` writes.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { keyPairFromKeyFile, toKeyFile, type Ed25519KeyPair } from './keys.ts';

export async function readKeyFile(path: string): Promise<Ed25519KeyPair> {
  return keyPairFromKeyFile(JSON.parse(await readFile(path, 'utf8')));
}

/** Written with mode 0600 (the file holds a private key) and never over an existing file. */
export async function writeKeyFile(path: string, pair: Ed25519KeyPair): Promise<void> {
  await writeFile(path, `${JSON.stringify(toKeyFile(pair), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
}
