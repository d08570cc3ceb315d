// POST /mcp: the MCP server over Streamable HTTP, stateless. Each request gets its own server and transport built
// over that request's context, so the caller's bearer token is verified (once, and only by an acting tool) exactly
// as for GraphQL. It runs inside the yoga app, behind the same rate limits, body limit, request log and metrics.
//
// Stateless means no session and no server-initiated messages, so GET (the standalone SSE stream) and DELETE (ending
// a session) answer 405, as the Streamable HTTP specification provides for servers that offer neither.
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Plugin } from 'graphql-yoga';
import type { RequestContext } from '../context.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { JsonBodyError, MalformedContentLength, parseJsonBody, readBodyWithin } from '../http/body.ts';
import { mediaType } from '../http/security.ts';
import { createMcpServer } from './server.ts';
import { serviceBackend } from './service-backend.ts';

export const MCP_PATH = '/mcp';

export interface McpRouteDeps {
  /** The same per-request context GraphQL resolvers get, for this request's Authorization header. */
  context(authorization: string | null): RequestContext;
  /** The global request body limit. */
  maxBodyBytes: number;
  logger?: Logger;
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });
}

class BodyTooLarge extends Error {}

/**
 * A JSON body read through the service's one capped reader (byte cap whether chunked or not, nesting bounded before
 * parsing), handed to the transport already parsed; a Response when it is refused. Other content types are left to
 * the transport, which refuses them unread.
 */
async function readMcpBody(request: Request, limit: number): Promise<{ parsedBody: unknown } | Response | undefined> {
  const type = mediaType(request);
  if (type !== 'application/json') return undefined;
  try {
    return { parsedBody: parseJsonBody(await readBodyWithin(request, limit, () => new BodyTooLarge()), { refuseNul: false }) };
  } catch (error) {
    if (error instanceof BodyTooLarge) return jsonRpcError(413, -32000, `request body exceeds ${limit} bytes`);
    if (error instanceof MalformedContentLength) return jsonRpcError(400, -32000, error.message);
    if (error instanceof JsonBodyError) return jsonRpcError(400, -32700, `Parse error: ${error.message}`);
    throw error;
  }
}

function methodNotAllowed(): Response {
  return Response.json(
    { jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; send JSON-RPC with POST' }, id: null },
    { status: 405, headers: { allow: 'POST' } },
  );
}

export function mcpRoutePlugin(deps: McpRouteDeps): Plugin {
  const logger = deps.logger ?? silentLogger;
  const onUnexpected = (error: unknown) => logger.error('unexpected error in an MCP tool', { error: error instanceof Error ? error.message : String(error) });
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== MCP_PATH) return;
      if (request.method !== 'POST') {
        endResponse(methodNotAllowed());
        return;
      }
      const body = await readMcpBody(request, deps.maxBodyBytes);
      if (body instanceof Response) {
        endResponse(body);
        return;
      }
      const server = createMcpServer(serviceBackend(deps.context(request.headers.get('authorization'))), { actsAs: 'token', onUnexpected });
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
        maxRequestBodySize: deps.maxBodyBytes,
      });
      try {
        await server.connect(transport);
        // JSON response mode: the answer is complete when this resolves, so the server can go with the request.
        endResponse(await transport.handleRequest(request, body));
      } finally {
        await server.close();
      }
    },
  };
}
