// Plain HTTP routes next to /graphql: liveness, readiness and the service's DID document.
import { Hono } from 'hono';
import { getRoute } from './get-route.ts';
import { buildDidWebDocument } from '../identity/did-web.ts';
import type { Services } from '../services.ts';

export interface RouteDeps {
  services: Services;
  serviceDid: string;
  ping(): Promise<boolean>;
}

export function serviceRoutes(deps: RouteDeps): Hono {
  const router = new Hono();
  getRoute(router, '/health', () => Response.json({ status: 'ok' }));
  getRoute(router, '/ready', async () =>
    (await deps.ping())
      ? Response.json({ status: 'ready' })
      : Response.json({ status: 'unavailable', reason: 'database unreachable' }, { status: 503 }),
  );
  getRoute(router, '/.well-known/did.json', async () => {
    const keys = await deps.services.issuerKeys.list();
    const document = buildDidWebDocument(
      deps.serviceDid,
      keys.map((key) => ({ keyId: key.key_id, publicKeyMultibase: key.public_key_multibase })),
      keys.filter((key) => key.status === 'ACTIVE').map((key) => key.key_id),
    );
    return new Response(JSON.stringify(document, null, 2), {
      headers: { 'content-type': 'application/did+json', 'cache-control': 'public, max-age=60' },
    });
  });
  return router;
}
