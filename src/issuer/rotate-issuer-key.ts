// `credence keys rotate`: a new active issuer key in the keyring file, the old one retired in the database too.
// The file is written first: if the database step fails, the next start activates the file's key anyway.
import type { Db } from '../db/database.ts';
import { createIssuerKeyRepository } from './issuer-key.repository.ts';
import { rotateIssuerKeyFile, type IssuerKeyRotation } from './issuer-key.ts';

export async function rotateIssuerKey(options: { dataDir: string; db: Db; now: Date }): Promise<IssuerKeyRotation> {
  const rotation = await rotateIssuerKeyFile(options.dataDir, options.now);
  const keys = createIssuerKeyRepository(options.db);
  // The retired key may never have reached this database (the service never started on it); publish it anyway.
  await keys.rememberRetired([rotation.retired]);
  await keys.activate(rotation.active.keyId, rotation.active.publicKeyMultibase, options.now);
  return rotation;
}
