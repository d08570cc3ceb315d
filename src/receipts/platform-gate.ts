// Only approved, non-suspended platforms' signatures count.
import type { PlatformRow } from '../db/schema.ts';
import { PlatformError } from '../errors.ts';

export function requireApprovedPlatform(did: string, platform: PlatformRow | undefined): PlatformRow {
  if (!platform) {
    throw new PlatformError('UNKNOWN_PLATFORM', `${did} is not a registered platform: register it with registerPlatform, then an admin must approve it`);
  }
  if (platform.status !== 'APPROVED') {
    throw new PlatformError(
      'PLATFORM_NOT_APPROVED',
      platform.status === 'PENDING'
        ? `platform ${did} is pending: an admin must approve it (approvePlatform) before its signatures count`
        : `platform ${did} is ${platform.status.toLowerCase()}: an admin must approve it again (approvePlatform) before its signatures count`,
    );
  }
  return platform;
}
