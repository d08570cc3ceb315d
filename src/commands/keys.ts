// `credence keys rotate|list`: the service's issuer keys.
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { didWebFromUrl } from '../identity/did-web.ts';
import { createIssuerKeyRepository } from '../identity/issuer-key.repository.ts';
import { ISSUER_KEY_FILE } from '../identity/issuer-key.ts';
import { rotateIssuerKey } from '../identity/rotate-issuer-key.ts';

export const KEYS_USAGE = `  keys rotate                    add a new active issuer key and retire the current one (it stays in the DID
                                 document, so earlier credentials still verify); restart the service afterwards
  keys list                      the issuer keys and their status`;

export async function keysCommand(args: string[]): Promise<number> {
  const [action] = args;
  if (action !== 'rotate' && action !== 'list') {
    console.error(`keys needs rotate or list\n\n${KEYS_USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const serviceDid = didWebFromUrl(config.publicUrl);
  if (action === 'rotate' && config.issuerKey) {
    // The key lives in the environment, not in a file this command could rewrite.
    console.error(
      'CREDENCE_ISSUER_KEY is set, so the issuer key comes from the environment: set it to a new 32-byte seed ' +
        '(for example the secretKey of `credence keygen`) and restart. The service retires the previous key on start; ' +
        'it stays in the DID document.',
    );
    return 2;
  }
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    if (action === 'rotate') {
      const rotation = await rotateIssuerKey({ dataDir: config.dataDir, db: database.db, now: new Date() });
      console.error(`rotated the keyring in ${config.dataDir}/${ISSUER_KEY_FILE}; restart the service to sign with the new key`);
      console.log(
        JSON.stringify({
          active: `${serviceDid}#${rotation.active.keyId}`,
          retired: `${serviceDid}#${rotation.retired.keyId}`,
        }),
      );
      return 0;
    }
    for (const key of await createIssuerKeyRepository(database.db).list()) {
      console.log(`${key.status.padEnd(7)} ${serviceDid}#${key.key_id}`);
    }
    return 0;
  } finally {
    await database.close();
  }
}
