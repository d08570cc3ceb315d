// `credence keygen`: a new Ed25519 key. The secret goes only to a 0600 file; stdout gets the did:key, so
// `credence keygen --out k.json > k.did` is safe to paste and to log.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { generateEd25519KeyPair } from '../../crypto/ed25519.ts';
import { toKeyFile, writeKeyFile } from '../../crypto/key-file.ts';
import { defineCommand, UsageError } from './command.ts';

/** Where keys go when --out is not given; .gitignore covers it. */
export const DEFAULT_KEY_DIR = '.credence-keys';

export const keygenCommand = defineCommand({
  name: 'keygen',
  summary: 'make an Ed25519 key, write it to a 0600 file and print its did:key',
  synopsis: ['keygen [--out FILE]'],
  description: `Make a new Ed25519 key pair. The key file (JSON: did, publicKeyMultibase and secretKey, the
base64url 32-byte seed) is written with mode 0600 and never over an existing file; stdout gets only the did:key, so
\`credence keygen --out .credence-keys/agent.json > agent.did\` keeps the DID at hand. The secret key is never
printed. Without --out the file is ${DEFAULT_KEY_DIR}/<did suffix>.json (the folder is created, mode 0700, and
ignored by git); its path is printed on stderr.`,
  options: {
    out: { type: 'string', value: 'FILE', description: `the key file to create (default ${DEFAULT_KEY_DIR}/<did suffix>.json)` },
  },
  async run(input) {
    const pair = generateEd25519KeyPair();
    const { did } = toKeyFile(pair);
    const path = input.string('out') ?? join(DEFAULT_KEY_DIR, `${did.slice('did:key:'.length)}.json`);
    if (path === '' || path === '-') throw new UsageError('--out needs a file name: keygen never prints the secret key');
    await mkdir(dirname(input.path(path)), { recursive: true, mode: 0o700 });
    try {
      await writeKeyFile(input.path(path), pair);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new Error(`${path} already exists; keygen never overwrites a key (choose another --out or remove the file)`);
      }
      throw error;
    }
    input.error(`wrote ${path} (mode 0600)`);
    input.print(did);
    return 0;
  },
});
