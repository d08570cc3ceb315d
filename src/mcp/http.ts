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
      const server = createMcpServer(serviceBackend(deps.context(request.headers.get('authorization'))), { actsAs: 'token', onUnexpected });
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
        maxRequestBodySize: deps.maxBodyBytes,
      });
      try {
        await server.connect(transport);
        // JSON response mode: the answer is complete when this resolves, so the server can go with the request.
        endResponse(await transport.handleRequest(request));
      } finally {
        await server.close();
      }
    },
  };
}
