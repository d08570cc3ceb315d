// CORS for the configured origins only (CREDENCE_CORS_ORIGINS). With none configured no CORS header is ever sent, so
// browsers keep the API same-origin. An allowed origin gets its own name back (never "*" and never another origin)
// and no Access-Control-Allow-Credentials: callers authenticate with a bearer token, never with cookies.
// Public REST reads that set "Access-Control-Allow-Origin: *" themselves keep it: they carry nothing private.
import type { Plugin } from 'graphql-yoga';

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'authorization, content-type, accept, x-request-id, x-credence-csrf';
const EXPOSED_HEADERS = 'x-request-id, retry-after';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

function addVary(headers: Headers, value: string): void {
  const current = headers.get('vary');
  if (!current) headers.set('vary', value);
  else if (!current.toLowerCase().split(/\s*,\s*/).includes(value.toLowerCase())) headers.set('vary', `${current}, ${value}`);
}

export function corsPlugin(origins: readonly string[]): Plugin {
  const allowed = new Set(origins);
  const allowedOrigin = (request: Request): string | null => {
    const origin = request.headers.get('origin');
    return origin !== null && allowed.has(origin) ? origin : null;
  };
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'OPTIONS') return;
      const origin = allowedOrigin(request);
      if (origin === null || !request.headers.has('access-control-request-method')) return;
      endResponse(
        new Response(null, {
          status: 204,
          headers: {
            'content-length': '0',
            'access-control-allow-origin': origin,
            'access-control-allow-methods': ALLOWED_METHODS,
            'access-control-allow-headers': ALLOWED_HEADERS,
            'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS,
            vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
          },
        }),
      );
    },
    onResponse({ request, response }) {
      // Whatever the origin, the answer depends on it once any origin is allowed: caches must key on it.
      if (allowed.size === 0) return;
      try {
        addVary(response.headers, 'Origin');
        const origin = allowedOrigin(request);
        if (origin === null || response.headers.has('access-control-allow-origin')) return;
        response.headers.set('access-control-allow-origin', origin);
        response.headers.set('access-control-expose-headers', EXPOSED_HEADERS);
      } catch {
        // Immutable headers (a proxied response): left as they are.
      }
    },
  };
}
