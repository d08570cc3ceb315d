// Reading a key file for a command, with errors that say what to do.
import { resolve } from 'node:path';
import { readKeyFile } from '../../crypto/key-file.ts';
import type { Ed25519KeyPair } from '../../crypto/ed25519.ts';

/** `path` as given on the command line (messages name it so), read from `cwd`. */
export async function readKeyFileForCommand(path: string, cwd: string = process.cwd()): Promise<Ed25519KeyPair> {
  try {
    return await readKeyFile(resolve(cwd, path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${path}: no such key file; make one with \`credence keygen --out ${path}\``, { cause: error });
    }
    if (error instanceof SyntaxError) throw new Error(`${path} is not a key file written by \`credence keygen\` (not JSON)`, { cause: error });
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
