// Secrets never reach the logs: a full run through a real listening server (issuer key from the environment, a
// platform registered with a webhook secret, bearer tokens, settlements, receipts, credentials, and a few requests
// that carry secrets in the wrong places), logging at debug level, and every captured line searched.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startServer, type RunningServer } from '../../src/main.ts';
import { escrowVerifiedReceipt, ISSUE } from '../helpers/credentials.ts';
import { httpTestClient, type HttpTestClient } from '../helpers/http-client.ts';
import { signReceipt, type Scene } from '../helpers/marketplace.ts';
import { newKey } from '../helpers/test-app.ts';

describe('log secrecy over a full run of the real server (embedded database)', () => {
  const seed = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff));
  const secrets: Record<string, string> = {
    'issuer key (base64url)': seed.toString('base64url'),
    'issuer key (hex)': seed.toString('hex'),
  };
  const lines: string[] = [];
  let dataDir: string;
  let running: RunningServer;
  let client: HttpTestClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'credence-secrecy-'));
  });
  afterAll(async () => {
    await running?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('never logs the issuer key, a webhook secret or a bearer token', async () => {
    const admin = newKey();
    const config = loadConfig({
      CREDENCE_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      CREDENCE_PUBLIC_URL: 'http://localhost:4000',
      CREDENCE_ADMIN_DIDS: admin.did,
      CREDENCE_ISSUER_KEY: secrets['issuer key (base64url)']!,
      CREDENCE_LOG_LEVEL: 'debug',
      // The webhook URL below is a loopback address.
      CREDENCE_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true',
    });
    running = await startServer(config, createLogger('debug', (line) => lines.push(line)));
    client = httpTestClient(running.url, running.app.serviceDid, admin);
    const t = client.asTestApp();

    // A platform with a webhook: its secret is returned once.
    const scene: Scene = { platform: newKey(), agent: newKey(), buyer: newKey() };
    const registered = await client.gql(
      `mutation($input: RegisterPlatformInput!) { registerPlatform(input: $input) { ... on RegisterPlatformPayload { webhookSecret platform { did } } ... on Error { code } } }`,
      { input: { name: 'Secret market', webhookUrl: 'http://127.0.0.1:9/hooks' } },
      scene.platform,
    );
    const webhookSecret = registered.data.registerPlatform.webhookSecret as string;
    expect(webhookSecret.length).toBeGreaterThanOrEqual(32);
    secrets['webhook secret'] = webhookSecret;
    const approved = await client.gql(`mutation($did: String!) { approvePlatform(did: $did) { __typename } }`, { did: scene.platform.did }, admin);
    expect(approved.data.approvePlatform.__typename).toBe('PlatformPayload');

    // The agent claims its DID; settlements and receipts, one escrow-verified; both credential kinds.
    expect((await client.gql(`mutation { claimDid(input: { displayName: "Quiet" }) { __typename } }`, {}, scene.agent)).data.claimDid.__typename).toBe('ClaimDidPayload');
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const batch = await client.gql(`mutation($r: [ReceiptSubmissionInput!]!) { submitReceipts(receipts: $r) { ... on SubmitReceiptsPayload { results { __typename } } } }`, {
      r: [{ receipt: signReceipt(t, scene) }, { receipt: signReceipt(t, scene, { outcome: 'disputed' }) }],
    });
    expect(batch.data.submitReceipts.results).toHaveLength(2);
    const task = await client.gql(ISSUE, { input: { type: 'TASK_COMPLETION', format: 'JWT', receiptId } }, scene.agent);
    expect(task.data.issueCredential.__typename).toBe('IssueCredentialPayload');
    const reputation = await client.gql(ISSUE, { input: { type: 'REPUTATION', format: 'JSON_LD' } }, scene.agent);
    expect(reputation.data.issueCredential.__typename).toBe('IssueCredentialPayload');
    const revoked = await client.gql(`mutation($id: ID!) { revokeCredential(id: $id, reason: "test") { __typename } }`, { id: task.data.issueCredential.credential.id }, admin);
    expect(revoked.data.revokeCredential.__typename).toBe('RevokeCredentialPayload');

    // Secrets in the wrong places: a replayed token, a token as a mistyped variable, in a query string, in a
    // malformed Authorization header, on a probe.
    const spent = client.token(scene.agent);
    await client.gql(`{ viewer { did } }`, {}, spent);
    const replayed = await client.gql(`mutation { claimDid { __typename ... on Error { code } } }`, {}, spent);
    expect(replayed.data.claimDid.code).toBe('TOKEN_REPLAYED');
    const loose = client.token(scene.buyer);
    const mistyped = await client.gql(`query($did: String!) { trust(did: $did) { score } }`, { did: { token: loose, secret: webhookSecret } });
    expect(mistyped.errors?.[0]?.message).toMatch(/invalid value/);
    await client.fetch(`/graphql?query=${encodeURIComponent('{ serviceInfo { did } }')}&token=${loose}&secret=${webhookSecret}`);
    await client.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Token ${loose}` }, body: '{"query":"{ viewer { did } }"}' });
    await client.fetch('/health', { headers: { authorization: `Bearer ${loose}` } });
    const metrics = await (await client.fetch('/metrics')).text();

    await running.close();

    // The run was logged: startup, one line per request with its id, the background propagation.
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.some((line) => line.msg === 'credence listening')).toBe(true);
    expect(parsed.some((line) => line.msg === 'propagation finished')).toBe(true);
    expect(parsed.filter((line) => line.msg === 'request' && typeof line.requestId === 'string').length).toBeGreaterThanOrEqual(15);

    const everything = lines.join('');
    expect(client.tokens.length).toBeGreaterThanOrEqual(8);
    for (const [index, token] of client.tokens.entries()) {
      expect(everything.includes(token), `token ${index}`).toBe(false);
      // Not even its signature part.
      expect(everything.includes(token.split('.')[2]!), `token ${index} signature`).toBe(false);
    }
    for (const [name, secret] of Object.entries(secrets)) {
      expect(everything.includes(secret), name).toBe(false);
      expect(metrics.includes(secret), `${name} in /metrics`).toBe(false);
    }
  }, 120_000);
});
