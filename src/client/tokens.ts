// Mints a DID-JWT bearer token (api.md §1) with the caller's own key: the client's twin of src/auth/mint-token.ts.
import { didKeyFromPublicKey, encodeJws, randomUuid, type Ed25519KeyPair } from './keys.ts';

/** The longest token the service accepts (src/auth/did-auth.ts; a test keeps the two equal). */
export const MAX_TOKEN_LIFETIME_SECONDS = 300;

export interface MintTokenOptions {
  audience: string;
  now?: Date;
  lifetimeSeconds?: number;
  jti?: string;
}

export function mintAuthToken(pair: Ed25519KeyPair, options: MintTokenOptions): string {
  const lifetime = options.lifetimeSeconds ?? 120;
  if (lifetime <= 0 || lifetime > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new Error(`token lifetime must be 1..${MAX_TOKEN_LIFETIME_SECONDS} seconds`);
  }
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return encodeJws(
    { alg: 'EdDSA', typ: 'JWT' },
    { iss: didKeyFromPublicKey(pair.publicKey), aud: options.audience, iat, exp: iat + lifetime, jti: options.jti ?? randomUuid() },
    pair,
  );
}
