// DID-JWT bearer tokens (api.md §1): EdDSA by the issuer's own did:key, audience = the service DID,
// short-lived, single-use. Pure apart from the replay store passed in.
import { AuthError } from '../errors.ts';
import { decodeJws, isEd25519DidKey, publicKeyFromDidKey, verifyJwsSignature, JwsFormatError } from '../crypto/ed25519.ts';

export const CLOCK_SKEW_SECONDS = 60;
export const MAX_TOKEN_LIFETIME_SECONDS = 300;
/** Tokens beyond this are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 4096;

export interface ReplayStore {
  /** Records (issuer, jti) until `expiresAt`; false when it was already spent. */
  spend(issuer: string, jti: string, expiresAt: Date): Promise<boolean>;
}

/** Read-only view of the replay store: whether (issuer, jti) was already spent, without spending it. */
export interface SpentTokens {
  isSpent(issuer: string, jti: string): Promise<boolean>;
}

export interface VerifiedToken {
  did: string;
  jti: string;
  expiresAt: Date;
}

export interface VerifyTokenOptions {
  audience: string;
  now: Date;
  replayStore: ReplayStore;
}

const fail = (message: string) => new AuthError('UNAUTHENTICATED', message);

/** Checks everything but replay; exported so offline tools can inspect a token without spending it. */
export function checkAuthToken(token: string, audience: string, now: Date): VerifiedToken {
  if (typeof token !== 'string' || token.length === 0) throw fail('missing bearer token');
  if (token.length > MAX_TOKEN_LENGTH) throw fail('token too long');
  let decoded;
  try {
    decoded = decodeJws(token);
  } catch (error) {
    throw fail(`malformed token: ${error instanceof JwsFormatError ? error.message : 'cannot decode'}`);
  }
  const { header, payload } = decoded;
  if (header.alg === 'none' || header.alg === undefined) throw fail('unsigned tokens (alg "none") are not accepted');
  if (header.alg !== 'EdDSA') throw fail(`algorithm ${JSON.stringify(header.alg)} is not accepted; use EdDSA`);
  if (header.typ !== undefined && header.typ !== 'JWT') throw fail('token typ must be JWT');
  if (header.crit !== undefined) throw fail('critical header extensions are not supported');

  const issuer = payload.iss;
  if (typeof issuer !== 'string' || !issuer.startsWith('did:')) throw fail('token iss must be a DID');
  if (!isEd25519DidKey(issuer)) throw fail('token iss must be an Ed25519 did:key');
  if (header.kid !== undefined && (typeof header.kid !== 'string' || header.kid.split('#')[0] !== issuer)) {
    throw fail('token kid does not belong to its issuer');
  }
  if (!verifyJwsSignature(decoded, publicKeyFromDidKey(issuer))) throw fail('token signature does not verify');

  const { aud, iat, exp, nbf, jti } = payload;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(audience)) {
    throw fail(
      `token aud must be ${audience}, this service's DID: mint it with \`credence token --aud ${audience}\`, or set ` +
        'CREDENCE_PUBLIC_URL to the URL you call so the default audience matches',
    );
  }
  if (!isSeconds(iat) || !isSeconds(exp)) throw fail('token must carry numeric iat and exp');
  if (nbf !== undefined && !isSeconds(nbf)) throw fail('token nbf must be numeric');
  if (exp <= iat) throw fail('token exp must be after iat');
  if (exp - iat > MAX_TOKEN_LIFETIME_SECONDS) {
    throw fail(`token lifetime exceeds ${MAX_TOKEN_LIFETIME_SECONDS} seconds`);
  }
  const nowSeconds = now.getTime() / 1000;
  const notBefore = Math.max(iat, typeof nbf === 'number' ? nbf : iat);
  if (notBefore > nowSeconds + CLOCK_SKEW_SECONDS) {
    throw fail(`token is not yet valid: its iat or nbf is more than ${CLOCK_SKEW_SECONDS} s ahead of the server's clock; check this machine's clock`);
  }
  if (exp < nowSeconds - CLOCK_SKEW_SECONDS) {
    throw new AuthError(
      'TOKEN_EXPIRED',
      `token has expired (exp plus the ${CLOCK_SKEW_SECONDS} s allowed for clock skew has passed): mint a new one for each request, and check this machine's clock`,
    );
  }
  // Printable ASCII only: a jti is an opaque id, and control characters (NUL above all) have no place in one.
  if (typeof jti !== 'string' || !/^[\x21-\x7e]{8,128}$/.test(jti)) {
    throw fail('malformed token: jti must be 8 to 128 printable ASCII characters');
  }
  return { did: issuer, jti, expiresAt: new Date((exp + CLOCK_SKEW_SECONDS) * 1000) };
}

export async function verifyAuthToken(token: string, options: VerifyTokenOptions): Promise<VerifiedToken> {
  const verified = checkAuthToken(token, options.audience, options.now);
  const firstUse = await options.replayStore.spend(verified.did, verified.jti, verified.expiresAt);
  if (!firstUse) throw new AuthError('TOKEN_REPLAYED', 'token was already used: tokens are single-use, mint a new one for each request');
  return verified;
}

function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value < 1e11;
}

/** Reads `Authorization: Bearer <jwt>`; null when the header is absent. */
export function bearerToken(authorization: string | null): string | null {
  if (authorization === null) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw fail('Authorization header must be "Bearer <jwt>"');
  return match[1];
}
