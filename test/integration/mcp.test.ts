// The MCP server over Streamable HTTP, driven by the SDK's own Client and StreamableHTTPClientTransport against the
// real app on a real listening socket: the tool list, every read tool (compared with GraphQL's answers), every acting
// tool with the caller's token, refused missing and replayed tokens, and the same rate limits, body limit, logs and
// metrics as /graphql.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPresentation } from '../../src/client/presentation.ts';
import { ACTING_TOOLS, READ_TOOLS } from '../../src/mcp/tools.ts';
import { createLogger } from '../../src/logger.ts';
import { escrowVerifiedReceipt, issue } from '../helpers/credentials.ts';
import { createScene, signReceipt, SUBMIT, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp, type TestKey } from '../helpers/test-app.ts';
import { testDatabaseKinds } from '../helpers/database.ts';

interface Listening {
  url: string;
  close(): Promise<void>;
}

async function listen(t: TestApp): Promise<Listening> {
  const server: Server = createServer(t.app.yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An MCP client; `authorization` is asked before every HTTP request (a fresh token per request, or a fixed one). */
async function mcpClient(url: string, authorization?: () => string | undefined): Promise<Client> {
  const client = new Client({ name: 'credence-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      const value = authorization?.();
      if (value !== undefined) headers.set('authorization', `Bearer ${value}`);
      return fetch(input, { ...init, headers });
    },
  });
  await client.connect(transport);
  return client;
}

type ToolResult = { isError?: boolean; structuredContent?: any; content: Array<{ type: string; text?: string }>; _meta?: any };

const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as ToolResult;
const text = (result: ToolResult) => result.content.map((part) => part.text ?? '').join('\n');
const errorCode = (result: ToolResult) => {
  expect(result.isError).toBe(true);
  return text(result).split(':')[0];
};

const TRUST_FIELDS = /* GraphQL */ `
  did asOf score tier confidence vector { E P B D R A C }
  windows {
    d7 { tasks accepted disputed refunded acceptedRate disputeRate volumeUsd avgValueUsd uniqueCounterparties escrowVerifiedShare verifiedVolumeUsd }
    d30 { tasks accepted disputed refunded acceptedRate disputeRate volumeUsd avgValueUsd uniqueCounterparties escrowVerifiedShare verifiedVolumeUsd }
    d90 { tasks accepted disputed refunded acceptedRate disputeRate volumeUsd avgValueUsd uniqueCounterparties escrowVerifiedShare verifiedVolumeUsd }
    lifetime { tasks accepted disputed refunded acceptedRate disputeRate volumeUsd avgValueUsd uniqueCounterparties escrowVerifiedShare verifiedVolumeUsd }
  }
  client { jobsAsClient disputesFiled disputeRate restricted }
  flags { code severity detail }
  explanation { factor points detail }
`;

describe.each(testDatabaseKinds)('MCP over Streamable HTTP (%s)', (kind) => {
  let t: TestApp;
  let server: Listening;
  let scene: Scene;
  let reader: Client;

  beforeAll(async () => {
    t = await createTestApp(kind);
    server = await listen(t);
    scene = await createScene(t);
    for (let i = 0; i < 3; i += 1) {
      const submitted = await t.gql(SUBMIT, { receipt: signReceipt(t, scene) });
      expect(submitted.data.submitReceipt.__typename).toBe('SubmitReceiptPayload');
    }
    reader = await mcpClient(server.url);
  });
  afterAll(async () => {
    await reader?.close();
    await server?.close();
    await t?.close();
  });

  it('lists the nine service tools with descriptions, the exact argument names and output schemas; instructions explain the trust model', async () => {
    const { tools } = await reader.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect([...byName.keys()].sort()).toEqual([...READ_TOOLS, ...ACTING_TOOLS].sort());
    // The service never holds an agent's key, so it cannot sign presentations.
    expect(byName.has('create_presentation')).toBe(false);
    const args = (name: string) => Object.keys((byName.get(name)!.inputSchema.properties ?? {}) as object).sort();
    expect(args('check_trust')).toEqual(['did', 'policy']);
    expect(args('get_trust_report')).toEqual(['asOf', 'did']);
    expect(args('trust_batch')).toEqual(['dids']);
    expect(args('get_agent')).toEqual(['did']);
    expect(args('verify_credential')).toEqual(['credential']);
    expect(args('verify_presentation')).toEqual(['challenge', 'domain', 'presentation']);
    expect(args('claim_did')).toEqual(['displayName']);
    expect(args('list_my_credentials')).toEqual([]);
    expect(args('request_credential')).toEqual(['format', 'receiptId', 'type']);
    expect(byName.get('check_trust')!.inputSchema.required).toEqual(['did', 'policy']);
    const policy = (byName.get('check_trust')!.inputSchema.properties as any).policy;
    expect(Object.keys(policy.properties).sort()).toEqual(
      ['maxDisputeRate', 'minConfidence', 'minScore', 'minTier', 'minVerifiedVolumeUsd', 'rejectAbusiveClient', 'rejectFlags', 'rejectRestrictedClient', 'window'].sort(),
    );
    expect((byName.get('trust_batch')!.inputSchema.properties as any).dids.maxItems).toBe(100);
    for (const tool of tools) {
      expect(tool.description!.length).toBeGreaterThan(60);
      expect(tool.outputSchema?.type).toBe('object');
    }
    const outputs = (name: string) => Object.keys(byName.get(name)!.outputSchema!.properties as object);
    expect(outputs('check_trust')).toEqual(expect.arrayContaining(['allowed', 'reasons', 'score', 'tier', 'confidence']));
    expect(outputs('get_trust_report')).toEqual(expect.arrayContaining(['score', 'tier', 'confidence', 'vector', 'windows', 'flags', 'explanation']));
    expect(outputs('get_agent')).toEqual(expect.arrayContaining(['did', 'displayName', 'claimed', 'profileUrl', 'badgeUrl']));
    expect(outputs('verify_credential')).toEqual(expect.arrayContaining(['valid', 'revoked', 'issuer', 'errors']));
    expect(outputs('verify_presentation')).toEqual(expect.arrayContaining(['valid', 'holder', 'errors']));
    expect(outputs('request_credential')).toEqual(expect.arrayContaining(['credentialId', 'encoded']));

    const instructions = reader.getInstructions()!;
    expect(instructions).toContain('docs/trust-model.md');
    expect(instructions).toMatch(/escrow/);
    expect(reader.getServerVersion()?.name).toBe('credence');
  });

  it('answers every read tool with what GraphQL answers, without a token', async () => {
    const asOf = t.now.toISOString();
    const expected = (await t.gql(`query($did: String!, $asOf: DateTime) { trust(did: $did, asOf: $asOf) { ${TRUST_FIELDS} } }`, { did: scene.agent.did, asOf })).data.trust;

    const report = await call(reader, 'get_trust_report', { did: scene.agent.did, asOf });
    expect(report.isError).toBeFalsy();
    expect(report.structuredContent).toEqual(expected);
    expect(text(report)).toContain(`tier ${expected.tier}`);

    const decision = await call(reader, 'check_trust', { did: scene.agent.did, policy: { minTier: 'A', minConfidence: 0.99 } });
    const graphqlDecision = (
      await t.gql(`query($did: String!, $policy: TrustPolicyInput!) { checkTrust(did: $did, policy: $policy) { allowed reasons } }`, {
        did: scene.agent.did,
        policy: { minTier: 'A', minConfidence: 0.99 },
      })
    ).data.checkTrust;
    expect(decision.structuredContent).toMatchObject({
      did: scene.agent.did,
      allowed: false,
      reasons: graphqlDecision.reasons,
      score: expected.score,
      tier: expected.tier,
      confidence: expected.confidence,
    });
    expect(decision.structuredContent.reasons).toHaveLength(2);
    expect(text(decision)).toMatch(/^not allowed: /);
    expect((await call(reader, 'check_trust', { did: scene.agent.did, policy: {} })).structuredContent.allowed).toBe(true);

    const unknown = newKey().did;
    const batch = await call(reader, 'trust_batch', { dids: [unknown, scene.agent.did, scene.buyer.did] });
    expect(batch.structuredContent.reports.map((item: { did: string }) => item.did)).toEqual([unknown, scene.agent.did, scene.buyer.did]);
    expect(batch.structuredContent.reports[0]).toMatchObject({ tier: 'F', confidence: 0, flags: [expect.objectContaining({ code: 'NO_HISTORY' })] });
    expect(batch.structuredContent.reports[1].score).toBe(expected.score);

    // The agent has not claimed its DID; another agent has.
    const claimedKey = newKey();
    await t.gql(`mutation { claimDid(input: { displayName: "Claimed One" }) { __typename } }`, {}, claimedKey);
    const claimed = await call(reader, 'get_agent', { did: claimedKey.did });
    expect(claimed.structuredContent).toMatchObject({
      did: claimedKey.did,
      displayName: 'Claimed One',
      claimed: true,
      profileUrl: `http://localhost:4000/agents/${claimedKey.did}`,
      badgeUrl: `http://localhost:4000/badge/${claimedKey.did}.svg`,
    });
    const unclaimed = await call(reader, 'get_agent', { did: scene.agent.did });
    expect(unclaimed.structuredContent).toMatchObject({ did: scene.agent.did, displayName: null, claimed: false, claimedAt: null });

    // Credentials and presentations: the holder's own, made with the typed client's createPresentation.
    const credential = (await issue(t, scene.agent, { type: 'REPUTATION', format: 'JWT' })).credential;
    const verified = await call(reader, 'verify_credential', { credential: credential.encoded });
    expect(verified.structuredContent).toMatchObject({
      valid: true,
      revoked: false,
      issuer: t.app.serviceDid,
      issuedByService: true,
      subject: scene.agent.did,
      credentialId: credential.credentialId,
      errors: [],
    });
    const [header, payload, signature] = credential.encoded.split('.');
    const tampered = `${header}.${payload}.${signature.slice(0, -4)}AAAA`;
    const refused = await call(reader, 'verify_credential', { credential: tampered });
    expect(refused.isError).toBeFalsy();
    expect(refused.structuredContent.valid).toBe(false);
    expect(refused.structuredContent.errors.length).toBeGreaterThan(0);

    const presentation = await createPresentation({ key: scene.agent, credentials: [credential.encoded], challenge: 'n-123', domain: 'hire.example', now: t.now });
    const good = await call(reader, 'verify_presentation', { presentation, challenge: 'n-123', domain: 'hire.example' });
    expect(good.structuredContent).toMatchObject({ valid: true, format: 'JWT', holder: scene.agent.did, errors: [] });
    expect(good.structuredContent.credentials[0]).toMatchObject({ valid: true, credentialId: credential.credentialId });
    const wrong = await call(reader, 'verify_presentation', { presentation, challenge: 'n-999', domain: 'hire.example' });
    expect(wrong.structuredContent.valid).toBe(false);
    expect(wrong.structuredContent.errors.join(' ')).toMatch(/challenge/);
  });

  it('refuses bad arguments as tool errors and stores nothing', async () => {
    expect((await call(reader, 'get_trust_report', { did: 'not-a-did' })).isError).toBe(true);
    // The same DIDs as GraphQL's trust queries: a did:key or a did:web, not any method; dates in DateTime's range.
    expect((await call(reader, 'check_trust', { did: 'did:example:123456', policy: {} })).isError).toBe(true);
    expect((await call(reader, 'get_trust_report', { did: scene.agent.did, asOf: '0001-01-01T00:00:00Z' })).isError).toBe(true);
    expect((await call(reader, 'get_trust_report', { did: 'did:web:market.example' })).structuredContent.tier).toBe('F');
    expect((await call(reader, 'get_agent', { did: 'did:web:example.com' })).isError).toBe(true);
    expect((await call(reader, 'trust_batch', { dids: Array.from({ length: 101 }, () => scene.agent.did) })).isError).toBe(true);
    expect((await call(reader, 'check_trust', { did: scene.agent.did, policy: { minTier: 'Z' } })).isError).toBe(true);
    const holder = newKey();
    const bad = await call(await mcpClient(server.url, () => t.token(holder)), 'claim_did', { displayName: 'x'.repeat(101) });
    expect(bad.isError).toBe(true);
    expect((await t.gql(`query($did: String!) { agent(did: $did) { did } }`, { did: holder.did })).data.agent).toBeNull();
  });

  it('acts as the caller with a fresh token per request: claim_did, request_credential, list_my_credentials', async () => {
    const agent = scene.agent;
    const client = await mcpClient(server.url, () => t.token(agent));

    const claimed = await call(client, 'claim_did', { displayName: '  Worker Bee ' });
    expect(claimed.isError).toBeFalsy();
    expect(claimed.structuredContent).toMatchObject({ did: agent.did, displayName: 'Worker Bee', claimed: true });
    expect((await t.gql(`query($did: String!) { agent(did: $did) { displayName } }`, { did: agent.did })).data.agent).toEqual({ displayName: 'Worker Bee' });

    const reputation = await call(client, 'request_credential', { type: 'REPUTATION', format: 'JSON_LD' });
    expect(reputation.isError).toBeFalsy();
    expect(reputation.structuredContent).toMatchObject({ type: 'REPUTATION', format: 'JSON_LD', revoked: false });
    expect(JSON.parse(reputation.structuredContent.encoded).credentialSubject.id).toBe(agent.did);
    const check = await call(reader, 'verify_credential', { credential: reputation.structuredContent.encoded });
    expect(check.structuredContent).toMatchObject({ valid: true, credentialId: reputation.structuredContent.credentialId });

    const receiptId = await escrowVerifiedReceipt(t, scene);
    const task = await call(client, 'request_credential', { type: 'TASK_COMPLETION', format: 'JWT', receiptId });
    expect(task.structuredContent).toMatchObject({ type: 'TASK_COMPLETION', format: 'JWT' });
    // Service error codes travel as tool errors.
    const missingReceipt = await call(client, 'request_credential', { type: 'TASK_COMPLETION', format: 'JWT' });
    expect(errorCode(missingReceipt)).toBe('INVALID_INPUT');
    expect(missingReceipt._meta['credence.dev/error']).toEqual({ code: 'INVALID_INPUT', field: 'input.receiptId' });
    expect(errorCode(await call(client, 'request_credential', { type: 'TASK_COMPLETION', format: 'JWT', receiptId: 'rcp_unknown' }))).toBe('NOT_FOUND');

    const listed = await call(client, 'list_my_credentials');
    const ids = listed.structuredContent.credentials.map((item: { credentialId: string }) => item.credentialId);
    expect(ids).toEqual(expect.arrayContaining([reputation.structuredContent.credentialId, task.structuredContent.credentialId]));
    const graphql = (await t.gql(`query($did: String!) { credentials(did: $did, first: 100) { edges { node { credentialId } } } }`, { did: agent.did })).data.credentials;
    expect(ids).toEqual(graphql.edges.map((edge: { node: { credentialId: string } }) => edge.node.credentialId));
    const listedTask = listed.structuredContent.credentials.find((item: { credentialId: string }) => item.credentialId === task.structuredContent.credentialId);
    expect(listedTask).toEqual({
      credentialId: task.structuredContent.credentialId,
      type: 'TASK_COMPLETION',
      format: 'JWT',
      revoked: false,
      issuedAt: t.now.toISOString(),
      expiresAt: null,
    });
    await client.close();
  });

  it('refuses acting tools without a token, with a replayed token and with a token for another audience', async () => {
    const stranger = newKey();
    for (const [name, args] of [
      ['claim_did', { displayName: 'Nobody' }],
      ['list_my_credentials', {}],
      ['request_credential', { type: 'REPUTATION', format: 'JWT' }],
    ] as const) {
      expect(errorCode(await call(reader, name, args))).toBe('UNAUTHENTICATED');
    }

    // One token sent on every request: reads and the handshake do not spend it, the first acting call does.
    const token = t.token(stranger);
    const fixed = await mcpClient(server.url, () => token);
    expect((await call(fixed, 'get_trust_report', { did: stranger.did })).isError).toBeFalsy();
    expect((await call(fixed, 'claim_did', { displayName: 'First' })).structuredContent.displayName).toBe('First');
    const replayed = await call(fixed, 'claim_did', { displayName: 'Second' });
    expect(errorCode(replayed)).toBe('TOKEN_REPLAYED');
    expect(errorCode(await call(fixed, 'request_credential', { type: 'REPUTATION', format: 'JWT' }))).toBe('TOKEN_REPLAYED');
    expect((await t.gql(`query($did: String!) { agent(did: $did) { displayName } }`, { did: stranger.did })).data.agent).toEqual({ displayName: 'First' });
    await fixed.close();

    const elsewhere = await mcpClient(server.url, () => t.token(stranger, { audience: 'did:web:elsewhere.example' }));
    expect(errorCode(await call(elsewhere, 'claim_did', { displayName: 'Elsewhere' }))).toBe('UNAUTHENTICATED');
    await elsewhere.close();
  });

  it('answers GET and DELETE with 405 (stateless: no stream, no session)', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${server.url}/mcp`, { method, headers: { accept: 'text/event-stream' } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });
});

describe('MCP behind the same limits, logs and metrics as /graphql', () => {
  let t: TestApp;
  let server: Listening;
  let limiterNow = 0;
  const lines: string[] = [];
  let agent: TestKey;

  beforeAll(async () => {
    t = await createTestApp(
      'embedded',
      { CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '8', CREDENCE_RATE_LIMIT_DID_PER_MINUTE: '3', CREDENCE_MAX_BODY_BYTES: '20000' },
      { limiterClock: () => limiterNow, logger: createLogger('info', (line) => lines.push(line)) },
    );
    server = await listen(t);
    agent = newKey();
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('limits per DID and per address, answering 429 with Retry-After, and counts it', async () => {
    // The DID bucket holds 3 requests: the handshake carries the agent's tokens too, so a tool call soon meets the limit.
    const client = await mcpClient(server.url, () => t.token(agent));
    let calls = 0;
    let refusal: unknown;
    try {
      for (; calls < 5; calls += 1) await call(client, 'list_my_credentials');
    } catch (error) {
      refusal = error;
    }
    expect(calls).toBeLessThan(3);
    expect(String(refusal)).toMatch(/RATE_LIMITED/);
    await client.close();

    // The address bucket (8) is spent by now too (the requests above plus these).
    const anonymous = new Client({ name: 'credence-test', version: '1.0.0' });
    let limited: unknown;
    try {
      await anonymous.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
      for (let i = 0; i < 8; i += 1) await call(anonymous, 'get_trust_report', { did: agent.did });
    } catch (error) {
      limited = error;
    }
    expect(String(limited)).toMatch(/RATE_LIMITED/);
    const response = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);

    const metrics = await (await t.fetch('/metrics')).text();
    expect(metrics).toMatch(/credence_rate_limited_total\{scope="did"\} [1-9]/);
    expect(metrics).toMatch(/credence_rate_limited_total\{scope="ip"\} [1-9]/);
    expect(metrics).toMatch(/credence_http_requests_total\{method="POST",route="\/mcp",status="200"\} [1-9]/);
    expect(metrics).toMatch(/credence_http_requests_total\{method="POST",route="\/mcp",status="429"\} [1-9]/);

    // One request log line per MCP request; never a token in the log.
    const logged = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request' && entry.path === '/mcp');
    expect(logged.length).toBeGreaterThanOrEqual(6);
    expect(logged.some((entry) => entry.status === 429)).toBe(true);
    expect(lines.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\./);
    limiterNow += 120_000;
  });

  it('refuses bodies over CREDENCE_MAX_BODY_BYTES with 413, declared or streamed', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'verify_credential', arguments: { credential: 'x'.repeat(30_000) } } });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    expect((await t.fetch('/mcp', { method: 'POST', headers, body: big })).status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    expect((await t.fetch('/mcp', { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit)).status).toBe(413);
  });
});
