// DATA_INTEGRITY credentials through the running service: issued by GraphQL issueCredential and MCP
// request_credential, verified by GraphQL verifyCredential, REST /api/reputation/verify and `credence verify`, and by
// @digitalbazaar/vc given only what the service publishes; revocation, and key rotation (issued before, verified after).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { createApp } from '../../src/app.ts';
import { keyPairFromSeed } from '../../src/crypto/ed25519.ts';
import { writeKeyFile } from '../../src/crypto/key-file.ts';
import { checkStatusStrict } from '../../src/credentials/credential-status.ts';
import { createDocumentLoader, type DidDocument } from '../../src/credentials/document-loader.ts';
import { ISSUER_KEY_FILE, loadIssuerKey } from '../../src/issuer/issuer-key.ts';
import { rotateIssuerKey } from '../../src/issuer/rotate-issuer-key.ts';
import { runCli } from '../helpers/cli.ts';
import { escrowVerifiedReceipt, issue, VERIFY } from '../helpers/credentials.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createScene, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, ISSUER_SEED, type TestApp } from '../helpers/test-app.ts';

const REVOKE = `mutation($id: ID!, $reason: String!) { revokeCredential(id: $id, reason: $reason) { __typename } }`;

/** What a third party holds: the published DID document and status list, nothing from the service's code paths. */
async function published(fetchFrom: (pathname: string) => Promise<Response>) {
  const didDocument = (await (await fetchFrom('/.well-known/did.json')).json()) as DidDocument;
  const statusList = (await (await fetchFrom('/credentials/status/1')).json()) as { id: string };
  return { didDocument, statusList };
}

async function libraryVerdict(credential: object, documents: Awaited<ReturnType<typeof published>>, now: Date) {
  const documentLoader = createDocumentLoader({
    didDocuments: [documents.didDocument],
    statusListCredentials: new Map([[documents.statusList.id, documents.statusList]]),
  });
  return vc.verifyCredential({
    credential,
    suite: [new DataIntegrityProof({ cryptosuite }), new Ed25519Signature2020()],
    documentLoader,
    checkStatus: checkStatusStrict,
    now,
  });
}

describe.each(testDatabaseKinds)('DATA_INTEGRITY credentials through the service (%s)', (kind) => {
  let t: TestApp;
  let scene: Scene;
  let tempDir: string;

  beforeAll(async () => {
    t = await createTestApp(kind);
    scene = await createScene(t);
    tempDir = await mkdtemp(path.join(tmpdir(), 'credence-di-'));
  });
  afterAll(async () => {
    await t.close();
    await rm(tempDir, { recursive: true, force: true });
  });

  it('issues task and reputation credentials that GraphQL, REST and @digitalbazaar/vc verify; revocation shows everywhere', async () => {
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const task = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'DATA_INTEGRITY', receiptId })).credential;
    const reputation = (await issue(t, scene.agent, { type: 'REPUTATION', format: 'DATA_INTEGRITY' })).credential;
    const keyId = (await t.gql('{ serviceInfo { issuerKeys { id status } } }')).data.serviceInfo.issuerKeys[0].id;
    for (const credential of [task, reputation]) {
      expect(credential).toMatchObject({ format: 'DATA_INTEGRITY', subject: scene.agent.did, revoked: false });
      const document = JSON.parse(credential.encoded);
      expect(document['@context']).toEqual(['https://www.w3.org/ns/credentials/v2', 'https://credence.dev/contexts/credence/v1']);
      expect(document.proof).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', verificationMethod: `${keyId}-multikey` });
      expect((await t.gql(VERIFY, { credential: credential.encoded })).data.verifyCredential).toMatchObject({
        valid: true,
        revoked: false,
        format: 'DATA_INTEGRITY',
        issuedByService: true,
        errors: [],
      });
    }
    // A task credential is issued once per receipt and format: asking again returns it.
    const again = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'DATA_INTEGRITY', receiptId })).credential;
    expect(again.credentialId).toBe(task.credentialId);

    const rest = await t.fetch('/api/reputation/verify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credential: JSON.parse(task.encoded) }),
    });
    expect(await rest.json()).toMatchObject({ success: true, valid: true, revoked: false, format: 'DATA_INTEGRITY' });
    const stored = await (await t.fetch(`/api/reputation/credential/${task.credentialId}`)).json();
    expect(stored).toMatchObject({
      success: true,
      credential: { format: 'DATA_INTEGRITY', proof: { type: 'DataIntegrityProof' }, encoded: JSON.parse(task.encoded) },
    });

    const before = await published(t.fetch);
    expect(before.didDocument.verificationMethod).toContainEqual(
      expect.objectContaining({ id: `${keyId}-multikey`, type: 'Multikey', controller: t.app.serviceDid }),
    );
    expect((await libraryVerdict(JSON.parse(task.encoded), before, t.now)).verified).toBe(true);

    expect((await t.gql(REVOKE, { id: task.credentialId, reason: 'di test' }, t.admin)).data.revokeCredential.__typename).toBe('RevokeCredentialPayload');
    expect((await t.gql(VERIFY, { credential: task.encoded })).data.verifyCredential).toMatchObject({ valid: false, revoked: true, format: 'DATA_INTEGRITY' });
    const afterRevoke = await published(t.fetch);
    const library = await libraryVerdict(JSON.parse(task.encoded), afterRevoke, t.now);
    expect(library.verified).toBe(false);
    expect(library.statusResult?.error?.message).toMatch(/revoked/);
    // The reputation credential's bit is untouched.
    expect((await libraryVerdict(JSON.parse(reputation.encoded), afterRevoke, t.now)).verified).toBe(true);
  });

  it('after an admin reissues a revoked task credential, the other formats may be asked for; a standing revocation still refuses', async () => {
    const REISSUE = `mutation($id: ID!) { reissueCredential(id: $id) { __typename ... on IssueCredentialPayload { credential { credentialId format } } } }`;
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const first = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId })).credential;
    await t.gql(REVOKE, { id: first.credentialId, reason: 'issued in error' }, t.admin);
    for (const format of ['JWT', 'DATA_INTEGRITY']) {
      expect(await issue(t, scene.agent, { type: 'TASK_COMPLETION', format, receiptId })).toMatchObject({ __typename: 'AuthError', code: 'FORBIDDEN' });
    }
    const reissued = (await t.gql(REISSUE, { id: first.credentialId }, t.admin)).data.reissueCredential;
    expect(reissued).toMatchObject({ __typename: 'IssueCredentialPayload', credential: { format: 'JSON_LD' } });
    // The admin's reissue restores the receipt's standing: every format is issued again.
    const dataIntegrity = await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'DATA_INTEGRITY', receiptId });
    expect(dataIntegrity).toMatchObject({ __typename: 'IssueCredentialPayload', credential: { format: 'DATA_INTEGRITY', revoked: false } });
    expect(await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId })).toMatchObject({
      __typename: 'IssueCredentialPayload',
      credential: { format: 'JWT' },
    });
    // A later revocation nobody reissued stands again, for the format revoked and for the others.
    await t.gql(REVOKE, { id: dataIntegrity.credential.credentialId, reason: 'again' }, t.admin);
    expect(await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'DATA_INTEGRITY', receiptId })).toMatchObject({ code: 'FORBIDDEN' });
    // Formats with a live credential still answer it.
    expect((await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId })).credential.credentialId).toBe(
      reissued.credential.credentialId,
    );
  });

  it('MCP request_credential issues DATA_INTEGRITY and verify_credential reads it', async () => {
    const server: Server = createServer(t.app.yoga);
    await new Promise<void>((resolve) => server.listen(4100 + testDatabaseKinds.indexOf(kind), '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new Client({ name: 'credence-di-test', version: '1.0.0' });
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
          fetch: (input, init) => {
            const headers = new Headers(init?.headers);
            headers.set('authorization', `Bearer ${t.token(scene.agent)}`);
            return fetch(input, { ...init, headers });
          },
        }),
      );
      const issued = (await client.callTool({ name: 'request_credential', arguments: { type: 'REPUTATION', format: 'DATA_INTEGRITY' } })) as {
        isError?: boolean;
        structuredContent?: any;
      };
      expect(issued.isError).toBeFalsy();
      expect(issued.structuredContent).toMatchObject({ type: 'REPUTATION', format: 'DATA_INTEGRITY', revoked: false });
      expect(JSON.parse(issued.structuredContent.encoded).proof.type).toBe('DataIntegrityProof');
      const verified = (await client.callTool({ name: 'verify_credential', arguments: { credential: issued.structuredContent.encoded } })) as {
        structuredContent?: any;
      };
      expect(verified.structuredContent).toMatchObject({ valid: true, revoked: false, issuer: t.app.serviceDid, errors: [] });
    } finally {
      await client.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('credentials issued before a key rotation still verify after it; new ones name the new Multikey', async () => {
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const old = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'DATA_INTEGRITY', receiptId })).credential;
    const oldMethod = JSON.parse(old.encoded).proof.verificationMethod as string;

    const dataDir = await mkdtemp(path.join(tempDir, `${kind}-`));
    await writeKeyFile(path.join(dataDir, ISSUER_KEY_FILE), keyPairFromSeed(ISSUER_SEED));
    await rotateIssuerKey({ dataDir, db: t.testDatabase.database.db, now: t.now });
    const restarted = await loadIssuerKey({ issuerKey: undefined, dataDir });
    const app = await createApp({ config: t.config, database: t.testDatabase.database, issuerKey: restarted, clock: () => new Date(t.now) });
    const fetchAfter = (pathname: string, init?: RequestInit) => Promise.resolve(app.yoga.fetch(new Request(`http://localhost:4000${pathname}`, init)));
    const gqlAfter = async (query: string, variables: Record<string, unknown>, auth = true) =>
      (await (
        await fetchAfter('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${t.token(scene.agent)}` } : {}) },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as any;

    expect((await gqlAfter(VERIFY, { credential: old.encoded }, false)).data.verifyCredential).toMatchObject({ valid: true, format: 'DATA_INTEGRITY' });
    const documents = await published(fetchAfter);
    expect(documents.didDocument.assertionMethod).toEqual(
      expect.arrayContaining([oldMethod, `${app.serviceDid}#${restarted.keyId}-multikey`]),
    );
    expect((await libraryVerdict(JSON.parse(old.encoded), documents, t.now)).verified).toBe(true);

    const fresh = (
      await gqlAfter(
        `mutation($input: IssueCredentialInput!) { issueCredential(input: $input) { ... on IssueCredentialPayload { credential { encoded } } } }`,
        { input: { type: 'TASK_COMPLETION', format: 'DATA_INTEGRITY', receiptId: await escrowVerifiedReceipt(t, scene) } },
      )
    ).data.issueCredential.credential;
    expect(JSON.parse(fresh.encoded).proof.verificationMethod).toBe(`${app.serviceDid}#${restarted.keyId}-multikey`);
    expect((await gqlAfter(VERIFY, { credential: fresh.encoded }, false)).data.verifyCredential.valid).toBe(true);
  });
});

describe('credence verify reads DATA_INTEGRITY credentials', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await createTestApp('embedded');
    dir = await mkdtemp(path.join(tmpdir(), 'credence-di-cli-'));
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  const save = async (name: string, content: unknown) => {
    const file = path.join(dir, name);
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  it('exits 0 for a valid credential and 1 once it is revoked', { timeout: 240_000 }, async () => {
    const scene = await createScene(t);
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const task = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'DATA_INTEGRITY', receiptId })).credential;
    const file = await save('task.json', task.encoded);
    const did = await save('did.json', await (await t.fetch('/.well-known/did.json')).json());
    const verify = async (status: string) =>
      runCli(['verify', file, '--did-document', did, '--status-list', status, '--now', t.now.toISOString()]);

    const valid = await verify(await save('status-before.json', await (await t.fetch('/credentials/status/1')).json()));
    expect(valid.stdout).toMatch(/^valid: TaskCompletionCredential \(DATA_INTEGRITY\)/);
    expect(valid.code).toBe(0);

    await t.gql(REVOKE, { id: task.credentialId, reason: 'cli test' }, t.admin);
    const revoked = await verify(await save('status-after.json', await (await t.fetch('/credentials/status/1')).json()));
    expect(revoked.code).toBe(1);
    expect(revoked.stdout).toMatch(/revoked: bit \d+ is set/);
  });
});
