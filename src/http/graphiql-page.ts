// GraphiQL served from the package (no CDN) under a Content-Security-Policy of its own. The bundle is inline, so
// its scripts are allowed by their SHA-256 hashes, computed from the exact HTML served; nothing else may run.
// Styles stay 'unsafe-inline': the editor injects style elements and attributes at run time, which no hash covers.
import { createHash } from 'node:crypto';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { Plugin } from 'graphql-yoga';

type GraphiQLOptions = Parameters<typeof renderGraphiQL>[0];

/** The policy for one rendering of the GraphiQL page: its inline scripts by hash, everything else from this origin. */
export function graphiqlContentSecurityPolicy(html: string): string {
  const scriptHashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map(
    (match) => `'sha256-${createHash('sha256').update(match[1] ?? '', 'utf8').digest('base64')}'`,
  );
  return [
    "default-src 'none'",
    `script-src ${scriptHashes.join(' ') || "'none'"}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    // The editor's language workers start from blob: URLs; queries go to this service only.
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * GraphiQL for yoga: `render` is yoga's `renderGraphiQL` (rendered once per option set, the bundle is about 9 MB),
 * and `plugin` adds the page's policy and the pages' other security headers to the GraphiQL response.
 */
export function graphiqlPage(): { render: (options: GraphiQLOptions) => string; plugin: Plugin } {
  const rendered = new Map<string, { html: string; policy: string }>();
  // Yoga renders the page and then answers with it in the same request, so the last rendering is this response's.
  let lastPolicy: string | undefined;
  return {
    render(options) {
      const key = JSON.stringify(options ?? {});
      let page = rendered.get(key);
      if (!page) {
        const html = renderGraphiQL(options);
        page = { html, policy: graphiqlContentSecurityPolicy(html) };
        rendered.set(key, page);
      }
      lastPolicy = page.policy;
      return page.html;
    },
    plugin: {
      onResponse({ request, response }) {
        if (request.method !== 'GET' || !response.headers.get('content-type')?.startsWith('text/html')) return;
        if (new URL(request.url).pathname !== '/graphql') return;
        if (!lastPolicy) return;
        response.headers.set('Content-Security-Policy', lastPolicy);
        response.headers.set('X-Content-Type-Options', 'nosniff');
        response.headers.set('Referrer-Policy', 'no-referrer');
        response.headers.set('X-Frame-Options', 'DENY');
        response.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      },
    },
  };
}
