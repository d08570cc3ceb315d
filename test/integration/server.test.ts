// The process-level behaviour: a real listening server, its data directory, its key file, signals and the CLI.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAuthToken } from '../../src/auth/did-auth.ts';
import { loadConfig } from '../../src/config.ts';
import { mintAuthToken } from '../../src/auth/mint-token.ts';
import { createLogger } from '../../src/logger.ts';
import { startServer } from '../../src/main.ts';
import { runCli, spawnCli, waitFor } from '../helpers/cli.ts';
import { newKey } from '../helpers/test-app.ts';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'credence-server-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function post(url: string, query: string, token?: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as any;
}

describe('the server on the embedded database', () => {
  it('keeps data and its issuer key across a restart, writes the key file 0600 and never logs secrets', async () => {
    const logs: string[] = [];
    const config = loadConfig({ CREDENCE_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', CREDENCE_PUBLIC_URL: 'http://localhost:4000' });
    const logger = createLogger('debug', (line) => logs.push(line));
    const agent = newKey();

    const first = await startServer(config, logger);
    const token = mintAuthToken(agent, { audience: first.app.serviceDid });
    const claimed = await post(first.url, `mutation { claimDid(input: { displayName: "Persistent" }) { __typename } }`, token);
    expect(claimed.data.claimDid.__typename).toBe('ClaimDidPayload');
    const keysBefore = (await post(first.url, '{ serviceInfo { issuerKeys { publicKeyMultibase } } }')).data.serviceInfo.issuerKeys;
    await first.close();

    const keyFile = path.join(dataDir, 'issuer-key.json');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const { secretKey } = JSON.parse(await readFile(keyFile, 'utf8'));

    const second = await startServer(config, logger);
    const agentAfter = await post(second.url, `{ agent(did: "${agent.did}") { displayName } }`);
    expect(agentAfter.data.agent).toEqual({ displayName: 'Persistent' });
    const keysAfter = (await post(second.url, '{ serviceInfo { issuerKeys { publicKeyMultibase } } }')).data.serviceInfo.issuerKeys;
    expect(keysAfter).toEqual(keysBefore);
    // The token was spent before the restart and stays spent after it.
    const replay = await post(second.url, `mutation { claimDid { __typename ... on Error { code } } }`, token);
    expect(replay.data.claimDid.code).toBe('TOKEN_REPLAYED');
    await second.close();

    const allLogs = logs.join('');
    expect(allLogs).toContain('credence listening');
    // The background propagation ran (once at start) and shutdown waited for it.
    expect(allLogs).toContain('propagation finished');
    expect(allLogs).not.toContain(secretKey);
    expect(allLogs).not.toContain(token);
  });
});

describe('the credence command', () => {
  it('keygen writes a 0600 key file and token mints a DID-JWT for it', async () => {
    const keyFile = path.join(dataDir, 'agent.json');
    const keygen = await runCli(['keygen', '--out', keyFile]);
    expect(keygen.code).toBe(0);
    const did = keygen.stdout.trim();
    expect(did).toMatch(/^did:key:z6Mk/);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);

    const token = await runCli(['token', '--key', keyFile, '--aud', 'did:web:localhost%3A4000']);
    expect(token.code).toBe(0);
    const verified = checkAuthToken(token.stdout.trim(), 'did:web:localhost%3A4000', new Date());
    expect(verified.did).toBe(did);

    const missing = await runCli(['token']);
    expect(missing.code).toBe(2);
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
  });

  it('migrate applies once and then reports up to date', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'credence-migrate-'));
    const env = { CREDENCE_DATA_DIR: dir };
    const first = await runCli(['migrate'], env);
    expect(first.stdout).toContain('applied: 2026-11-21T0001_identity');
    const second = await runCli(['migrate'], env);
    expect(second.stdout).toContain('database is up to date');
    await rm(dir, { recursive: true, force: true });
  });

  it('serve answers /health and exits cleanly on SIGTERM', async () => {
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const dir = await mkdtemp(path.join(tmpdir(), 'credence-serve-'));
    const child = spawnCli(['serve'], { CREDENCE_DATA_DIR: dir, PORT: port, HOST: '127.0.0.1' });
    try {
      const health = await waitFor(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(child.output()).toContain('shutting down');
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
