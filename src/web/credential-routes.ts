// Public documents a credential verifier fetches: the signed status lists (with ETags, so polling verifiers pay
// little) and the Credence JSON-LD context.
import { Hono } from 'hono';
import { createHash } from 'node:crypto';
import { CREDENCE_CONTEXT_V1, CREDENCE_CONTEXT_V1_PATH } from '../credentials/contexts.ts';
import type { PublishedStatusList } from '../credentials/credential.service.ts';
import { getRoute } from '../http/get-route.ts';

export interface CredentialRouteDeps {
  statusList(listId: number): Promise<PublishedStatusList | undefined>;
}


const contextBody = JSON.stringify(CREDENCE_CONTEXT_V1, null, 2);
const contextEtag = `"${createHash('sha256').update(contextBody).digest('base64url').slice(0, 32)}"`;

/** True when an If-None-Match header names `etag` (or is `*`); weak validators compare by their opaque part. */
export function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const value = candidate.trim();
    return value === '*' || value.replace(/^W\//, '') === etag;
  });
}

function document(request: Request, body: string, etag: string, headers: Record<string, string>): Response {
  const common = { etag, ...headers };
  if (etagMatches(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers: common });
  return new Response(request.method === 'HEAD' ? null : body, { headers: common });
}

export function credentialRoutes(deps: CredentialRouteDeps): Hono {
  const router = new Hono();
  getRoute(router, CREDENCE_CONTEXT_V1_PATH, (request) =>
    document(request, contextBody, contextEtag, {
      'content-type': 'application/ld+json',
      'cache-control': 'public, max-age=86400',
      'access-control-allow-origin': '*',
    }),
  );
  getRoute(router, '/credentials/status/:listId{[1-9][0-9]{0,8}}', async (request, url) => {
    const list = await deps.statusList(Number(url.pathname.slice('/credentials/status/'.length)));
    if (!list) return Response.json({ error: 'no such status list' }, { status: 404 });
    return document(request, list.body, list.etag, {
      'content-type': 'application/vc+ld+json',
      // Revocations must reach verifiers promptly: they may keep a copy but revalidate it (cheaply, by ETag).
      'cache-control': 'public, no-cache',
      'last-modified': list.updatedAt.toUTCString(),
      'access-control-allow-origin': '*',
    });
  });
  return router;
}
