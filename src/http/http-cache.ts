// HTTP caching of public reads, and hashed queries so those reads fit in a short GET URL.
//
// - Hashed queries (the automatic persisted query protocol): `extensions.persistedQuery.sha256Hash` names a document
//   by the SHA-256 of its text. Sent with the query, the hash is checked and the document remembered (in memory,
//   per process, bounded); sent alone, the remembered document runs, or the answer is PERSISTED_QUERY_NOT_FOUND and
//   the client sends the text once more.
// - An unauthenticated GET of /graphql answered 200 without errors gets a strong `ETag` (a hash of the body),
//   `Cache-Control: public, max-age=0, must-revalidate` (caches may keep it but must ask again: trust moves with
//   every receipt) and `Vary: Accept, Authorization`; `If-None-Match` with that tag answers 304 without the body.
// - Never for requests with an Authorization header, POST (mutations, and reads whose answer may be the caller's
//   own), error answers or streams.
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export const PUBLIC_CACHE_CONTROL = 'public, max-age=0, must-revalidate';
/** Documents remembered by hash, per process; the oldest goes first. */
const MAX_REMEMBERED_DOCUMENTS = 1_000;
/** Longer documents run but are not remembered, which bounds the memory at about 10 MB. */
const MAX_REMEMBERED_LENGTH = 10_000;

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** The `extensions.persistedQuery` hash in lower case, undefined without one; throws BAD_REQUEST for a malformed one. */
export function persistedQueryHash(extensions: unknown): string | undefined {
  const persisted = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | null | undefined)?.persistedQuery;
  if (persisted === undefined || persisted === null || typeof persisted !== 'object') return undefined;
  if (persisted.version !== 1 || typeof persisted.sha256Hash !== 'string' || !/^[0-9a-f]{64}$/i.test(persisted.sha256Hash)) {
    throw new GraphQLError('extensions.persistedQuery needs version 1 and a hex sha256Hash', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
  }
  return persisted.sha256Hash.toLowerCase();
}

/** Whether an If-None-Match header names this tag (or is `*`); weak tags compare by their value. */
export function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

/**
 * Documents remembered by their SHA-256 (hex, lower case), per process and bounded: the oldest goes first. Shared by
 * this plugin, which remembers and looks up, and the known-query path, which looks up.
 */
export class PersistedDocuments {
  private readonly byHash = new Map<string, string>();

  /** Remembers `query` under `hash`, which the caller checked is its SHA-256. */
  remember(hash: string, query: string): void {
    if (query.length > MAX_REMEMBERED_LENGTH || this.byHash.has(hash)) return;
    if (this.byHash.size >= MAX_REMEMBERED_DOCUMENTS) this.byHash.delete(this.byHash.keys().next().value!);
    this.byHash.set(hash, query);
  }

  find(hash: string): string | undefined {
    return this.byHash.get(hash);
  }
}

export function httpCachePlugin(documents: PersistedDocuments = new PersistedDocuments()): Plugin {
  return {
    onParams({ params, setParams }) {
      const hash = persistedQueryHash(params.extensions);
      if (hash === undefined) return;
      if (typeof params.query === 'string') {
        if (sha256Hex(params.query) !== hash) {
          throw new GraphQLError('the query does not match extensions.persistedQuery.sha256Hash', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
        }
        documents.remember(hash, params.query);
        return;
      }
      const query = documents.find(hash);
      if (query === undefined) {
        throw new GraphQLError('PersistedQueryNotFound', { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
      }
      setParams({ ...params, query });
    },
    // Not async: the hook runs for every response, and most return at once without a promise to wait for.
    onResponse({ request, response, setResponse, fetchAPI }) {
      if (request.method !== 'GET' || response.status !== 200 || request.headers.has('authorization')) return undefined;
      if (!request.url.includes('/graphql?') || new URL(request.url).pathname !== '/graphql') return undefined;
      if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined;
      return response.text().then((body) => {
        const headers = new fetchAPI.Headers(response.headers);
        // `"errors":` can only appear in the JSON text as the top-level key (quotes inside strings are escaped), or
        // as a field a query named so: either way the answer is not cached.
        if (!body.includes('"errors":')) {
          const etag = `"${sha256Hex(body).slice(0, 32)}"`;
          headers.set('etag', etag);
          headers.set('cache-control', PUBLIC_CACHE_CONTROL);
          headers.set('vary', 'Accept, Authorization');
          if (matchesEtag(request.headers.get('if-none-match'), etag)) {
            headers.delete('content-type');
            headers.delete('content-length');
            setResponse(new fetchAPI.Response(null, { status: 304, headers }));
            return;
          }
        }
        setResponse(new fetchAPI.Response(body, { status: response.status, headers }));
      });
    },
  };
}
