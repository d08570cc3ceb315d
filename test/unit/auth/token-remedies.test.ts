// Each token and platform refusal says how to fix it, not only what is wrong.
import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_SECONDS, checkAuthToken, verifyAuthToken } from '../../../src/auth/did-auth.ts';
import { mintAuthToken } from '../../../src/auth/mint-token.ts';
import { keyPairFromSeed } from '../../../src/crypto/ed25519.ts';
import type { PlatformRow } from '../../../src/db/schema.ts';
import { AuthError, PlatformError } from '../../../src/errors.ts';
import { requireApprovedPlatform } from '../../../src/receipts/platform-gate.ts';

const AUDIENCE = 'did:web:localhost%3A4000';
const NOW = new Date('2026-11-01T12:00:00Z');
const key = keyPairFromSeed(new Uint8Array(32).fill(7));

function refusal(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('token refusals name their remedy', () => {
  it('a wrong audience names the expected DID, --aud and CREDENCE_PUBLIC_URL', () => {
    const token = mintAuthToken(key, { audience: 'did:web:example.com', now: NOW });
    const error = refusal(() => checkAuthToken(token, AUDIENCE, NOW));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.message).toContain(`token aud must be ${AUDIENCE}`);
    expect(error.message).toContain(`credence token --aud ${AUDIENCE}`);
    expect(error.message).toContain('CREDENCE_PUBLIC_URL');
  });

  it('an expired token names the clock-skew allowance and says to mint one per request', () => {
    const token = mintAuthToken(key, { audience: AUDIENCE, now: NOW, lifetimeSeconds: 60 });
    const later = new Date(NOW.getTime() + (60 + CLOCK_SKEW_SECONDS + 1) * 1000);
    const error = refusal(() => checkAuthToken(token, AUDIENCE, later));
    expect(error.code).toBe('TOKEN_EXPIRED');
    expect(error.message).toContain(`${CLOCK_SKEW_SECONDS} s allowed for clock skew`);
    expect(error.message).toContain('mint a new one');
    // Inside the allowance it is still accepted.
    expect(checkAuthToken(token, AUDIENCE, new Date(later.getTime() - 2000)).did).toMatch(/^did:key:/);
  });

  it('a token from the future points at the clock', () => {
    const token = mintAuthToken(key, { audience: AUDIENCE, now: new Date(NOW.getTime() + (CLOCK_SKEW_SECONDS + 30) * 1000) });
    const error = refusal(() => checkAuthToken(token, AUDIENCE, NOW));
    expect(error.message).toContain(`more than ${CLOCK_SKEW_SECONDS} s ahead`);
    expect(error.message).toContain('clock');
  });

  it('a replayed token says tokens are single-use', async () => {
    const spent = new Set<string>();
    const replayStore = { spend: async (issuer: string, jti: string) => !spent.has(`${issuer} ${jti}`) && Boolean(spent.add(`${issuer} ${jti}`)) };
    const token = mintAuthToken(key, { audience: AUDIENCE, now: NOW });
    await verifyAuthToken(token, { audience: AUDIENCE, now: NOW, replayStore });
    await expect(verifyAuthToken(token, { audience: AUDIENCE, now: NOW, replayStore })).rejects.toThrow(/single-use, mint a new one/);
  });
});

describe('platform refusals name their remedy', () => {
  const did = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
  const row = (status: PlatformRow['status']) => ({ did, status }) as PlatformRow;
  const refused = (platform: PlatformRow | undefined): PlatformError => {
    try {
      requireApprovedPlatform(did, platform);
    } catch (error) {
      if (error instanceof PlatformError) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  };

  it('a pending platform: an admin must approve it', () => {
    const error = refused(row('PENDING'));
    expect(error.code).toBe('PLATFORM_NOT_APPROVED');
    expect(error.message).toContain('is pending: an admin must approve it (approvePlatform)');
  });

  it('a suspended platform: approve it again; an unknown one: register, then approval', () => {
    expect(refused(row('SUSPENDED')).message).toContain('is suspended: an admin must approve it again');
    const unknown = refused(undefined);
    expect(unknown.code).toBe('UNKNOWN_PLATFORM');
    expect(unknown.message).toContain('register it with registerPlatform, then an admin must approve it');
    expect(requireApprovedPlatform(did, row('APPROVED')).status).toBe('APPROVED');
  });
});
