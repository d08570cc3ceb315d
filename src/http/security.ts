// One place for request limits: GraphQL shape limits at validation time, and the body size limit.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export const GRAPHQL_LIMITS = {
  maxDepth: 12,
  maxAliases: 20,
  maxTokens: 5_000,
  maxCost: 20_000,
  maxDirectives: 20,
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
        const text = await readLimited(req, limit);
        try {
          return JSON.parse(text);
        } catch {
          throw new GraphQLError('request body is not valid JSON', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
        }
      });
    },
  };
}

async function readLimited(request: Request, limit: number): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new GraphQLError(`request body exceeds ${limit} bytes`, {
        extensions: { http: { status: 413 }, code: 'PAYLOAD_TOO_LARGE' },
      });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
