// Findings 1-3 through the running service and the CLI: a revoked credential rewritten with @nest and a reputation
// credential whose validUntil is aliased away keep their signatures, yet GraphQL verifyCredential and
// verifyPresentation, REST /api/reputation/verify and `credence verify` all refuse them; and a 12,000-blank-node
// document cannot stall the server.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { checkStatusStrict } from '../../src/credentials/credential-status.ts';
import { ED25519_2020_CONTEXT_URL, VC_V2_CONTEXT_URL } from '../../src/credentials/context-urls.ts';
import { createJsonLdPresentation } from '../../src/credentials/presentation.ts';
import { didKeySigningKey } from '../../src/credentials/signing-key.ts';
import { runCli } from '../helpers/cli.ts';
import { escrowVerifiedReceipt, issue, VERIFY } from '../helpers/credentials.ts';
import { aliasValidUntil, nestStatus, type Doc } from '../helpers/credential-rewrites.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createScene, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const VERIFY_PRESENTATION = /* GraphQL */ `
  query($presentation: String!, $challenge: String) {
    verifyPresentation(presentation: $presentation, challenge: $challenge) {
      valid errors problems { code } credentials { valid revoked expired problems { code } }
    }
  }
`;

const DAY_MS = 86_400_000;

interface Rewritten {
  /** A revoked task credential, rewritten as in finding 1. */
  nested: Doc;
  /** A reputation credential past its validUntil, rewritten as in finding 2. */
  aliased: Doc;
  scene: Scene;
}

/** Issues both credentials through the service, revokes the first as the admin, expires the second, rewrites both. */
async function rewrittenCredentials(t: TestApp): Promise<Rewritten> {
  const scene = await createScene(t);
  const receiptId = await escrowVerifiedReceipt(t, scene);
  const task = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId })).credential;
  const reputation = (await issue(t, scene.agent, { type: 'REPUTATION', format: 'JSON_LD' })).credential;
  const revoked = await t.gql(`mutation($id: ID!) { revokeCredential(id: $id, reason: "fraud") { __typename } }`, { id: task.credentialId }, t.admin);
  expect(revoked.data.revokeCredential.__typename).toBe('RevokeCredentialPayload');
  expect((await t.gql(VERIFY, { credential: task.encoded })).data.verifyCredential).toMatchObject({ valid: false, revoked: true });
  return { nested: nestStatus(JSON.parse(task.encoded)), aliased: aliasValidUntil(JSON.parse(reputation.encoded)), scene };
}

/** @digitalbazaar/vc alone, given only what the service publishes: the signature holds for both rewritings. */
async function libraryVerifies(t: TestApp, credential: Doc): Promise<boolean> {
  const result = await vc.verifyCredential({
    credential,
    suite: new Ed25519Signature2020(),
    documentLoader: t.app.services.credentials.documentLoader,
    checkStatus: checkStatusStrict,
    now: t.now,
  });
  return result.verified;
}

describe.each(testDatabaseKinds)('rewritten credentials on %s database', (kind) => {
  let t: TestApp;
  let credentials: Rewritten;

  beforeAll(async () => {
    t = await createTestApp(kind);
    credentials = await rewrittenCredentials(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const expire = () => t.setNow(new Date(t.now.getTime() + 31 * DAY_MS));
  const restore = (now: Date) => t.setNow(now);

  it('finding 1: a revoked JSON-LD credential rewritten with @nest does not verify (GraphQL and REST)', async () => {
    expect(await libraryVerifies(t, credentials.nested)).toBe(true);
    const graphql = (await t.gql(VERIFY, { credential: JSON.stringify(credentials.nested) })).data.verifyCredential;
    expect(graphql).toMatchObject({ valid: false, revoked: false });
    expect(graphql.problems.map((problem: { code: string }) => problem.code)).toEqual(['UNEXPECTED_SHAPE']);
    expect(graphql.errors[0]).toMatch(/inline context/);

    const response = await t.fetch('/api/reputation/verify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credential: credentials.nested }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ success: true, valid: false, errors: [expect.stringMatching(/^shape: /)] });
  });

  it('finding 2: a reputation credential with an aliased validUntil does not verify after it expires (GraphQL and REST)', async () => {
    const before = t.now;
    expire();
    try {
      expect(await libraryVerifies(t, credentials.aliased)).toBe(true);
      const graphql = (await t.gql(VERIFY, { credential: JSON.stringify(credentials.aliased) })).data.verifyCredential;
      expect(graphql.valid).toBe(false);
      expect(graphql.problems.map((problem: { code: string }) => problem.code)).toEqual(['UNEXPECTED_SHAPE']);
      const response = await t.fetch('/api/reputation/verify', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ credential: credentials.aliased }),
      });
      expect(await response.json()).toMatchObject({ success: true, valid: false });
    } finally {
      restore(before);
    }
  });

  it('findings 1 and 2: verifyPresentation refuses a presentation carrying either rewritten credential', async () => {
    const before = t.now;
    expire();
    try {
      const holder = didKeySigningKey(credentials.scene.agent);
      for (const credential of [credentials.nested, credentials.aliased]) {
        const presentation = await createJsonLdPresentation({
          holder,
          credentials: [credential],
          challenge: 'c-17',
          now: t.now,
          documentLoader: t.app.services.credentials.documentLoader,
        });
        const verdict = (await t.gql(VERIFY_PRESENTATION, { presentation: JSON.stringify(presentation), challenge: 'c-17' })).data.verifyPresentation;
        expect(verdict.valid).toBe(false);
        expect(verdict.problems.map((problem: { code: string }) => problem.code)).toContain('CREDENTIAL_INVALID');
        expect(verdict.credentials[0].problems.map((problem: { code: string }) => problem.code)).toEqual(['UNEXPECTED_SHAPE']);
      }
    } finally {
      restore(before);
    }
  });
});

describe('findings 1 and 2: credence verify', () => {
  let t: TestApp;
  let credentials: Rewritten;
  let dir: string;

  beforeAll(async () => {
    t = await createTestApp('embedded');
    credentials = await rewrittenCredentials(t);
    dir = await mkdtemp(path.join(tmpdir(), 'credence-rewrites-'));
  });
  afterAll(async () => {
    await t.close();
  });

  it('exits 1 for the rewritten revoked credential and the never-expiring one', { timeout: 180_000 }, async () => {
    const save = async (name: string, content: unknown) => {
      const file = path.join(dir, name);
      await writeFile(file, JSON.stringify(content));
      return file;
    };
    const didDocument = await save('did.json', await (await t.fetch('/.well-known/did.json')).json());
    const statusList = await save('status.json', await (await t.fetch('/credentials/status/1')).json());
    const verify = (file: string, now: Date) =>
      runCli(['verify', file, '--did-document', didDocument, '--status-list', statusList, '--now', now.toISOString(), '--json']);

    const nested = await verify(await save('nested.json', credentials.nested), t.now);
    expect(nested.code).toBe(1);
    expect(JSON.parse(nested.stdout)).toMatchObject({ valid: false, problems: [{ code: 'UNEXPECTED_SHAPE' }] });

    const aliased = await verify(await save('aliased.json', credentials.aliased), new Date(t.now.getTime() + 31 * DAY_MS));
    expect(aliased.code).toBe(1);
    expect(JSON.parse(aliased.stdout)).toMatchObject({ valid: false, problems: [{ code: 'UNEXPECTED_SHAPE' }] });
  });
});

/** Finding 3's document: ~235 KB "issued" by a did:key, 12,000 identical blank nodes. */
function blankNodeDocument(issuer: string, count = 12_000): Doc {
  return {
    '@context': [VC_V2_CONTEXT_URL, ED25519_2020_CONTEXT_URL],
    type: ['VerifiableCredential'],
    issuer,
    validFrom: '2026-11-01T00:00:00Z',
    credentialSubject: Array.from({ length: count }, () => ({ name: 'identical' })),
    proof: {
      type: 'Ed25519Signature2020',
      created: '2026-11-01T00:00:00Z',
      verificationMethod: `${issuer}#${issuer.slice('did:key:'.length)}`,
      proofPurpose: 'assertionMethod',
      proofValue: `z${'1'.repeat(86)}`,
    },
  };
}

describe('finding 3: a 12,000-blank-node document does not stall the server', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('embedded');
  });
  afterAll(async () => {
    await t.close();
  });

  it('is refused cheaply while /health p99 stays under 50 ms under four concurrent attempts', { timeout: 120_000 }, async () => {
    const body = JSON.stringify({ credential: blankNodeDocument(newKey().did) });
    expect(body.length).toBeGreaterThan(200_000);
    expect(body.length).toBeLessThan(262_144);
    const attack = async () => {
      const response = await t.fetch('/api/reputation/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return (await response.json()) as { valid: boolean; errors: string[] };
    };
    const health = async () => {
      const started = performance.now();
      const response = await t.fetch('/health');
      expect(response.status).toBe(200);
      await response.text();
      return performance.now() - started;
    };

    // Warm-up: the routes, the JSON parser, the verifier.
    for (let index = 0; index < 20; index++) await health();
    const first = await attack();
    expect(first.valid).toBe(false);
    expect(first.errors.join('\n')).toMatch(/too costly/);

    let attacking = true;
    const attempts: Array<{ valid: boolean; errors: string[] }> = [];
    const attackers = Array.from({ length: 4 }, async () => {
      while (attacking) {
        attempts.push(await attack());
        // In-process requests that touch no I/O are all microtasks: yield, as a socket would, so timers run.
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    const latencies: number[] = [];
    const started = performance.now();
    while (latencies.length < 100 && performance.now() - started < 30_000) {
      latencies.push(await health());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    attacking = false;
    await Promise.all(attackers);

    expect(attempts.length).toBeGreaterThanOrEqual(40);
    for (const attempt of attempts) {
      expect(attempt.valid).toBe(false);
      expect(attempt.errors.join('\n')).toMatch(/too costly/);
    }
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;
    console.log(`finding 3: ${attempts.length} refused attempts, /health p99 ${p99.toFixed(1)} ms over ${latencies.length} calls`);
    expect(latencies.length).toBeGreaterThanOrEqual(50);
    expect(p99).toBeLessThan(50);
  });
});
