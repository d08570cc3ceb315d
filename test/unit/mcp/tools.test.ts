// The tool layer on its own: how errors become tool errors (codes kept, unexpected ones hidden), the instructions
// for each way of acting, and the stdio backend over a service that cannot be reached (a real client, a closed port).
import { createServer } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import { createCredenceClient, CredenceClientError } from '../../../src/client/credence-client.ts';
import { AuthError, InputError } from '../../../src/errors.ts';
import { clientBackend } from '../../../src/mcp/client-backend.ts';
import { serverInstructions } from '../../../src/mcp/instructions.ts';
import { createMcpServer } from '../../../src/mcp/server.ts';
import { toolError } from '../../../src/mcp/tools.ts';
import { keyPairFromSeed } from '../../../src/crypto/ed25519.ts';

const textOf = (result: object) => ((result as { content?: Array<{ text: string }> }).content ?? []).map((part) => part.text).join('\n');

describe('tool errors', () => {
  it('carry the service error code in the text and in _meta, with the field of an input error', () => {
    const input = toolError(new InputError('receiptId is required', 'input.receiptId'));
    expect(input).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'INVALID_INPUT: receiptId is required' }],
      _meta: { 'credence.dev/error': { code: 'INVALID_INPUT', field: 'input.receiptId' } },
    });
    expect(textOf(toolError(new AuthError('TOKEN_REPLAYED', 'this token was already used')))).toBe('TOKEN_REPLAYED: this token was already used');
    expect(toolError(new CredenceClientError('NETWORK_ERROR', 'could not reach it'))._meta).toEqual({ 'credence.dev/error': { code: 'NETWORK_ERROR' } });
  });

  it('hide what an unexpected error says, and report it to the caller\'s hook', () => {
    const seen: unknown[] = [];
    const secret = new Error('connection to postgres://user:hunter2@db failed');
    const result = toolError(secret, (error) => seen.push(error));
    expect(textOf(result)).toBe('INTERNAL_SERVER_ERROR: unexpected error');
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(seen).toEqual([secret]);
  });
});

describe('instructions', () => {
  it('explain the trust model, link docs/trust-model.md and say how this server acts', () => {
    const byToken = serverInstructions({ canPresent: false, actsAs: 'token' });
    const byKey = serverInstructions({ canPresent: true, actsAs: 'key' });
    const readOnly = serverInstructions({ canPresent: false, actsAs: 'none' });
    for (const text of [byToken, byKey, readOnly]) {
      expect(text).toContain('docs/trust-model.md');
      expect(text).toMatch(/NO_HISTORY/);
    }
    expect(byToken).toMatch(/Authorization: Bearer/);
    expect(byToken).toMatch(/never holds/);
    expect(byKey).toMatch(/create_presentation signs/);
    expect(readOnly).toMatch(/--key/);
  });
});

describe('the stdio backend', () => {
  it('answers NETWORK_ERROR tool errors when the service cannot be reached', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const key = keyPairFromSeed(Buffer.alloc(32, 9));
    const server = createMcpServer(clientBackend(createCredenceClient({ url: `http://127.0.0.1:${port}`, key }), { key }), { actsAs: 'key' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'unit', version: '1.0.0' });
    await client.connect(clientSide);
    const report = await client.callTool({ name: 'get_trust_report', arguments: { did: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' } });
    expect(report.isError).toBe(true);
    expect(textOf(report)).toMatch(/^NETWORK_ERROR: could not reach/);
    const claim = await client.callTool({ name: 'claim_did', arguments: {} });
    expect(textOf(claim)).toMatch(/^NETWORK_ERROR: /);
    await client.close();
    await server.close();
  });
});
