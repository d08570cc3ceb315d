// Plain HTTP routes next to /graphql: liveness, readiness and the service's DID document.
import type { Plugin } from 'graphql-yoga';
import type { Services } from '../services.ts';

export interface RouteDeps {
  services: Services;
  ping(): Promise<boolean>;
}

type Handler = (request: Request) => Promise<Response> | Response;

export function routesPlugin(deps: RouteDeps): Plugin {
  const routes = new Map<string, Handler>([
    ['/health', () => Response.json({ status: 'ok' })],
    [
      '/ready',
      async () =>
        (await deps.ping())
          ? Response.json({ status: 'ready' })
          : Response.json({ status: 'unavailable', reason: 'database unreachable' }, { status: 503 }),
    ],
    [
      '/.well-known/did.json',
      async () => {
        const document = await deps.services.issuerKeys.didDocument();
        return new Response(JSON.stringify(document, null, 2), {
          headers: { 'content-type': 'application/did+json', 'cache-control': 'public, max-age=60' },
        });
      },
    ],
  ]);

  return {
    async onRequest({ request, url, endResponse }) {
      const handler = routes.get(url.pathname);
      if (!handler) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new Response('method not allowed', { status: 405, headers: { allow: 'GET, HEAD' } }));
        return;
      }
      endResponse(await handler(request));
    },
  };
}
