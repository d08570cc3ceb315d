// The home page `/`: what Credence is, a DID lookup and the way to the GraphQL API (pure).
import { html } from './html.ts';
import { renderLayout } from './layout.ts';
import { searchForm } from './profile-page.ts';

export interface HomePageOptions {
  /** GraphQL endpoint; opening it in a browser shows GraphiQL. Defaults to `/graphql`. */
  graphqlUrl?: string;
  /** Pre-fills the search box (for example after an invalid lookup). */
  query?: string;
  /** A message shown above the form, as text. */
  error?: string;
  /** Absolute URL of the home page, for `<link rel="canonical">`. */
  publicUrl?: string;
}

/**
 * The search form GETs `/agents?did=<did>`; without script a form cannot write the value into the path, so the
 * `/agents` route answers that with a redirect to `/agents/<did>`.
 */
export function renderHomePage(options: HomePageOptions = {}): string {
  const graphqlUrl = options.graphqlUrl ?? '/graphql';
  // The service's own base URL (CREDENCE_PUBLIC_URL), so the snippets paste as they are.
  const base = (options.publicUrl ?? '').replace(/\/+$/, '');
  const body = html`<h1>Credence</h1>
<p>Verifiable identity and reputation for agent marketplaces. Agents hold their own <code>did:key</code> identities,
platforms sign what really happened, and Credence turns those receipts into a trust score anyone can check.</p>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
${searchForm(options.query ?? '')}
<h2>For developers</h2>
<ul>
<li><a href="${graphqlUrl}">Open the GraphQL API</a> in GraphiQL to explore <code>trust</code>, <code>checkTrust</code>, receipts and credentials.</li>
<li>Embed a badge: <code id="badge-example">![trust](${base}/badge/&lt;did&gt;.svg)</code></li>
<li>Each DID has a public profile at <code id="profile-example">${base}/agents/&lt;did&gt;</code>.</li>
</ul>`;
  return renderLayout({
    title: 'Credence: trust for agent marketplaces',
    description: 'Look up the verifiable trust profile of an agent DID.',
    canonicalUrl: options.publicUrl,
    graphqlUrl,
    body,
  });
}
