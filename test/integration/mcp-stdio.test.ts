// `credence mcp` over stdio, spawned as an agent host would start it, driven by the SDK's StdioClientTransport
// against a real listening service: from claim_did to request_credential to create_presentation, and the
// presentation verifies with verify_presentation, with `credence verify` and with did-jwt-vc alone. The spawned
// process mints tokens and signs with the real clock, so the service's injected clock is kept at the real time.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Resolver, type DIDResolutionResult } from 'did-resolver';
import { getResolver as keyDidResolver } from 'key-did-resolver';
import { verifyPresentation as didJwtVerifyPresentation } from 'did-jwt-vc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeKeyFile } from '../../src/crypto/key-file.ts';
import { ACTING_TOOLS, READ_TOOLS } from '../../src/mcp/tools.ts';
import { CLI, runCli } from '../helpers/cli.ts';
import { escrowVerifiedReceipt, issue } from '../helpers/credentials.ts';
import { createScene, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

/** Each test spawns tsx processes, which take seconds each on a loaded machine. */
const SPAWN_TIMEOUT = 180_000;

type ToolResult = { isError?: boolean; structuredContent?: any; content: Array<{ type: string; text?: string }> };

describe('credence mcp over stdio', () => {
  let t: TestApp;
  let server: Server;
  let url: string;
  let dir: string;
  let scene: Scene;
  let keyFile: string;
  const clients: Client[] = [];

  /** The service's clock follows the real one, which the spawned process signs with. */
  const sync = () => t.setNow(new Date());

  async function spawnMcp(args: string[]): Promise<Client> {
    const client = new Client({ name: 'credence-stdio-test', version: '1.0.0' });
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', ...args], stderr: 'pipe' });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  const call = async (client: Client, name: string, args: Record<string, unknown> = {}) => {
    sync();
    return (await client.callTool({ name, arguments: args })) as ToolResult;
  };
  const text = (result: ToolResult) => result.content.map((part) => part.text ?? '').join('\n');

  beforeAll(async () => {
    t = await createTestApp('embedded');
    sync();
    server = createServer(t.app.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await mkdtemp(path.join(tmpdir(), 'credence-mcp-'));
    scene = await createScene(t);
    keyFile = path.join(dir, 'agent.json');
    await writeKeyFile(keyFile, scene.agent);
  });
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, SPAWN_TIMEOUT);

  it('goes from claim_did to request_credential to create_presentation, and the presentation verifies everywhere', async () => {
    const agent = await spawnMcp(['--url', url, '--key', keyFile]);
    const { tools } = await agent.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...READ_TOOLS, ...ACTING_TOOLS, 'create_presentation'].sort());
    const present = tools.find((tool) => tool.name === 'create_presentation')!;
    expect(Object.keys(present.inputSchema.properties as object).sort()).toEqual(['challenge', 'credentialIds', 'domain', 'format']);
    expect(agent.getInstructions()).toContain('docs/trust-model.md');

    const claimed = await call(agent, 'claim_did', { displayName: 'Stdio Agent' });
    expect(claimed.isError).toBeFalsy();
    expect(claimed.structuredContent).toMatchObject({ did: scene.agent.did, displayName: 'Stdio Agent', claimed: true });
    expect((await t.gql(`query($did: String!) { agent(did: $did) { displayName } }`, { did: scene.agent.did })).data.agent).toEqual({
      displayName: 'Stdio Agent',
    });

    const reputation = await call(agent, 'request_credential', { type: 'REPUTATION', format: 'JWT' });
    expect(reputation.structuredContent).toMatchObject({ type: 'REPUTATION', format: 'JWT', revoked: false });
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const task = await call(agent, 'request_credential', { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId });
    expect(task.structuredContent).toMatchObject({ type: 'TASK_COMPLETION', format: 'JSON_LD' });

    const listed = await call(agent, 'list_my_credentials');
    expect(listed.structuredContent.credentials.map((item: { credentialId: string }) => item.credentialId).sort()).toEqual(
      [reputation.structuredContent.credentialId, task.structuredContent.credentialId].sort(),
    );

    // A JWT presentation of the JWT credential for a verifier's challenge.
    const created = await call(agent, 'create_presentation', {
      credentialIds: [reputation.structuredContent.credentialId],
      challenge: 'hire-7f3a',
      domain: 'market.example',
    });
    expect(created.isError, text(created)).toBeFalsy();
    expect(created.structuredContent).toMatchObject({ format: 'JWT', holder: scene.agent.did });
    const jwt: string = created.structuredContent.presentation;
    expect(text(created)).toContain(jwt);

    // verify_presentation (through the same server, which asks the service).
    const verified = await call(agent, 'verify_presentation', { presentation: jwt, challenge: 'hire-7f3a', domain: 'market.example' });
    expect(verified.structuredContent).toMatchObject({ valid: true, holder: scene.agent.did, errors: [] });
    expect(verified.structuredContent.credentials).toMatchObject([{ valid: true, credentialId: reputation.structuredContent.credentialId }]);
    const wrong = await call(agent, 'verify_presentation', { presentation: jwt, challenge: 'someone-elses', domain: 'market.example' });
    expect(wrong.structuredContent.valid).toBe(false);
    expect(wrong.structuredContent.errors.join(' ')).toMatch(/challenge/);

    // `credence verify`, offline from the service's published DID document and status list.
    const vpFile = path.join(dir, 'vp.jwt');
    await writeFile(vpFile, jwt);
    const verifyArgs = ['verify', vpFile, '--did-document', `${url}/.well-known/did.json`, '--status-list', `${url}/credentials/status/1`, '--domain', 'market.example'];
    const cli = await runCli([...verifyArgs, '--challenge', 'hire-7f3a']);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^valid: presentation \(JWT\)/);
    const cliWrong = await runCli([...verifyArgs, '--challenge', 'someone-elses']);
    expect(cliWrong.code).toBe(1);
    expect(cliWrong.stdout).toMatch(/challenge/);

    // did-jwt-vc alone, with a resolver for did:key and the service's did:web document.
    const didDocument = await (await t.fetch('/.well-known/did.json')).json();
    const resolver = new Resolver({
      ...keyDidResolver(),
      web: async (did): Promise<DIDResolutionResult> =>
        did === didDocument.id
          ? { didResolutionMetadata: {}, didDocument, didDocumentMetadata: {} }
          : { didResolutionMetadata: { error: 'notFound' }, didDocument: null, didDocumentMetadata: {} },
    });
    const thirdParty = await didJwtVerifyPresentation(jwt, resolver, { challenge: 'hire-7f3a', domain: 'market.example' });
    expect(thirdParty.verified).toBe(true);
    expect(thirdParty.verifiablePresentation.holder).toBe(scene.agent.did);
    await expect(didJwtVerifyPresentation(jwt, resolver, { challenge: 'someone-elses', domain: 'market.example' })).rejects.toThrow(/challenge/);

    // A JSON-LD presentation of the JSON-LD credential.
    const jsonLd = await call(agent, 'create_presentation', {
      credentialIds: [task.structuredContent.credentialId],
      challenge: 'hire-8b1c',
      domain: 'market.example',
      format: 'JSON_LD',
    });
    expect(jsonLd.structuredContent.format).toBe('JSON_LD');
    const document = JSON.parse(jsonLd.structuredContent.presentation);
    expect(document.proof).toMatchObject({ proofPurpose: 'authentication', challenge: 'hire-8b1c', domain: 'market.example' });
    const jsonLdVerified = await call(agent, 'verify_presentation', { presentation: jsonLd.structuredContent.presentation, challenge: 'hire-8b1c' });
    expect(jsonLdVerified.structuredContent).toMatchObject({ valid: true, format: 'JSON_LD', holder: scene.agent.did });
  }, SPAWN_TIMEOUT);

  it('refuses presentations it must not make, with the error codes', async () => {
    const agent = await spawnMcp(['--url', url, '--key', keyFile]);
    const code = (result: ToolResult) => {
      expect(result.isError).toBe(true);
      return text(result).split(':')[0];
    };
    const binding = { challenge: 'c-1', domain: 'market.example' };
    expect(code(await call(agent, 'create_presentation', { credentialIds: ['urn:uuid:00000000-0000-4000-8000-000000000000'], ...binding }))).toBe('NOT_FOUND');

    const other = newKey();
    const theirs = (await issue(t, other, { type: 'REPUTATION', format: 'JWT' })).credential;
    expect(code(await call(agent, 'create_presentation', { credentialIds: [theirs.credentialId], ...binding }))).toBe('FORBIDDEN');

    const mine = await call(agent, 'request_credential', { type: 'REPUTATION', format: 'JWT' });
    const refused = await call(agent, 'create_presentation', { credentialIds: [mine.structuredContent.credentialId], ...binding, format: 'JSON_LD' });
    expect(code(refused)).toBe('INVALID_INPUT');
    expect(text(refused)).toMatch(/use format JWT/);
    const mineJsonLd = await call(agent, 'request_credential', { type: 'REPUTATION', format: 'JSON_LD' });
    const mixed = await call(agent, 'create_presentation', { credentialIds: [mine.structuredContent.credentialId, mineJsonLd.structuredContent.credentialId], ...binding });
    expect(code(mixed)).toBe('INVALID_INPUT');
    expect(text(mixed)).toMatch(/credential 1 is JSON-LD/);

    const revoked = await t.gql(
      `mutation($id: ID!) { revokeCredential(id: $id, reason: "test") { __typename } }`,
      { id: mine.structuredContent.credentialId },
      t.admin,
    );
    expect(revoked.data.revokeCredential.__typename).toBe('RevokeCredentialPayload');
    expect(code(await call(agent, 'create_presentation', { credentialIds: [mine.structuredContent.credentialId], ...binding }))).toBe('INVALID_INPUT');
  }, SPAWN_TIMEOUT);

  it('without --key serves the read tools only: acting tools answer NO_KEY and nothing presents', async () => {
    const reader = await spawnMcp(['--url', url]);
    const names = (await reader.listTools()).tools.map((tool) => tool.name);
    expect(names).not.toContain('create_presentation');
    expect(names).toContain('claim_did');
    const refused = await call(reader, 'claim_did', { displayName: 'Nobody' });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/^NO_KEY: /);
    const report = await call(reader, 'get_trust_report', { did: scene.agent.did });
    expect(report.structuredContent.did).toBe(scene.agent.did);
    const unclaimed = newKey().did;
    const unclaimedAgent = await call(reader, 'get_agent', { did: unclaimed });
    expect(unclaimedAgent.isError, text(unclaimedAgent)).toBeFalsy();
    expect(unclaimedAgent.structuredContent).toEqual({
      did: unclaimed,
      displayName: null,
      claimed: false,
      claimedAt: null,
      profileUrl: `http://localhost:4000/agents/${unclaimed}`,
      badgeUrl: `http://localhost:4000/badge/${unclaimed}.svg`,
    });
  }, SPAWN_TIMEOUT);

  it('refuses a bad command line with usage errors (exit 2)', async () => {
    expect((await runCli(['mcp'])).code).toBe(2);
    const bad = await runCli(['mcp', '--url', 'ftp://example.com']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--url must be an http\(s\) URL/);
  }, SPAWN_TIMEOUT);
});
