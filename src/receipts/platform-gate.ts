// Only approved, non-suspended platforms' signatures count.
import type { PlatformRow } from '../db/schema.ts';
import { PlatformError } from '../errors.ts';

export function requireApprovedPlatform(did: string, platform: PlatformRow | undefined): PlatformRow {
  if (!platform) throw new PlatformError('UNKNOWN_PLATFORM', `${did} is not a registered platform`);
  if (platform.status !== 'APPROVED') {
    throw new PlatformError('PLATFORM_NOT_APPROVED', `platform ${did} is ${platform.status.toLowerCase()}`);
  }
  return platform;
}
