// `credence keys rotate|list`: the service's issuer keys.
import { loadConfig } from '../../config.ts';
import { withDatabase } from '../with-database.ts';
import { didWebFromUrl } from '../../issuer/did-web.ts';
import { createIssuerKeyRepository } from '../../issuer/issuer-key.repository.ts';
import { ISSUER_KEY_FILE } from '../../issuer/issuer-key.ts';
import { rotateIssuerKey } from '../../issuer/rotate-issuer-key.ts';
import { defineCommand, type CommandInput } from './command.ts';

export const keysCommand = defineCommand({
  name: 'keys',
  summary: "rotate or list the service's issuer keys",
  synopsis: ['keys rotate', 'keys list'],
  description: `keys rotate adds a new active issuer key to the keyring in CREDENCE_DATA_DIR/issuer-key.json (mode
0600) and retires the current one: it stays in the DID document, so earlier credentials still verify. Restart the
service afterwards to sign with the new key (with the embedded database, stop it first: one process at a time). With
CREDENCE_ISSUER_KEY set, rotate by setting it to a new 32-byte seed instead and restarting.
keys list prints each issuer key with its status (active or retired).`,
  options: {},
  positionals: { name: 'rotate|list', min: 1, max: 1, choices: ['rotate', 'list'] },
  run: (input) => keys(input, input.positionals[0] as 'rotate' | 'list'),
});

async function keys(input: CommandInput, action: 'rotate' | 'list'): Promise<number> {
  const config = loadConfig(input.io.env);
  const serviceDid = didWebFromUrl(config.publicUrl);
  if (action === 'rotate' && config.issuerKey) {
    // The key lives in the environment, not in a file this command could rewrite.
    input.error(
      'CREDENCE_ISSUER_KEY is set, so the issuer key comes from the environment: set it to a new 32-byte seed ' +
        '(for example the secretKey in the file `credence keygen --out FILE` writes) and restart. The service retires the previous key on start; ' +
        'it stays in the DID document.',
    );
    return 2;
  }
  return withDatabase(config, async (database) => {
    if (action === 'rotate') {
      const rotation = await rotateIssuerKey({ dataDir: config.dataDir, db: database.db, now: new Date() });
      input.error(`rotated the keyring in ${config.dataDir}/${ISSUER_KEY_FILE}; restart the service to sign with the new key`);
      input.print(
        JSON.stringify({
          active: `${serviceDid}#${rotation.active.keyId}`,
          retired: `${serviceDid}#${rotation.retired.keyId}`,
        }),
      );
      return 0;
    }
    for (const key of await createIssuerKeyRepository(database.db).list()) {
      input.print(`${key.status.padEnd(7)} ${serviceDid}#${key.key_id}`);
    }
    return 0;
  });
}
