// GET (and HEAD) routes on the HTTP router: any other method on a routed path is a plain-text 405.
import type { Hono } from 'hono';

export type GetHandler = (request: Request, url: URL) => Response | Promise<Response>;

export const methodNotAllowed = (): Response => new Response('method not allowed', { status: 405, headers: { allow: 'GET, HEAD' } });

/** Routes GET (and so HEAD, which the router answers from GET without the body) on each path to `handler`. */
export function getRoute(router: Hono, paths: string | readonly string[], handler: GetHandler): void {
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    router.get(path, (c) => handler(c.req.raw, new URL(c.req.url)));
    router.all(path, () => methodNotAllowed());
  }
}
