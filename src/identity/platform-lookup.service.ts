// How other domains read platforms: on the database handle or transaction they pass in, so a receipt, settlement or
// webhook change sees (and, where it asks, share-locks) the platform row inside its own transaction. Other domains'
// services use these and never the platform repository itself.
import type { Db } from '../db/database.ts';
import type { PlatformRow } from '../db/schema.ts';
import { createPlatformRepository } from './platform.repository.ts';

export function platformLookup(db: Db) {
  const platforms = createPlatformRepository(db);
  return {
    /** The registered platforms among `dids` (any order; unknown DIDs are left out). */
    byDids(dids: readonly string[]): Promise<PlatformRow[]> {
      return platforms.findByDids(dids);
    },
    /** One platform, or undefined when the DID is not registered. */
    async byDid(did: string): Promise<PlatformRow | undefined> {
      const [platform] = await platforms.findByDids([did]);
      return platform;
    },
    /** One platform, share-locked until the caller's transaction ends: its standing cannot change under the caller. */
    lockedForShare(did: string): Promise<PlatformRow | undefined> {
      return platforms.findForShare(did);
    },
  };
}
