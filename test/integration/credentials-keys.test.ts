// Issuer key rotation (credentials signed before it still verify after it) and `credence verify` / `credence keys`
// as a user runs them.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Resolver, type DIDResolutionResult } from 'did-resolver';
import { getResolver as keyDidResolver } from 'key-did-resolver';
import { verifyCredential as didJwtVerifyCredential } from 'did-jwt-vc';
import { createApp, type App } from '../../src/app.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { keyPairFromSeed, decodeJws } from '../../src/crypto/ed25519.ts';
import { writeKeyFile } from '../../src/crypto/key-file.ts';
import { createJsonLdPresentation, createJwtPresentation } from '../../src/credentials/presentation.ts';
import { didKeySigningKey } from '../../src/credentials/signing-key.ts';
import { createIssuerKeyRepository } from '../../src/issuer/issuer-key.repository.ts';
import { createIssuerKeyService } from '../../src/issuer/issuer-key.service.ts';
import { ISSUER_KEY_FILE, issuerKeyFromPair, loadIssuerKey } from '../../src/issuer/issuer-key.ts';
import { rotateIssuerKey } from '../../src/issuer/rotate-issuer-key.ts';
import { runCli } from '../helpers/cli.ts';
import { escrowVerifiedReceipt, issue, VERIFY } from '../helpers/credentials.ts';
import { createTestDatabase, testDatabaseKinds } from '../helpers/database.ts';
import { createScene } from '../helpers/marketplace.ts';
import { createTestApp, ISSUER_SEED, newKey, type TestApp } from '../helpers/test-app.ts';

let tempDir: string;
beforeAll(async () => {
  tempDir = await mkdtemp(path.join(tmpdir(), 'credence-keys-'));
});
afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

function resolverFor(document: { id: string }): Resolver {
  return new Resolver({
    ...keyDidResolver(),
    web: async (did): Promise<DIDResolutionResult> =>
      did === document.id
        ? { didResolutionMetadata: {}, didDocument: document as DIDResolutionResult['didDocument'], didDocumentMetadata: {} }
        : { didResolutionMetadata: { error: 'notFound' }, didDocument: null, didDocumentMetadata: {} },
  });
}

/** Requests to a second app over the same database (the service restarted after a rotation). */
function client(t: TestApp, app: App) {
  const fetchApp = (pathname: string, init?: RequestInit) => Promise.resolve(app.yoga.fetch(new Request(`http://localhost:4000${pathname}`, init)));
  return {
    fetch: fetchApp,
    async gql(query: string, variables: Record<string, unknown> = {}, key?: Parameters<TestApp['token']>[0]) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (key) headers.authorization = `Bearer ${t.token(key)}`;
      return (await (await fetchApp('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) })).json()) as any;
    },
  };
}

describe.each(testDatabaseKinds)('issuer key rotation on %s database', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('credentials issued before a rotation still verify after it; new ones carry the new key', async () => {
    const scene = await createScene(t);
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const oldJwt = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId })).credential;
    const oldJsonLd = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId })).credential;
    const oldKeyId = decodeJws(oldJwt.encoded).header.kid as string;

    // The keyring the test app's key would live in, rotated as `credence keys rotate` does it.
    const dataDir = await mkdtemp(path.join(tempDir, `${kind}-`));
    await writeKeyFile(path.join(dataDir, ISSUER_KEY_FILE), keyPairFromSeed(ISSUER_SEED));
    const rotation = await rotateIssuerKey({ dataDir, db: t.testDatabase.database.db, now: t.now });
    expect(`${t.app.serviceDid}#${rotation.retired.keyId}`).toBe(oldKeyId);

    // The restart: the keyring's active key signs from now on.
    const restarted = await loadIssuerKey({ issuerKey: undefined, dataDir });
    expect(restarted.keyId).toBe(rotation.active.keyId);
    const app = await createApp({ config: t.config, database: t.testDatabase.database, issuerKey: restarted, clock: () => new Date(t.now) });
    const after = client(t, app);

    const keys = (await after.gql('{ serviceInfo { issuerKeys { id status } } }')).data.serviceInfo.issuerKeys;
    expect(keys).toEqual(expect.arrayContaining([{ id: oldKeyId, status: 'RETIRED' }, { id: `${app.serviceDid}#${restarted.keyId}`, status: 'ACTIVE' }]));
    const didDocument = await (await after.fetch('/.well-known/did.json')).json();
    expect(didDocument.assertionMethod).toContain(oldKeyId);
    expect(didDocument.authentication).not.toContain(oldKeyId);

    for (const credential of [oldJwt, oldJsonLd]) {
      expect((await after.gql(VERIFY, { credential: credential.encoded })).data.verifyCredential).toMatchObject({ valid: true, errors: [] });
    }
    const thirdParty = await didJwtVerifyCredential(oldJwt.encoded, resolverFor(didDocument), { policies: { now: Math.floor(t.now.getTime() / 1000) } });
    expect(thirdParty.signer.id).toBe(oldKeyId);

    const fresh = (await after.gql(
      `mutation($input: IssueCredentialInput!) { issueCredential(input: $input) { ... on IssueCredentialPayload { credential { encoded } } } }`,
      { input: { type: 'TASK_COMPLETION', format: 'JWT', receiptId: (await escrowVerifiedReceipt(t, scene)) } },
      scene.agent,
    )).data.issueCredential.credential;
    expect(decodeJws(fresh.encoded).header.kid).toBe(`${app.serviceDid}#${restarted.keyId}`);
    expect((await after.gql(VERIFY, { credential: fresh.encoded })).data.verifyCredential.valid).toBe(true);

    // Revoking after the rotation re-signs the list with the new key; the old credential then reads revoked.
    await after.gql(`mutation($id: ID!) { revokeCredential(id: $id, reason: "rotation test") { __typename } }`, { id: oldJsonLd.credentialId }, t.admin);
    const list = await (await after.fetch('/credentials/status/1')).json();
    expect(list.proof.verificationMethod).toBe(`${app.serviceDid}#${restarted.keyId}`);
    expect((await after.gql(VERIFY, { credential: oldJsonLd.encoded })).data.verifyCredential).toMatchObject({ valid: false, revoked: true });
    expect((await after.gql(VERIFY, { credential: oldJwt.encoded })).data.verifyCredential.valid).toBe(true);

    // A database rebuilt from scratch still publishes the retired key, from the keyring.
    const rebuilt = await createTestDatabase(kind);
    try {
      const fromScratch = await createApp({ config: t.config, database: rebuilt.database, issuerKey: restarted, clock: () => new Date(t.now) });
      const document = await (await fromScratch.yoga.fetch(new Request('http://localhost:4000/.well-known/did.json'))).json();
      expect(document.assertionMethod).toEqual(expect.arrayContaining([oldKeyId, `${app.serviceDid}#${restarted.keyId}`]));
    } finally {
      await rebuilt.drop();
    }
  });

  it('instances starting together on a fresh database all publish the same key: one active row, no error', async () => {
    const fresh = await createTestDatabase(kind);
    try {
      const keys = createIssuerKeyService(fresh.database.db, { serviceDid: t.app.serviceDid });
      const key = issuerKeyFromPair(keyPairFromSeed(ISSUER_SEED));
      // Several rounds, each from an empty table: the first inserts of one key are where two instances collide.
      for (let round = 0; round < 200; round += 1) {
        await fresh.database.db.deleteFrom('issuer_keys').execute();
        const starts = await Promise.allSettled(Array.from({ length: 8 }, () => keys.publish(key, t.now)));
        expect(starts.filter((start) => start.status === 'rejected')).toEqual([]);
        const rows = await keys.list();
        expect(rows.map((row) => [row.key_id, row.status])).toEqual([[key.keyId, 'ACTIVE']]);
      }
    } finally {
      await fresh.drop();
    }
  });
});

describe('credence keys', () => {
  // Spawns the CLI several times: each start compiles TypeScript through tsx.
  it('rotate keeps the keyring 0600, retires the old key in the database, and defers to CREDENCE_ISSUER_KEY', { timeout: 120_000 }, async () => {
    const dataDir = await mkdtemp(path.join(tempDir, 'cli-'));
    const env = { CREDENCE_DATA_DIR: dataDir, CREDENCE_PUBLIC_URL: 'http://localhost:4000' };
    const first = await loadIssuerKey({ issuerKey: undefined, dataDir });
    const database = await openDatabase({ dataDir });
    await migrateToLatest(database.db);
    await createIssuerKeyRepository(database.db).activate(first.keyId, first.publicKeyMultibase, new Date());
    await database.close();

    const rotated = await runCli(['keys', 'rotate'], env);
    expect(rotated.stderr).toContain('restart the service');
    expect(rotated.code).toBe(0);
    const output = JSON.parse(rotated.stdout);
    expect(output.retired).toBe(`did:web:localhost%3A4000#${first.keyId}`);

    const file = path.join(dataDir, ISSUER_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const keyring = JSON.parse(await readFile(file, 'utf8'));
    expect(keyring.retired).toEqual([{ publicKeyMultibase: first.publicKeyMultibase, retiredAt: expect.any(String) }]);
    expect(JSON.stringify(keyring)).not.toContain(Buffer.from(keyPairFromSeed(ISSUER_SEED).secretKey).toString('base64url'));
    const second = await loadIssuerKey({ issuerKey: undefined, dataDir });
    expect(output.active).toBe(`did:web:localhost%3A4000#${second.keyId}`);
    expect(second.retired?.map((key) => key.keyId)).toEqual([first.keyId]);

    const listed = await runCli(['keys', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`RETIRED did:web:localhost%3A4000#${first.keyId}`);
    expect(listed.stdout).toContain(`ACTIVE  did:web:localhost%3A4000#${second.keyId}`);

    const fromEnvironment = await runCli(['keys', 'rotate'], { ...env, CREDENCE_ISSUER_KEY: Buffer.alloc(32, 9).toString('hex') });
    expect(fromEnvironment.code).toBe(2);
    expect(fromEnvironment.stderr).toContain('CREDENCE_ISSUER_KEY is set');
  });
});

describe('credence verify', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await createTestApp('embedded');
    dir = await mkdtemp(path.join(tempDir, 'verify-'));
  });
  afterAll(async () => {
    await t.close();
  });

  const save = async (name: string, content: string | object) => {
    const file = path.join(dir, name);
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };
  const publish = async () => ({
    did: await save('did.json', await (await t.fetch('/.well-known/did.json')).json()),
    status: await save(`status-${Date.now()}-${Math.random()}.json`, await (await t.fetch('/credentials/status/1')).json()),
  });
  const verify = (file: string, files: { did: string; status: string }, ...extra: string[]) =>
    runCli(['verify', file, '--did-document', files.did, '--status-list', files.status, '--now', t.now.toISOString(), ...extra]);

  it('exits 0 for valid credentials and presentations, 1 for revoked, tampered, unverifiable or mis-bound ones', { timeout: 120_000 }, async () => {
    const scene = await createScene(t);
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const jwt = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId })).credential;
    const jsonLd = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId })).credential;
    const jwtFile = await save('task.jwt', jwt.encoded);
    const jsonLdFile = await save('task.json', jsonLd.encoded);
    const published = await publish();

    const valid = await verify(jwtFile, published);
    expect(valid.stdout).toMatch(/^valid: TaskCompletionCredential \(JWT\)/);
    expect(valid.code).toBe(0);
    expect((await verify(jsonLdFile, published)).code).toBe(0);

    const missing = await runCli(['verify', jwtFile, '--now', t.now.toISOString()]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('--did-document');

    const tampered = JSON.parse(jsonLd.encoded);
    tampered.credentialSubject.value.usd = 5_000;
    const tamperedResult = await verify(await save('tampered.json', tampered), published);
    expect(tamperedResult.code).toBe(1);
    expect(tamperedResult.stdout).toMatch(/^invalid:/);

    const holder = didKeySigningKey(scene.agent);
    const vp = await createJwtPresentation({ holder, credentials: [jwt.encoded], challenge: 'c-1', domain: 'market.example', now: t.now });
    const vpFile = await save('vp.jwt', vp);
    expect((await verify(vpFile, published, '--challenge', 'c-1', '--domain', 'market.example')).code).toBe(0);
    const wrongChallenge = await verify(vpFile, published, '--challenge', 'c-2');
    expect(wrongChallenge.code).toBe(1);
    expect(wrongChallenge.stdout).toContain('challenge');
    const stolen = await createJsonLdPresentation({ holder: didKeySigningKey(newKey()), credentials: [JSON.parse(jsonLd.encoded)], challenge: 'c-1', now: t.now, documentLoader: t.app.services.credentials.documentLoader });
    expect((await verify(await save('stolen.json', stolen), published, '--challenge', 'c-1')).code).toBe(1);

    await t.gql(`mutation($id: ID!) { revokeCredential(id: $id, reason: "cli test") { __typename } }`, { id: jwt.credentialId }, t.admin);
    const revoked = await verify(jwtFile, await publish(), '--json');
    expect(revoked.code).toBe(1);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ valid: false, revoked: true });
  });
});
