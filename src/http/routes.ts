// Plain HTTP routes next to /graphql: liveness, readiness and the service's DID document.
import { Hono } from 'hono';
import { getRoute } from './get-route.ts';
import type { Services } from '../services.ts';

export interface RouteDeps {
  services: Services;
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
    const document = await deps.services.issuerKeys.didDocument();
    return new Response(JSON.stringify(document, null, 2), {
      headers: { 'content-type': 'application/did+json', 'cache-control': 'public, max-age=60' },
    });
  });
  return router;
}
