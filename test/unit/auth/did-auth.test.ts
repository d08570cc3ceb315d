import { describe, expect, it } from 'vitest';
import { createJWT, EdDSASigner } from 'did-jwt';
import { verifyAuthToken, bearerToken, type ReplayStore } from '../../../src/auth/did-auth.ts';
import { AuthError } from '../../../src/errors.ts';
import { newKey } from '../../helpers/test-app.ts';

const AUDIENCE = 'did:web:localhost%3A4000';
const NOW = new Date('2026-11-01T12:00:00Z');
const NOW_S = NOW.getTime() / 1000;

function memoryReplayStore(): ReplayStore & { spent: Set<string> } {
  const spent = new Set<string>();
  return {
    spent,
    async spend(issuer, jti) {
      const key = `${issuer} ${jti}`;
      if (spent.has(key)) return false;
      spent.add(key);
      return true;
    },
  };
}

const agent = newKey();

async function token(payload: Record<string, unknown>, key = agent): Promise<string> {
  return createJWT(
    { aud: AUDIENCE, iat: NOW_S, exp: NOW_S + 120, jti: `jti-${Math.random().toString(36).slice(2)}`, ...payload },
    { issuer: key.did, signer: EdDSASigner(key.secretKey) },
    { alg: 'EdDSA' },
  );
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AuthError) return error.code;
    throw error;
  }
  return 'OK';
}

function encode(part: object): string {
  return Buffer.from(JSON.stringify(part)).toString('base64url');
}

describe('DID-JWT auth with a pinned clock', () => {
  const verify = (jwt: string, store = memoryReplayStore(), now = NOW) =>
    verifyAuthToken(jwt, { audience: AUDIENCE, now, replayStore: store });

  it('accepts a did-jwt token signed by its did:key issuer', async () => {
    const verified = await verify(await token({}));
    expect(verified.did).toBe(agent.did);
  });

  it('accepts tokens within the 60 s skew on either side', async () => {
    expect(await codeOf(verify(await token({ iat: NOW_S + 50, exp: NOW_S + 200 })))).toBe('OK');
    expect(await codeOf(verify(await token({ iat: NOW_S - 200, exp: NOW_S - 30 })))).toBe('OK');
  });

  it('rejects an expired token with TOKEN_EXPIRED', async () => {
    expect(await codeOf(verify(await token({ iat: NOW_S - 300, exp: NOW_S - 61 })))).toBe('TOKEN_EXPIRED');
  });

  it('rejects a token that is not yet valid', async () => {
    expect(await codeOf(verify(await token({ iat: NOW_S + 61, exp: NOW_S + 200 })))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verify(await token({ nbf: NOW_S + 120 })))).toBe('UNAUTHENTICATED');
  });

  it('rejects a lifetime over 300 s and tokens without iat or exp', async () => {
    expect(await codeOf(verify(await token({ exp: NOW_S + 301 })))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verify(await token({ exp: undefined })))).toBe('UNAUTHENTICATED');
  });

  it('rejects the wrong audience', async () => {
    expect(await codeOf(verify(await token({ aud: 'did:web:elsewhere.example' })))).toBe('UNAUTHENTICATED');
  });

  it('rejects a bad signature and a tampered payload', async () => {
    const jwt = await token({});
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    expect(await codeOf(verify(`${header}.${payload}.${flipped}`))).toBe('UNAUTHENTICATED');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const tampered = encode({ ...claims, exp: claims.exp + 10 });
    expect(await codeOf(verify(`${header}.${tampered}.${signature}`))).toBe('UNAUTHENTICATED');
  });

  it('rejects a token signed by another key than its issuer', async () => {
    const other = newKey();
    const forged = await createJWT(
      { aud: AUDIENCE, iat: NOW_S, exp: NOW_S + 60, jti: 'forged-token-1' },
      { issuer: agent.did, signer: EdDSASigner(other.secretKey) },
      { alg: 'EdDSA' },
    );
    expect(await codeOf(verify(forged))).toBe('UNAUTHENTICATED');
  });

  it('rejects a replayed token with TOKEN_REPLAYED', async () => {
    const store = memoryReplayStore();
    const jwt = await token({});
    expect(await codeOf(verify(jwt, store))).toBe('OK');
    expect(await codeOf(verify(jwt, store))).toBe('TOKEN_REPLAYED');
  });

  it('rejects malformed tokens', async () => {
    for (const junk of ['', 'abc', 'a.b', 'a.b.c.d', '!!!.???.***', `${encode({ alg: 'EdDSA' })}.notjson.sig`, 'x'.repeat(5000)]) {
      expect(await codeOf(verify(junk)), junk.slice(0, 20)).toBe('UNAUTHENTICATED');
    }
  });

  it('rejects alg none and other algorithms', async () => {
    const payload = encode({ iss: agent.did, aud: AUDIENCE, iat: NOW_S, exp: NOW_S + 60, jti: 'unsigned-token' });
    const none = `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    await expect(verify(none)).rejects.toThrow(/alg "none"/);
    const hs256 = `${encode({ alg: 'HS256', typ: 'JWT' })}.${payload}.${Buffer.from('mac').toString('base64url')}`;
    await expect(verify(hs256)).rejects.toThrow(/HS256/);
  });

  it('rejects issuers that are not Ed25519 did:key', async () => {
    const jwt = await createJWT(
      { aud: AUDIENCE, iat: NOW_S, exp: NOW_S + 60, jti: 'foreign-method' },
      { issuer: 'did:web:example.com', signer: EdDSASigner(agent.secretKey) },
      { alg: 'EdDSA' },
    );
    await expect(verify(jwt)).rejects.toThrow(/did:key/);
  });

  it('rejects a short or missing jti', async () => {
    expect(await codeOf(verify(await token({ jti: 'short' })))).toBe('UNAUTHENTICATED');
    expect(await codeOf(verify(await token({ jti: undefined })))).toBe('UNAUTHENTICATED');
  });

  it('parses the Authorization header strictly', () => {
    expect(bearerToken(null)).toBeNull();
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(() => bearerToken('Basic dXNlcjpwYXNz')).toThrow(AuthError);
  });
});
