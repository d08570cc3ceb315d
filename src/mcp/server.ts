// The Credence MCP server: one McpServer with the tools over a backend, and the instructions text. Built per HTTP
// request (stateless: the caller's token belongs to that request) or once for a stdio process.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SERVICE_VERSION } from '../version.ts';
import { serverInstructions } from './instructions.ts';
import { registerTools, type McpBackend } from './tools.ts';

export interface CreateMcpServerOptions {
  /** How acting tools authenticate: the request's bearer token (HTTP), a key file (stdio), or not at all. */
  actsAs: 'token' | 'key' | 'none';
  onUnexpected?: (error: unknown) => void;
}

export function createMcpServer(backend: McpBackend, options: CreateMcpServerOptions): McpServer {
  const server = new McpServer(
    { name: 'credence', title: 'Credence', version: SERVICE_VERSION },
    {
      capabilities: { tools: {} },
      instructions: serverInstructions({ canPresent: backend.createPresentation !== undefined, actsAs: options.actsAs }),
    },
  );
  registerTools(server, backend, options.onUnexpected ? { onUnexpected: options.onUnexpected } : {});
  return server;
}
