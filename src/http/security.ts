// One place for request limits: GraphQL shape limits at validation time, the body size limit, and which requests
// may carry which operations (every GraphQL body is read here, through the one capped reader).
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { BREAK, getOperationAST, GraphQLError, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { containsNul, declaredTooLarge, JsonBodyError, MalformedContentLength, parseJsonBody, readBodyWithin } from './body.ts';

export const GRAPHQL_LIMITS = {
  maxDepth: 12,
  maxAliases: 20,
  maxTokens: 5_000,
  maxCost: 20_000,
  maxDirectives: 20,
  /** Brackets ({ [ () open at once: far beyond any honest document, far below where the parser's recursion overflows. */
  maxNesting: 64,
} as const;

/**
 * The `extensions.code` of each document refused before it runs. Stable: clients may branch on them. Under
 * `Accept: application/graphql-response+json` each refusal is HTTP 400; under `application/json` it stays 200, as the
 * GraphQL-over-HTTP spec allows for legacy clients.
 */
export const REFUSAL_CODES = {
  depth: 'QUERY_TOO_DEEP',
  aliases: 'TOO_MANY_ALIASES',
  tokens: 'TOO_MANY_TOKENS',
  cost: 'QUERY_TOO_COSTLY',
  directives: 'TOO_MANY_DIRECTIVES',
  nesting: 'QUERY_TOO_NESTED',
  nul: 'INVALID_INPUT',
} as const;

/** Marks an error as a request error: yoga answers 400 under graphql-response+json and 200 under application/json. */
const REQUEST_ERROR_HTTP = { status: 400, spec: true } as const;

/**
 * Armor's validation rules throw by default, which escapes validation as a bare error (HTTP 200, no code). Reported
 * to the validation context instead, the refusal is a validation error with its own code (yoga adds the status).
 */
function reportAs(code: string) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: { reportError(error: GraphQLError): void } | null, error: GraphQLError) =>
        context?.reportError(new GraphQLError(error.message, { extensions: { code } })),
    ],
  };
}

export function armorPlugin(): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: GRAPHQL_LIMITS.maxDepth, ...reportAs(REFUSAL_CODES.depth) },
    maxAliases: { n: GRAPHQL_LIMITS.maxAliases, ...reportAs(REFUSAL_CODES.aliases) },
    // A parse-time limit: the thrown syntax error gets its code here and its status from yoga's parse error handling.
    maxTokens: {
      n: GRAPHQL_LIMITS.maxTokens,
      onReject: [(_context: unknown, error: GraphQLError) => void Object.assign(error.extensions, { code: REFUSAL_CODES.tokens })],
    },
    costLimit: { maxCost: GRAPHQL_LIMITS.maxCost, ...reportAs(REFUSAL_CODES.cost) },
    maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives, ...reportAs(REFUSAL_CODES.directives) },
    // Suggestions would reveal the schema to someone guessing; introspection is there for the honest.
    blockFieldSuggestion: { enabled: false },
  }) as Plugin;
}

/**
 * The deepest bracket nesting in a GraphQL document, strings and comments skipped; stops counting past `stopAt`.
 * The parser recurses once per level (a list literal of a few thousand brackets overflows the stack within the
 * token limit), so this runs on the raw text first.
 */
export function nestingDepth(source: string, stopAt = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i];
    if (c === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i += 1;
    } else if (c === '"') {
      if (source.startsWith('"""', i)) {
        // A block string ends at the first triple quote that is not escaped (\""").
        for (i += 3; i < source.length && !source.startsWith('"""', i); i += 1) if (source.startsWith('\\"""', i)) i += 3;
        i += 2;
      } else {
        for (i += 1; i < source.length && source[i] !== '"' && source[i] !== '\n'; i += 1) if (source[i] === '\\') i += 1;
      }
    } else if (c === '{' || c === '[' || c === '(') {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > stopAt) return deepest;
    } else if (c === '}' || c === ']' || c === ')') {
      depth = Math.max(0, depth - 1);
    }
  }
  return deepest;
}

/** Refuses documents nested deeper than GRAPHQL_LIMITS.maxNesting before they reach the parser. */
export function nestingLimitPlugin(limit: number = GRAPHQL_LIMITS.maxNesting): Plugin {
  return {
    onParams({ params, setResult }) {
      if (typeof params.query !== 'string' || nestingDepth(params.query, limit) <= limit) return;
      setResult({
        errors: [
          new GraphQLError(`Syntax Error: nesting deeper than ${limit} levels`, {
            extensions: { code: REFUSAL_CODES.nesting, http: REQUEST_ERROR_HTTP },
          }),
        ],
      });
    },
  };
}

// A parsed document is reused across requests (yoga's parse cache), so its answer is remembered: walking the whole
// tree again on every read costs more than some resolvers.
const documentNul = new WeakMap<DocumentNode, boolean>();

function documentHasNul(document: DocumentNode): boolean {
  const known = documentNul.get(document);
  if (known !== undefined) return known;
  const found = walkForNul(document);
  documentNul.set(document, found);
  return found;
}

function walkForNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes('\u0000')) {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * No read of this API accepts U+0000 (PostgreSQL text cannot hold it): a query or subscription carrying one, in its
 * variables or written into the document, is refused with INVALID_INPUT before it runs, instead of failing deep in a
 * database call. Mutations validate their inputs field by field and answer with typed errors (the database layer
 * refuses a NUL that gets past them as INVALID_INPUT too).
 */
export function nulCharacterPlugin(): Plugin {
  const refusal = () => ({
    errors: [new GraphQLError('NUL characters (U+0000) are not accepted', { extensions: { code: REFUSAL_CODES.nul, http: REQUEST_ERROR_HTTP } })],
  });
  const carriesNul = (args: { document: DocumentNode; operationName?: string | null | undefined; variableValues?: unknown }) => {
    const operation = getOperationAST(args.document, args.operationName ?? undefined);
    if (!operation || operation.operation === 'mutation') return false;
    return containsNul(args.variableValues) || documentHasNul(args.document);
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (carriesNul(args)) setResultAndStopExecution(refusal());
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      if (carriesNul(args)) setResultAndStopExecution(refusal());
    },
  };
}

function badRequest(message: string, code = 'BAD_REQUEST', status = 400): GraphQLError {
  return new GraphQLError(message, { extensions: { http: { status }, code } });
}

/** Header that lets a non-JSON POST run a mutation: a browser cannot add it cross-site without a CORS preflight. */
export const CSRF_HEADER = 'x-credence-csrf';
/** Content types a browser cannot send cross-site without a preflight; the only ones that may carry mutations. */
const MUTATION_CONTENT_TYPES = new Set(['application/json', 'application/graphql+json']);
const JSON_CONTENT_TYPES = MUTATION_CONTENT_TYPES;

/** The media type of a request, lower-cased, without parameters; null when absent. */
export function mediaType(request: Request): string | null {
  const header = request.headers.get('content-type');
  if (header === null) return null;
  return header.split(',')[0]!.split(';')[0]!.trim().toLowerCase() || null;
}

/** Whether this request may run a mutation: a JSON content type, or the CSRF-prevention header. */
export function mayMutate(request: Request): boolean {
  const type = mediaType(request);
  if (type !== null && MUTATION_CONTENT_TYPES.has(type)) return true;
  return (request.headers.get(CSRF_HEADER) ?? '').trim() !== '';
}

/**
 * A GET's GraphQL parameters from its query string (others ignored; an empty value is absent), `variables` and
 * `extensions` parsed with the body's nesting bound; throws 400 BAD_REQUEST when either is not JSON or too deep.
 */
export function paramsFromSearch(params: URLSearchParams) {
  const json = (name: string) => {
    const text = params.get(name);
    if (!text) return undefined;
    try {
      return parseJsonBody(text, { refuseNul: false });
    } catch (error) {
      throw badRequest(error instanceof JsonBodyError && error.problem === 'depth' ? `${name}: ${error.message.replace('the request body', 'value')}` : `${name} is not valid JSON`);
    }
  };
  return {
    operationName: params.get('operationName') || undefined,
    query: params.get('query') || undefined,
    variables: json('variables'),
    extensions: json('extensions'),
  };
}

function payloadTooLarge(limit: number): Response {
  return Response.json(
    { errors: [{ message: `request body exceeds ${limit} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] },
    { status: 413 },
  );
}

/**
 * 413 for bodies over `limit` bytes, on any route, by Content-Length up front (the GraphQL parser below and the REST
 * routes also count streamed bytes), and 400 for a malformed Content-Length.
 */
export function bodyLimitPlugin(limit: number): Plugin {
  return {
    onRequest({ request, endResponse }) {
      try {
        if (declaredTooLarge(request, limit)) endResponse(payloadTooLarge(limit));
      } catch (error) {
        if (!(error instanceof MalformedContentLength)) throw error;
        endResponse(Response.json({ errors: [{ message: error.message, extensions: { code: 'BAD_REQUEST' } }] }, { status: 400 }));
      }
    },
  };
}

const graphqlBodies = new WeakMap<Request, Promise<string>>();

/**
 * A GraphQL request's body, read once through the capped reader: the known-query path (known-query-path.ts) reads it
 * first, and a request it leaves to yoga is parsed here from the same text (or answers the same refusal).
 */
export function graphqlBody(request: Request, limit: number): Promise<string> {
  let body = graphqlBodies.get(request);
  if (body === undefined) {
    body = readBodyWithin(request, limit, () => badRequest(`request body exceeds ${limit} bytes`, 'PAYLOAD_TOO_LARGE', 413));
    // A reader that gives up on the request (the known-query path, for a body that is too large) must not leave
    // the rejection unhandled; the parser's own await still sees it.
    body.catch(() => undefined);
    graphqlBodies.set(request, body);
  }
  return body;
}

/**
 * Every GraphQL request's parameters, read here and nowhere else (yoga's own parsers are replaced for every method
 * and content type), so every body goes through the capped reader:
 * - GET: the query string;
 * - POST application/json, application/graphql+json: a JSON object (or batch array), nesting bounded;
 * - POST application/x-www-form-urlencoded: form fields, as GET;
 * - POST application/graphql: the body is the document;
 * - anything else (text/plain, multipart, none): 415, unread.
 * Malformed `variables` or `extensions` answer 400 BAD_REQUEST, never an internal error.
 */
export function requestParserPlugin(limit: number): Plugin {
  const read = (request: Request) => graphqlBody(request, limit);
  return {
    onRequestParse({ request, url, setRequestParser }) {
      if (request.method === 'GET') {
        setRequestParser(() => paramsFromSearch(url.searchParams) as never);
        return;
      }
      if (request.method !== 'POST') return;
      const type = mediaType(request);
      if (type !== null && JSON_CONTENT_TYPES.has(type)) {
        setRequestParser(async (req) => {
          let body: unknown;
          try {
            body = parseJsonBody(await read(req), { refuseNul: false });
          } catch (error) {
            if (error instanceof JsonBodyError) throw badRequest(error.problem === 'empty' ? 'request body must be a JSON object' : error.message);
            throw error;
          }
          // As yoga's own JSON parser: anything but an object (or a batch array) is refused, never passed on.
          if (body === null || typeof body !== 'object') throw badRequest('request body must be a JSON object');
          return body as never;
        });
      } else if (type === 'application/x-www-form-urlencoded') {
        setRequestParser(async (req) => paramsFromSearch(new URLSearchParams(await read(req))) as never);
      } else if (type === 'application/graphql') {
        setRequestParser(async (req) => ({ query: await read(req) }) as never);
      } else {
        setRequestParser(() => {
          throw badRequest(
            'send GraphQL as application/json or application/graphql+json (queries also as GET or a form)',
            'UNSUPPORTED_MEDIA_TYPE',
            415,
          );
        });
      }
    },
    // Mutations only from requests a browser cannot make cross-site without a preflight (GET is refused by yoga).
    onParse() {
      return ({ result, context }) => {
        const request = (context as { request?: Request }).request;
        if (!request || request.method !== 'POST' || result instanceof Error || mayMutate(request)) return;
        const params = (context as { params?: { operationName?: string } }).params;
        const operation = getOperationAST(result as DocumentNode, params?.operationName);
        if (operation?.operation !== 'mutation') return;
        throw badRequest(
          `mutations must be sent as application/json or application/graphql+json (or with the ${CSRF_HEADER} header)`,
          'UNSUPPORTED_MEDIA_TYPE',
          415,
        );
      };
    },
  };
}
