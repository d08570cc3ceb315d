// Known queries, answered ahead of yoga's GraphQL handling. A read (a POST of JSON, or a GET with its parameters in
// the URL, to /graphql) whose document is exactly one that has already been parsed, validated, compiled and answered
// without errors through the whole pipeline runs its compiled form at once: no parameter hooks, no parse or
// validation lookups, no envelop orchestration, no result-processor negotiation. Those were most of a warm read's
// cost once the engine answered from memory (docs/performance-log.md, 2026-12-06). The document may be
// named by its text, or by a hash alone (a hashed query whose text http-cache.ts remembers).
//
// What still applies, because it runs before this plugin or around it: request ids, the log line and metrics
// (observability.ts, told the operation here), read routing (a request with a token reads the primary), CORS, rate
// limits (by address and by the token's DID), the body limit, and every response hook (a GET's ETag, cache headers
// and 304 among them). The context is the one yoga builds from the same request, so a resolver that asks who is
// calling verifies the bearer token as it always does (and spends it, once). What this path may skip, because it
// depends on the document alone and the document passed it before: nesting, armor and validation rules. What
// depends on the request is checked here: the variables must carry no NUL (nulCharacterPlugin) and coerce (the
// compiled query's own coercion; an answer with errors is never sent from here).
//
// Anything else is left to yoga, unchanged: another content type or Accept, a GET a browser sends (GraphiQL), other
// extensions, a hash sent with its text (yoga checks and remembers it), a batch, an unknown document, or an answer
// with errors (a refused or replayed token among them), which yoga computes again (a query has no effect beyond its
// answer). Yoga's run gets the same context object (app.ts, contextFor), so a token this run verified and spent is
// the same verified caller there, not a replay. Such a request is parsed from the body read here (security.ts,
// graphqlBody).
import type { OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { containsNul, parseJsonBody } from './body.ts';
import type { CompiledQueries } from './compiled-queries.ts';
import { persistedQueryHash, type PersistedDocuments } from './http-cache.ts';
import { recordOperation } from './observability.ts';
import { requestPath } from './request-path.ts';
import { graphqlBody, mediaType, paramsFromSearch } from './security.ts';

/** A GraphQL request's parameters, as yoga hands them to the context. */
export interface KnownQueryParams {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  /** Only a hashed query's (`persistedQuery`), when the request named its document that way. */
  extensions?: Record<string, unknown> | null;
}

export interface KnownQueryPathDeps {
  queries: CompiledQueries;
  /** Documents remembered by hash (http-cache.ts); without it a request naming its document by hash is handed on. */
  documents?: PersistedDocuments;
  /** The context yoga builds for the same request (app.ts makes both from one function). */
  context(request: Request, serverContext: Record<string, unknown>, params: KnownQueryParams): object;
}

export const JSON_TYPES = new Set(['application/json', 'application/graphql+json']);
/** The media types of yoga's processor for single results, in its order. */
const JSON_ANSWER_TYPES = ['application/graphql-response+json', 'application/json'] as const;

/** Yoga's media-type match: a `*` half of the requested type matches anything. */
function matchesMediaType(requested: string, offered: string): boolean {
  const [requestedKind, requestedSubtype] = requested.split('/');
  const [kind, subtype] = offered.split('/');
  return (requestedKind === '*' || requestedKind === kind) && (requestedSubtype === '*' || requestedSubtype === subtype);
}

/**
 * The media type yoga answers a query's result with for this Accept header, or null when yoga would answer with
 * another processor (an event stream, multipart) or 406. Yoga's rule, step for step: the listed types in reverse
 * order, those with a charset other than UTF-8 skipped, no q-values; of the JSON types, the last match wins.
 */
export function answerMediaType(accept: string | null): string | null {
  let chosen: string | null = null;
  const asked = (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',').reverse();
  for (const entry of asked) {
    const [type, ...parameters] = entry.split(';');
    if (type === undefined) continue;
    const charset = parameters.find((parameter) => parameter.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    for (const candidate of JSON_ANSWER_TYPES) if (matchesMediaType(type, candidate)) chosen = candidate;
  }
  return chosen;
}

type Known = { params: KnownQueryParams; served: NonNullable<ReturnType<CompiledQueries['find']>> };

/**
 * A GraphQL request's parameters when they are exactly a known query's, else null. `extensions` may only name a
 * hashed query, and only alone (a hash sent with its text is yoga's to check and remember): the text is then the one
 * remembered under that hash, or none (yoga answers PERSISTED_QUERY_NOT_FOUND).
 */
function knownQuery(raw: Record<string, unknown>, queries: CompiledQueries, documents: PersistedDocuments | undefined): Known | null {
  const { variables, operationName, extensions } = raw;
  let query = raw.query;
  if (extensions !== undefined && extensions !== null) {
    if (typeof extensions !== 'object' || Array.isArray(extensions) || documents === undefined || query !== undefined) return null;
    for (const key in extensions) if (key !== 'persistedQuery') return null;
    let hash: string | undefined;
    try {
      hash = persistedQueryHash(extensions);
    } catch {
      return null;
    }
    query = hash === undefined ? undefined : documents.find(hash);
  }
  if (typeof query !== 'string') return null;
  const served = queries.find(query);
  if (served === undefined) return null;
  if (operationName !== undefined && operationName !== null && operationName !== nameOf(served.operation)) return null;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  if (containsNul(variables)) return null;
  const params: KnownQueryParams = { query, variables: variables as KnownQueryParams['variables'], operationName: operationName as string | null | undefined };
  if (extensions !== undefined) params.extensions = extensions as Record<string, unknown> | null;
  return { params, served };
}

/** A JSON body's parameters (only GraphQL's four), else null. */
function postParams(text: string): Record<string, unknown> | null {
  let body: unknown;
  try {
    body = parseJsonBody(text, { refuseNul: false });
  } catch {
    return null;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  for (const key in body) if (key !== 'query' && key !== 'variables' && key !== 'operationName' && key !== 'extensions') return null;
  return body as Record<string, unknown>;
}

const nameOf = (operation: OperationDefinitionNode) => operation.name?.value;

/** Requests of a known document: answered here, or handed on to yoga (an answer with errors). */
export interface KnownQueryStats {
  /** Answered by this plugin, inside yoga. */
  answered: number;
  /** Answered at node:http, ahead of yoga (node-read-path.ts). */
  answeredAhead: number;
  handedOn: number;
}

export type KnownQuery = Known;

/**
 * Finding and running known queries, shared by this plugin and by the read path ahead of yoga (node-read-path.ts),
 * which count into the same stats.
 */
export function knownQueryAnswers(deps: KnownQueryPathDeps) {
  const stats: KnownQueryStats = { answered: 0, answeredAhead: 0, handedOn: 0 };
  // Node requests whose known query the path ahead of yoga ran and handed on (an answer with errors): this plugin
  // leaves them to the full pipeline rather than run the same query again.
  const declinedAhead = new WeakSet<object>();
  return {
    stats: () => ({ ...stats }),
    /** The path ahead of yoga already ran this request's query and handed it on. */
    declinedAhead: (serverContext: unknown) => {
      const node = (serverContext as { req?: object } | undefined)?.req;
      return node !== undefined && declinedAhead.has(node);
    },
    /** A POST body's known query, or null. */
    fromBody(text: string): Known | null {
      const raw = postParams(text);
      return raw === null ? null : knownQuery(raw, deps.queries, deps.documents);
    },
    /** A GET's known query (read exactly as yoga's GET parser reads it, security.ts), or null. */
    fromSearch(searchParams: URLSearchParams): Known | null {
      let raw: Record<string, unknown>;
      try {
        raw = paramsFromSearch(searchParams);
      } catch {
        return null;
      }
      return knownQuery(raw, deps.queries, deps.documents);
    },
    /**
     * The answer's JSON text, or null when yoga must answer (an answer with errors, or anything thrown). `ahead`:
     * asked by the path ahead of yoga, not by this plugin.
     */
    async run(known: Known, request: Request, serverContext: Record<string, unknown>, ahead = false): Promise<string | null> {
      let result: Awaited<ReturnType<typeof known.served.compiled.query>> | undefined;
      try {
        const context = deps.context(request, serverContext, known.params);
        result = await known.served.compiled.query(undefined, context, known.params.variables as Record<string, unknown>);
      } catch {
        // Compiled code answers resolver errors in `errors`; anything thrown here is yoga's to answer (and mask).
      }
      if (result === undefined || result.errors?.length || result.data === undefined || result.data === null) {
        stats.handedOn += 1;
        const node = serverContext.req;
        if (ahead && typeof node === 'object' && node !== null) declinedAhead.add(node);
        return null;
      }
      if (ahead) stats.answeredAhead += 1;
      else stats.answered += 1;
      return known.served.compiled.stringify(result);
    },
  };
}

export type KnownQueryAnswers = ReturnType<typeof knownQueryAnswers>;

export function knownQueryPathPlugin(answers: KnownQueryAnswers, maxBodyBytes: number): Plugin {
  return {
    onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      const method = request.method;
      if ((method !== 'POST' && method !== 'GET') || requestPath(request) !== '/graphql') return undefined;
      if (answers.declinedAhead(serverContext)) return undefined;
      const accept = request.headers.get('accept');
      const answerType = answerMediaType(accept);
      if (answerType === null) return undefined;
      const answer = async (known: Known | null) => {
        if (known === null) return;
        recordOperation(request, known.served.operation);
        const text = await answers.run(known, request, serverContext as Record<string, unknown>);
        if (text === null) return;
        endResponse(new fetchAPI.Response(text, { status: 200, headers: { 'Content-Type': `${answerType}; charset=utf-8` } }));
      };
      if (method === 'GET') {
        // A browser's GET gets GraphiQL from yoga, which answers before this plugin (its test, exactly); this is for the
        // rest, and for certain only when yoga would run the query.
        if (accept?.includes('text/html')) return undefined;
        return answer(answers.fromSearch(url.searchParams));
      }
      const type = mediaType(request);
      if (type === null || !JSON_TYPES.has(type)) return undefined;
      return graphqlBody(request, maxBodyBytes).then(
        (text) => answer(answers.fromBody(text)),
        // A body that cannot be read (too large, cut off) is yoga's to answer: its parser awaits the same read.
        () => undefined,
      );
    },
  };
}
