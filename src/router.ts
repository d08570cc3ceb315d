// The one HTTP router for everything that is not GraphQL, MCP, /graphql/stream or /metrics: the REST API (with its
// OpenAPI document), the pages, badges and credential documents, and the service's own routes. It runs as one Yoga
// plugin, so CORS, rate limits, request logs and metrics wrap it as they wrap /graphql; a path it does not route
// goes on to Yoga.
import { Hono } from 'hono';
import type { Plugin } from 'graphql-yoga';
import { declaredTooLarge } from './http/body.ts';
import { serviceRoutes, type RouteDeps } from './http/routes.ts';
import { createReputationApi, REPUTATION_API_BASE, REPUTATION_API_PREFIX, reputationNotFound, type ReputationRouteDeps } from './rest/reputation-routes.ts';
import { badgeRoutes, type BadgeRouteDeps } from './web/badge-routes.ts';
import { credentialRoutes, type CredentialRouteDeps } from './web/credential-routes.ts';
import { pageRoutes, type PageRouteDeps } from './web/page-routes.ts';

export interface RouterDeps {
  rest: ReputationRouteDeps;
  service: RouteDeps;
  credentials: CredentialRouteDeps;
  badges: BadgeRouteDeps;
  pages: PageRouteDeps;
}

/** Marks the router's answer for a path it does not route; that answer is never sent. */
const UNROUTED = 'x-credence-unrouted';

export function createRouter(deps: RouterDeps): Hono {
  const router = new Hono();
  router.route(REPUTATION_API_BASE, createReputationApi(deps.rest));
  router.route('/', serviceRoutes(deps.service));
  router.route('/', credentialRoutes(deps.credentials));
  router.route('/', badgeRoutes(deps.badges));
  router.route('/', pageRoutes(deps.pages));
  router.notFound((c) => {
    const url = new URL(c.req.url);
    // The REST API answers every path under its prefix, in its own envelope.
    if (url.pathname.startsWith(REPUTATION_API_PREFIX)) return reputationNotFound(url);
    return new Response(null, { status: 404, headers: { [UNROUTED]: '1' } });
  });
  // An unexpected error goes on to Yoga, as it did from the route plugins (the REST API masks its own).
  router.onError((error) => {
    throw error;
  });
  return router;
}

/** GraphQL, its stream and MCP: never the router's, so the hottest requests skip a route match that cannot hit. */
function isYogaPath(pathname: string): boolean {
  return pathname === '/graphql' || pathname === '/mcp' || pathname.startsWith('/graphql/');
}

export function routerPlugin(router: Hono, options: { maxBodyBytes: number }): Plugin {
  /**
   * Outside the REST API (which caps its own bodies and answers in its envelope), a request whose declared body
   * passes the global limit is left to bodyLimitPlugin, as before there was one router.
   */
  function leftToBodyLimit(request: Request, url: URL): boolean {
    if (url.pathname.startsWith(REPUTATION_API_PREFIX)) return false;
    try {
      return declaredTooLarge(request, options.maxBodyBytes);
    } catch {
      return true;
    }
  }

  return {
    async onRequest({ request, url, endResponse }) {
      if (isYogaPath(url.pathname) || leftToBodyLimit(request, url)) return;
      const response = await router.fetch(request);
      if (response.headers.has(UNROUTED)) return;
      endResponse(response);
    },
  };
}
