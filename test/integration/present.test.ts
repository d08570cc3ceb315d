// Presentations without MCP: `credence present` and `createPresentation` from credence/client make presentations
// that `credence verify`, the service's verifyPresentation and @digitalbazaar/vc accept for the right challenge and
// refuse for another. The CLI signs with the real clock, so the service's injected clock is kept at the real time.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vc from '@digitalbazaar/vc';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPresentation } from '../../src/client/index.ts';
import { CredenceClientError } from '../../src/client/credence-client.ts';
import { createDocumentLoader, type DidDocument } from '../../src/credentials/document-loader.ts';
import { writeKeyFile } from '../../src/crypto/key-file.ts';
import { runCli } from '../helpers/cli.ts';
import { escrowVerifiedReceipt, issue } from '../helpers/credentials.ts';
import { createScene, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

/** Tests here spawn the CLI (tsx), which takes seconds per run on a loaded machine. */
const SPAWN_TIMEOUT = 180_000;

const VERIFY_PRESENTATION = /* GraphQL */ `
  query($presentation: String!, $challenge: String, $domain: String) {
    verifyPresentation(presentation: $presentation, challenge: $challenge, domain: $domain) { valid holder format errors }
  }
`;

describe('presentations without MCP', () => {
  let t: TestApp;
  let dir: string;
  let scene: Scene;
  let keyFile: string;
  let didDocumentFile: string;
  let statusListFile: string;
  let jwtCredential: { credentialId: string; encoded: string };
  let jsonLdCredential: { credentialId: string; encoded: string };

  const sync = () => t.setNow(new Date());
  const file = async (name: string, content: string) => {
    const target = path.join(dir, name);
    await writeFile(target, content);
    return target;
  };
  const serviceVerifies = async (presentation: string, challenge: string, domain = 'verifier.example') => {
    sync();
    return (await t.gql(VERIFY_PRESENTATION, { presentation, challenge, domain })).data.verifyPresentation;
  };
  const cliVerify = async (presentationFile: string, challenge: string) =>
    runCli(['verify', presentationFile, '--did-document', didDocumentFile, '--status-list', statusListFile, '--challenge', challenge, '--domain', 'verifier.example']);

  beforeAll(async () => {
    t = await createTestApp('embedded');
    sync();
    dir = await mkdtemp(path.join(tmpdir(), 'credence-present-'));
    scene = await createScene(t);
    keyFile = path.join(dir, 'agent.json');
    await writeKeyFile(keyFile, scene.agent);
    jwtCredential = (await issue(t, scene.agent, { type: 'REPUTATION', format: 'JWT' })).credential;
    const receiptId = await escrowVerifiedReceipt(t, scene);
    jsonLdCredential = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId })).credential;
    didDocumentFile = await file('did.json', await (await t.fetch('/.well-known/did.json')).text());
    statusListFile = await file('status-1.json', await (await t.fetch('/credentials/status/1')).text());
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('credence present makes a JWT VP that credence verify and the service accept for its challenge only', async () => {
    const credentialFile = await file('reputation.jwt', `${jwtCredential.encoded}\n`);
    const made = await runCli(['present', '--key', keyFile, '--challenge', 'ch-1', '--domain', 'verifier.example', credentialFile]);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const presentation = made.stdout.trim();
    expect(presentation.split('.')).toHaveLength(3);
    const vpFile = await file('vp.jwt', presentation);

    const ok = await cliVerify(vpFile, 'ch-1');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^valid: presentation \(JWT\)\n {2}holder: did:key:/);
    const wrong = await cliVerify(vpFile, 'ch-2');
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/challenge/);

    expect(await serviceVerifies(presentation, 'ch-1')).toMatchObject({ valid: true, holder: scene.agent.did, format: 'JWT', errors: [] });
    expect((await serviceVerifies(presentation, 'ch-2')).valid).toBe(false);
    expect((await serviceVerifies(presentation, 'ch-1', 'elsewhere.example')).valid).toBe(false);
  }, SPAWN_TIMEOUT);

  it('credence present --format json-ld makes a JSON-LD VP that credence verify and @digitalbazaar/vc accept', async () => {
    const credentialFile = await file('task.jsonld', jsonLdCredential.encoded);
    const out = path.join(dir, 'vp.jsonld');
    const made = await runCli(['present', '--key', keyFile, '--challenge', 'ch-3', '--domain', 'verifier.example', '--format', 'json-ld', '--out', out, credentialFile]);
    expect(made.code).toBe(0);
    expect(made.stdout).toBe('');
    const ok = await cliVerify(out, 'ch-3');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^valid: presentation \(JSON_LD\)/);
    expect((await cliVerify(out, 'ch-4')).code).toBe(1);

    // @digitalbazaar/vc with only a document loader (contexts, did:key, the service's DID document and its list).
    const presentation = JSON.parse(await readFile(out, 'utf8'));
    const didDocument = JSON.parse(await readFile(didDocumentFile, 'utf8')) as DidDocument;
    const statusList = JSON.parse(await readFile(statusListFile, 'utf8'));
    const documentLoader = createDocumentLoader({ didDocuments: [didDocument], statusListCredentials: new Map([[statusList.id, statusList]]) });
    const options = { presentation, suite: new Ed25519Signature2020(), documentLoader, checkStatus, now: new Date(), domain: 'verifier.example' };
    const verified = await vc.verify({ ...options, challenge: 'ch-3' });
    expect(verified.error).toBeUndefined();
    expect(verified.verified, JSON.stringify(verified, null, 1).slice(0, 3000)).toBe(true);
    expect((await vc.verify({ ...options, challenge: 'ch-4' })).verified).toBe(false);
  }, SPAWN_TIMEOUT);

  it('credence present refuses another agent\'s credential, a format mismatch and a bad command line', async () => {
    const other = newKey();
    sync();
    const theirs = (await issue(t, other, { type: 'REPUTATION', format: 'JWT' })).credential;
    const theirsFile = await file('theirs.jwt', theirs.encoded);
    const stolen = await runCli(['present', '--key', keyFile, '--challenge', 'c', '--domain', 'd', theirsFile]);
    expect(stolen.code).toBe(1);
    expect(stolen.stderr).toContain(`is about ${other.did}, not this key's DID ${scene.agent.did}`);
    expect(stolen.stdout).toBe('');

    const mismatch = await runCli(['present', '--key', keyFile, '--challenge', 'c', '--domain', 'd', '--format', 'json-ld', await file('mine.jwt', jwtCredential.encoded)]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/use format JWT/);

    const badFormat = await runCli(['present', '--key', keyFile, '--challenge', 'c', '--domain', 'd', '--format', 'xml', theirsFile]);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/--format must be jwt or json-ld/);
    const noChallenge = await runCli(['present', '--key', keyFile, '--domain', 'd', theirsFile]);
    expect(noChallenge.code).toBe(2);
    expect(noChallenge.stderr).toMatch(/--challenge C is required/);
  }, SPAWN_TIMEOUT);

  it('createPresentation from credence/client: both formats verify in the service; refusals carry INVALID_INPUT', async () => {
    sync();
    const jwt = await createPresentation({ key: scene.agent, credentials: [jwtCredential.encoded], challenge: 'lib-1', domain: 'verifier.example', now: t.now });
    expect(await serviceVerifies(jwt, 'lib-1')).toMatchObject({ valid: true, holder: scene.agent.did });
    const jsonLd = await createPresentation({
      key: scene.agent,
      credentials: [JSON.parse(jsonLdCredential.encoded)],
      challenge: 'lib-2',
      domain: 'verifier.example',
      format: 'JSON_LD',
      now: t.now,
    });
    expect(JSON.parse(jsonLd).holder).toBe(scene.agent.did);
    expect(await serviceVerifies(jsonLd, 'lib-2')).toMatchObject({ valid: true, format: 'JSON_LD' });
    expect((await serviceVerifies(jsonLd, 'lib-1')).valid).toBe(false);

    const refusal = async (options: Partial<Parameters<typeof createPresentation>[0]>) => {
      const error = await createPresentation({ key: scene.agent, credentials: [jwtCredential.encoded], challenge: 'c', domain: 'd', ...options }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CredenceClientError);
      expect((error as CredenceClientError).code).toBe('INVALID_INPUT');
      return (error as CredenceClientError).message;
    };
    expect(await refusal({ challenge: '' })).toMatch(/challenge must be 1 to 500/);
    expect(await refusal({ domain: 'x'.repeat(501) })).toMatch(/domain must be 1 to 500/);
    expect(await refusal({ credentials: [] })).toMatch(/at least one credential/);
    expect(await refusal({ key: newKey() })).toMatch(/not this key's DID/);
    expect(await refusal({ credentials: [jwtCredential.encoded, jsonLdCredential.encoded] })).toMatch(/credential 1 is JSON-LD/);
    expect(await refusal({ credentials: ['not a credential'] })).toMatch(/neither a JWT nor JSON/);
  });
});
