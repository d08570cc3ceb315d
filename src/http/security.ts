// One place for request limits: GraphQL shape limits at validation time, and the body size limit.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { BREAK, getOperationAST, GraphQLError, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { readBodyWithin } from './body.ts';

export const GRAPHQL_LIMITS = {
  maxDepth: 12,
  maxAliases: 20,
  maxTokens: 5_000,
  maxCost: 20_000,
  maxDirectives: 20,
  /** Brackets ({ [ () open at once: far beyond any honest document, far below where the parser's recursion overflows. */
  maxNesting: 64,
} as const;

export function armorPlugin(): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: GRAPHQL_LIMITS.maxDepth },
    maxAliases: { n: GRAPHQL_LIMITS.maxAliases },
    maxTokens: { n: GRAPHQL_LIMITS.maxTokens },
    costLimit: { maxCost: GRAPHQL_LIMITS.maxCost },
    maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives },
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
        errors: [new GraphQLError(`Syntax Error: nesting deeper than ${limit} levels`, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })],
      });
    },
  };
}

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1));
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item, depth + 1));
}

function documentHasNul(document: DocumentNode): boolean {
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
 * No read of this API accepts U+0000 (PostgreSQL text cannot hold it): a query carrying one, in its variables or
 * written into the document, is refused with INVALID_INPUT before it runs, instead of failing deep in a database
 * call. Mutations validate their inputs field by field and answer with typed errors, so they are left to that.
 */
export function nulCharacterPlugin(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName ?? undefined);
      if (!operation || operation.operation === 'mutation') return;
      if (!containsNul(args.variableValues) && !documentHasNul(args.document)) return;
      setResultAndStopExecution({ errors: [new GraphQLError('NUL characters (U+0000) are not accepted', { extensions: { code: 'INVALID_INPUT' } })] });
    },
  };
}

function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
}

/**
 * GraphQL parameters from a query string (GET) or a form body: yoga's own parser lets a malformed `variables` or
 * `extensions` JSON escape as an internal error (HTTP 500); this one answers 400 BAD_REQUEST.
 */
export function searchParamsPlugin(): Plugin {
  const fromSearchParams = (params: URLSearchParams) => {
    const json = (name: string) => {
      const text = params.get(name);
      if (!text) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw badRequest(`${name} is not valid JSON`);
      }
    };
    return {
      operationName: params.get('operationName') || undefined,
      query: params.get('query') || undefined,
      variables: json('variables'),
      extensions: json('extensions'),
    };
  };
  return {
    onRequestParse({ request, url, setRequestParser }) {
      const contentType = request.headers.get('content-type')?.split(';')[0]?.trim();
      if (request.method === 'GET') setRequestParser(() => fromSearchParams(url.searchParams) as never);
      else if (request.method === 'POST' && contentType === 'application/x-www-form-urlencoded') {
        setRequestParser(async (req) => fromSearchParams(new URLSearchParams(await req.text())) as never);
      }
    },
  };
}

function payloadTooLarge(limit: number): Response {
  return Response.json(
    { errors: [{ message: `request body exceeds ${limit} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] },
    { status: 413 },
  );
}

/** 413 for bodies over `limit` bytes: by Content-Length up front, or while streaming when it is absent. */
export function bodyLimitPlugin(limit: number): Plugin {
  return {
    onRequest({ request, endResponse }) {
      const declared = request.headers.get('content-length');
      if (declared !== null && Number(declared) > limit) endResponse(payloadTooLarge(limit));
    },
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST' || request.headers.get('content-length') !== null) return;
      setRequestParser(async (req) => {
        const text = await readBodyWithin(req, limit, () => new GraphQLError(`request body exceeds ${limit} bytes`, {
          extensions: { http: { status: 413 }, code: 'PAYLOAD_TOO_LARGE' },
        }));
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw badRequest('request body is not valid JSON');
        }
        // As yoga's own JSON parser: anything but an object (or a batch array) is refused, never passed on.
        if (body === null || typeof body !== 'object') throw badRequest('request body must be a JSON object');
        return body as never;
      });
    },
  };
}

