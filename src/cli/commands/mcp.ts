// `credence mcp`: the MCP server over stdio, for a local agent (Claude Desktop, Cursor and the like start it as a
// command). It talks to a Credence service over HTTP with the typed client; given a key file it acts as that DID,
// minting a fresh single-use token per call, and signs presentations locally. stdout carries only MCP messages.
// The MCP SDK and server are imported when the command runs, so every other command starts without loading them.
import { createCredenceClient } from '../../client/credence-client.ts';
import { readKeyFile } from '../../crypto/key-file.ts';
import { defineCommand, UsageError } from './command.ts';

export const mcpCommand = defineCommand({
  name: 'mcp',
  summary: 'run the MCP server over stdio for a local agent, talking to a Credence service',
  synopsis: ['mcp --url URL [--key FILE]'],
  description: `Serve the Credence tools over MCP on stdin/stdout, for an agent host that starts servers as commands
(Claude Desktop, Cursor, ...). Every tool calls the Credence service at --url over HTTP. The read tools (check_trust,
get_trust_report, trust_batch, get_agent, verify_credential, verify_presentation) need no key. With --key, claim_did,
list_my_credentials and request_credential act as the key file's did:key (a fresh single-use token per call), and
create_presentation signs presentations of your credentials locally: the key never leaves this process. Diagnostics
go to stderr; the process ends when its stdin closes. The service also serves the same tools at POST <url>/mcp.`,
  options: {
    url: { type: 'string', value: 'URL', required: true, description: 'the Credence service, e.g. https://credence.example' },
    key: { type: 'string', value: 'FILE', description: 'your key file (`credence keygen --out FILE`): act and present as its DID' },
  },
  async run(input) {
    const url = input.string('url')!;
    if (!/^https?:\/\/[^\s/]+/.test(url)) throw new UsageError(`--url must be an http(s) URL, not ${JSON.stringify(url)}`);
    const keyPath = input.string('key');
    const key = keyPath ? await readKeyFile(keyPath) : undefined;
    const client = createCredenceClient({ url, ...(key ? { key } : {}) });
    const [{ StdioServerTransport }, { clientBackend }, { createMcpServer }] = await Promise.all([
      import('@modelcontextprotocol/sdk/server/stdio.js'),
      import('../../mcp/client-backend.ts'),
      import('../../mcp/server.ts'),
    ]);
    const server = createMcpServer(clientBackend(client, key ? { key } : {}), {
      actsAs: key ? 'key' : 'none',
      onUnexpected: (error) => process.stderr.write(`credence mcp: ${error instanceof Error ? error.message : String(error)}\n`),
    });
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      transport.onclose = resolve;
      process.stdin.once('end', resolve);
      process.stdin.once('close', resolve);
    });
    await server.connect(transport);
    await closed;
    await server.close();
    return 0;
  },
});
