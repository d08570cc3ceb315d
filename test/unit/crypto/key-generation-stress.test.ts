// Key generation must never hang. On Node 20, generateKeyPairSync('ed25519') followed by a JWK export deadlocked the
// process within a few thousand keys (a garbage collection inside the export waited on a mutex a key-generation job
// held). Keys now come from 32 random bytes; this runs 100,000 of them in a child process so a hang ends as a killed
// child and a failed test instead of a stuck suite.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const KEYS = 100_000;
// Generous on a loaded machine (about 45 s unloaded): the limit only turns a hang into a failure.
const CHILD_LIMIT_MS = 600_000;
const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('key generation under stress', () => {
  it(`generates ${KEYS.toLocaleString('en')} distinct keys in a child process without hanging`, { timeout: CHILD_LIMIT_MS + 60_000 }, async () => {
    const script = `
      import { createHash } from 'node:crypto';
      import { didKeyFromPublicKey, generateEd25519KeyPair } from './src/crypto/ed25519.ts';
      const seen = new Set();
      for (let i = 0; i < ${KEYS}; i++) {
        // A short digest keeps the set small; a repeated key would repeat it.
        seen.add(createHash('sha256').update(didKeyFromPublicKey(generateEd25519KeyPair().publicKey)).digest('base64').slice(0, 16));
      }
      process.stdout.write(JSON.stringify({ distinct: seen.size }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      timeout: CHILD_LIMIT_MS,
      killSignal: 'SIGKILL',
    });
    expect(JSON.parse(stdout)).toEqual({ distinct: KEYS });
  });
});
