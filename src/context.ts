// Per-request context: the caller (verified lazily, once), services, and the injected clock.
import { AuthError } from './errors.ts';
import { bearerToken, verifyAuthToken } from './auth/did-auth.ts';
import type { Clock } from './clock.ts';
import type { Services } from './services.ts';
import type { StreamSlots } from './http/stream-limits.ts';

export type { Clock };

export interface Viewer {
  did: string;
  isAdmin: boolean;
}

export interface RequestContext {
  services: Services;
  clock: Clock;
  serviceDid: string;
  publicUrl: string;
  /** The client's address key (IPv6: its /64), null for in-process requests. */
  clientAddress: string | null;
  /** Slots and timeouts for long-lived subscription streams, shared by the whole app. */
  streams: StreamSlots;
  /** The verified caller, null when no token was sent; throws the token's AuthError when one was sent and is bad. */
  viewer(): Promise<Viewer | null>;
  requireViewer(): Promise<Viewer>;
  requireAdmin(): Promise<Viewer>;
}

export interface ContextDeps {
  services: Services;
  clock: Clock;
  serviceDid: string;
  publicUrl: string;
  adminDids: readonly string[];
  streams: StreamSlots;
}

export function createRequestContext(deps: ContextDeps, authorization: string | null, clientAddress: string | null = null): RequestContext {
  let verification: Promise<Viewer | null> | undefined;
  // Verified on first use only, so a public read never spends the caller's single-use token.
  const viewer = () => {
    verification ??= (async () => {
      const token = bearerToken(authorization);
      if (token === null) return null;
      const verified = await verifyAuthToken(token, {
        audience: deps.serviceDid,
        now: deps.clock(),
        replayStore: deps.services.tokenStore,
      });
      return { did: verified.did, isAdmin: deps.adminDids.includes(verified.did) };
    })();
    return verification;
  };
  const requireViewer = async () => {
    const current = await viewer();
    if (!current) throw new AuthError('UNAUTHENTICATED', 'this operation needs a DID-JWT bearer token');
    return current;
  };
  return {
    services: deps.services,
    clock: deps.clock,
    serviceDid: deps.serviceDid,
    publicUrl: deps.publicUrl,
    clientAddress,
    streams: deps.streams,
    viewer,
    requireViewer,
    async requireAdmin() {
      const current = await requireViewer();
      if (!current.isAdmin) throw new AuthError('FORBIDDEN', 'this operation is for admin DIDs');
      return current;
    },
  };
}
