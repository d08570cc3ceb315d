// Credentials through the running service: issue for an escrow-verified receipt, verify as a third party with the
// standard libraries given only what the service publishes, revoke (directly and through the receipt), present.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Resolver, type DIDResolutionResult } from 'did-resolver';
import { getResolver as keyDidResolver } from 'key-did-resolver';
import { verifyCredential as didJwtVerifyCredential } from 'did-jwt-vc';
import * as vc from '@digitalbazaar/vc';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { Ed25519VerificationKey2020 } from '@digitalbazaar/ed25519-verification-key-2020';
import { driver as didKeyDriver } from '@digitalbazaar/did-method-key';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as didContexts } from 'did-context';
import { contexts as ed25519Contexts } from 'ed25519-signature-2020-context';
import { JsonLdDocumentLoader } from 'jsonld-document-loader';
import { checkStatusStrict } from '../../src/credentials/credential-status.ts';
import type { TrustReportLike } from '../../src/credentials/credential-types.ts';
import { createJsonLdPresentation, createJwtPresentation } from '../../src/credentials/presentation.ts';
import { didKeySigningKey } from '../../src/credentials/signing-key.ts';
import { decodeBitstring, getBit } from '../../src/credentials/status-list.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { escrowVerifiedReceipt, issue, ISSUE, VERIFY } from '../helpers/credentials.ts';
import { createScene, signReceipt, SUBMIT } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const REVOKE = /* GraphQL */ `
  mutation($id: ID!, $reason: String!) {
    revokeCredential(id: $id, reason: $reason) {
      __typename
      ... on RevokeCredentialPayload { credential { credentialId revoked revokedAt revokedReason } }
      ... on Error { code message }
    }
  }
`;

const VERIFY_PRESENTATION = /* GraphQL */ `
  query($presentation: String!, $challenge: String, $domain: String) {
    verifyPresentation(presentation: $presentation, challenge: $challenge, domain: $domain) {
      valid holder format errors problems { code } credentials { valid subject credentialId }
    }
  }
`;

/** A third party's view: the DID document and status list as served, nothing else from the service. */
async function published(t: TestApp) {
  const didDocument = await (await t.fetch('/.well-known/did.json')).json();
  const statusResponse = await t.fetch('/credentials/status/1');
  return { didDocument, statusList: await statusResponse.json(), etag: statusResponse.headers.get('etag')! };
}

function resolverFor(document: { id: string }): Resolver {
  return new Resolver({
    ...keyDidResolver(),
    web: async (did): Promise<DIDResolutionResult> =>
      did === document.id
        ? { didResolutionMetadata: {}, didDocument: document as DIDResolutionResult['didDocument'], didDocumentMetadata: {} }
        : { didResolutionMetadata: { error: 'notFound' }, didDocument: null, didDocumentMetadata: {} },
  });
}

/** npm contexts, the served Credence context under its canonical URL, the DID document and the served status list. */
async function thirdPartyLoader(t: TestApp, didDocument: any, statusList: object) {
  const loader = new JsonLdDocumentLoader();
  for (const contexts of [credentialsContexts, didContexts, ed25519Contexts]) {
    for (const [url, context] of contexts) loader.addStatic(url, context);
  }
  const info = (await t.gql('{ serviceInfo { contextUrl canonicalContextUrl statusListUrl } }')).data.serviceInfo;
  const served = await t.fetch(new URL(info.contextUrl).pathname);
  expect(served.headers.get('content-type')).toBe('application/ld+json');
  loader.addStatic(info.canonicalContextUrl, await served.json());
  loader.addStatic(didDocument.id, didDocument);
  for (const method of didDocument.verificationMethod) {
    loader.addStatic(method.id, { '@context': 'https://w3id.org/security/suites/ed25519-2020/v1', ...method });
  }
  loader.addStatic(info.statusListUrl, statusList);
  const keys = didKeyDriver();
  keys.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519VerificationKey2020.from });
  loader.setProtocolHandler({ protocol: 'did', handler: { get: ({ url }: { url: string }) => keys.get({ url }) } });
  return loader.build();
}

const nowSeconds = (t: TestApp) => Math.floor(t.now.getTime() / 1000);

describe.each(testDatabaseKinds)('credentials on %s database', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('issues a task credential in both formats that third parties verify with the standard libraries alone', async () => {
    const scene = await createScene(t);
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const jwt = await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId });
    const jsonLd = await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId });
    for (const [payload, format] of [[jwt, 'JWT'], [jsonLd, 'JSON_LD']] as const) {
      expect(payload).toMatchObject({
        __typename: 'IssueCredentialPayload',
        credential: { type: 'TASK_COMPLETION', format, subject: scene.agent.did, issuer: t.app.serviceDid, revoked: false, expiresAt: null, receipt: { receiptId } },
      });
      expect(payload.credential.credentialId).toMatch(/^urn:uuid:/);
      expect(payload.credential.statusListCredential).toBe('http://localhost:4000/credentials/status/1');
    }
    expect(jwt.credential.statusListIndex).not.toBe(jsonLd.credential.statusListIndex);

    // Asking again for the same receipt and format returns the live credential.
    expect((await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId })).credential.credentialId).toBe(jwt.credential.credentialId);

    const { didDocument, statusList } = await published(t);
    const verifiedJwt = await didJwtVerifyCredential(jwt.credential.encoded, resolverFor(didDocument), { policies: { now: nowSeconds(t) } });
    expect(verifiedJwt.verified).toBe(true);
    expect(verifiedJwt.issuer).toBe(t.app.serviceDid);
    expect(verifiedJwt.verifiableCredential.type).toEqual(['VerifiableCredential', 'TaskCompletionCredential']);
    expect(verifiedJwt.verifiableCredential.credentialSubject).toMatchObject({ id: scene.agent.did, receiptId, platform: scene.platform.did, counterparty: scene.buyer.did, value: { amount: '500.00', currency: 'USDC', usd: 500 } });

    const loader = await thirdPartyLoader(t, didDocument, statusList);
    const credential = JSON.parse(jsonLd.credential.encoded);
    expect(credential.credentialSubject).toMatchObject({ id: scene.agent.did, receiptId, escrowId: expect.any(String) });
    const suite = new Ed25519Signature2020();
    for (const status of [checkStatus, checkStatusStrict]) {
      const result = await vc.verifyCredential({ credential, suite, documentLoader: loader, checkStatus: status, now: t.now });
      expect(result.error).toBeUndefined();
      expect(result.verified).toBe(true);
    }

    for (const encoded of [jwt.credential.encoded, jsonLd.credential.encoded]) {
      const verdict = (await t.gql(VERIFY, { credential: encoded })).data.verifyCredential;
      expect(verdict).toMatchObject({ valid: true, revoked: false, expired: false, issuer: t.app.serviceDid, issuedByService: true, subject: scene.agent.did, errors: [], warnings: [] });
      expect(verdict.types).toContain('TaskCompletionCredential');
    }
  });

  it('reads credentials by id (own or global), by DID and on the agent', async () => {
    const scene = await createScene(t);
    await t.gql(`mutation { claimDid { __typename } }`, {}, scene.agent);
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const { credential } = await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId });
    const byOwnId = await t.gql(`query($id: ID!) { credential(id: $id) { credentialId encoded } }`, { id: credential.credentialId });
    expect(byOwnId.data.credential).toEqual({ credentialId: credential.credentialId, encoded: credential.encoded });
    const byGlobalId = await t.gql(`query($id: ID!) { credential(id: $id) { credentialId } node(id: $id) { ... on Credential { credentialId } } }`, { id: credential.id });
    expect(byGlobalId.data).toEqual({ credential: { credentialId: credential.credentialId }, node: { credentialId: credential.credentialId } });
    expect((await t.gql(`{ credential(id: "urn:uuid:${randomUUID()}") { credentialId } }`)).data.credential).toBeNull();

    const list = await t.gql(`query($did: String!) { credentials(did: $did, first: 5) { edges { node { credentialId } } } agent(did: $did) { credentials { edges { node { credentialId } } } } }`, { did: scene.agent.did });
    expect(list.data.credentials.edges).toEqual([{ node: { credentialId: credential.credentialId } }]);
    expect(list.data.agent.credentials.edges).toEqual([{ node: { credentialId: credential.credentialId } }]);
  });

  it('revokes: verifyCredential says revoked, the served list has the bit set and a new ETag', async () => {
    const scene = await createScene(t);
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const { credential } = await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId });
    const before = await published(t);
    expect((await t.fetch('/credentials/status/1', { headers: { 'if-none-match': before.etag } })).status).toBe(304);

    expect((await t.gql(REVOKE, { id: credential.credentialId, reason: 'fraud' }, scene.agent)).data.revokeCredential.code).toBe('FORBIDDEN');
    expect((await t.gql(REVOKE, { id: credential.credentialId, reason: 'fraud' })).data.revokeCredential.code).toBe('UNAUTHENTICATED');
    const revoked = (await t.gql(REVOKE, { id: credential.id, reason: 'fraud' }, t.admin)).data.revokeCredential;
    expect(revoked).toMatchObject({ __typename: 'RevokeCredentialPayload', credential: { credentialId: credential.credentialId, revoked: true, revokedReason: 'fraud' } });
    // Revoking again changes nothing.
    expect((await t.gql(REVOKE, { id: credential.credentialId, reason: 'again' }, t.admin)).data.revokeCredential.credential.revokedReason).toBe('fraud');
    expect((await t.gql(REVOKE, { id: `urn:uuid:${randomUUID()}`, reason: 'x' }, t.admin)).data.revokeCredential.code).toBe('NOT_FOUND');

    const verdict = (await t.gql(VERIFY, { credential: credential.encoded })).data.verifyCredential;
    expect(verdict).toMatchObject({ valid: false, revoked: true });
    expect(verdict.problems.map((p: any) => p.code)).toEqual(['REVOKED']);

    const after = await published(t);
    expect(after.etag).not.toBe(before.etag);
    expect(getBit(decodeBitstring(after.statusList.credentialSubject.encodedList), credential.statusListIndex)).toBe(true);
    expect((await t.fetch('/credentials/status/1', { headers: { 'if-none-match': before.etag } })).status).toBe(200);
    expect((await t.fetch('/credentials/status/1', { headers: { 'if-none-match': after.etag } })).status).toBe(304);

    const loader = await thirdPartyLoader(t, after.didDocument, after.statusList);
    const thirdParty = await vc.verifyCredential({ credential: JSON.parse(credential.encoded), suite: new Ed25519Signature2020(), documentLoader: loader, checkStatus: checkStatusStrict, now: t.now });
    expect(thirdParty.verified).toBe(false);

    const list = (await t.gql(`{ revocationList { statusListCredentialUrl statusListCredential updatedAt revoked { credentialId reason revokedAt } } }`)).data.revocationList;
    expect(list.statusListCredentialUrl).toBe('http://localhost:4000/credentials/status/1');
    expect(JSON.parse(list.statusListCredential)).toEqual(after.statusList);
    expect(list.revoked).toContainEqual({ credentialId: credential.credentialId, reason: 'fraud', revokedAt: t.now.toISOString() });
  });

  it('revoking the receipt revokes the task credentials built on it', async () => {
    const scene = await createScene(t);
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const jwt = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId })).credential;
    const jsonLd = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId })).credential;
    const revokeReceipt = await t.gql(`mutation($id: ID!) { revokeReceipt(receiptId: $id, reason: "chargeback") { __typename } }`, { id: receiptId }, scene.platform);
    expect(revokeReceipt.data.revokeReceipt.__typename).toBe('RevokeReceiptPayload');
    for (const credential of [jwt, jsonLd]) {
      const read = (await t.gql(`query($id: ID!) { credential(id: $id) { revoked revokedReason } }`, { id: credential.credentialId })).data.credential;
      expect(read).toEqual({ revoked: true, revokedReason: 'receipt revoked: chargeback' });
      expect((await t.gql(VERIFY, { credential: credential.encoded })).data.verifyCredential).toMatchObject({ valid: false, revoked: true });
    }
    // A revoked receipt gets no new credential.
    expect((await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId })).code).toBe('INVALID_INPUT');
  });

  it('refuses task credentials for others\' receipts, non-escrow receipts, anonymous callers and unknown receipts', async () => {
    const scene = await createScene(t);
    const receiptId = await escrowVerifiedReceipt(t, scene);
    expect(await issue(t, scene.buyer, { type: 'TASK_COMPLETION', format: 'JWT', receiptId })).toMatchObject({ __typename: 'AuthError', code: 'FORBIDDEN' });
    expect(await issue(t, scene.platform, { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId })).toMatchObject({ code: 'FORBIDDEN' });
    const anonymous = (await t.gql(ISSUE, { input: { type: 'TASK_COMPLETION', format: 'JWT', receiptId } })).data.issueCredential;
    expect(anonymous.code).toBe('UNAUTHENTICATED');

    const plain = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene) })).data.submitReceipt.receipt;
    expect(plain.confidence).toBe('PLATFORM_SIGNED');
    expect(await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId: plain.receiptId })).toMatchObject({ __typename: 'InputError', code: 'INVALID_INPUT' });
    expect((await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId: 'rcp_missing' })).code).toBe('NOT_FOUND');
    expect((await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT' })).code).toBe('INVALID_INPUT');
    expect((await issue(t, scene.agent, { type: 'REPUTATION', format: 'JWT', receiptId })).code).toBe('INVALID_INPUT');
    expect((await issue(t, scene.agent, { type: 'REPUTATION', format: 'JWT', receiptId: '' })).code).toBe('INVALID_INPUT');
  });

  it('signs the trust engine\'s report as a reputation credential in both formats, verifiable by third parties', async () => {
    const scene = await createScene(t);
    await escrowVerifiedReceipt(t, scene);
    const report = (await t.gql(`query($did: String!) { trust(did: $did) { score tier confidence } }`, { did: scene.agent.did })).data.trust;
    const jwt = (await issue(t, scene.agent, { type: 'REPUTATION', format: 'JWT' })).credential;
    const jsonLd = (await issue(t, scene.agent, { type: 'REPUTATION', format: 'JSON_LD' })).credential;
    expect(jwt).toMatchObject({ type: 'REPUTATION', subject: scene.agent.did, receipt: null });
    const subject = JSON.parse(jsonLd.encoded).credentialSubject;
    expect(subject).toMatchObject({ id: scene.agent.did, score: report.score, tier: report.tier, confidence: report.confidence, asOf: t.now.toISOString().replace('.000Z', 'Z') });
    expect(subject.windows.lifetime.tasks).toBeGreaterThan(0);

    const { didDocument, statusList } = await published(t);
    const verified = await didJwtVerifyCredential(jwt.encoded, resolverFor(didDocument), { policies: { now: nowSeconds(t) } });
    expect(verified.verifiableCredential.credentialSubject).toMatchObject({ score: report.score, tier: report.tier });
    const loader = await thirdPartyLoader(t, didDocument, statusList);
    const result = await vc.verifyCredential({ credential: JSON.parse(jsonLd.encoded), suite: new Ed25519Signature2020(), documentLoader: loader, checkStatus: checkStatusStrict, now: t.now });
    expect(result.error).toBeUndefined();
    expect(result.verified).toBe(true);
  });

  it('verifies presentations bound to a challenge and refuses the wrong challenge, domain or holder', async () => {
    const scene = await createScene(t);
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const jwt = (await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId })).credential.encoded;
    const jsonLd = JSON.parse((await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JSON_LD', receiptId })).credential.encoded);
    const holder = didKeySigningKey(scene.agent);
    const stranger = didKeySigningKey(newKey());
    const challenge = randomUUID();
    const domain = 'market.example';
    const verify = async (presentation: unknown, binding: { challenge?: string; domain?: string }) =>
      (await t.gql(VERIFY_PRESENTATION, { presentation: typeof presentation === 'string' ? presentation : JSON.stringify(presentation), ...binding })).data.verifyPresentation;

    const jwtVp = await createJwtPresentation({ holder, credentials: [jwt], challenge, domain, now: t.now });
    expect(await verify(jwtVp, { challenge, domain })).toMatchObject({ valid: true, holder: scene.agent.did, format: 'JWT', credentials: [{ valid: true, subject: scene.agent.did }] });
    expect((await verify(jwtVp, { challenge: 'another', domain })).problems.map((p: any) => p.code)).toEqual(['WRONG_CHALLENGE']);
    expect((await verify(jwtVp, { challenge, domain: 'elsewhere.example' })).problems.map((p: any) => p.code)).toEqual(['WRONG_DOMAIN']);
    const stolen = await createJwtPresentation({ holder: stranger, credentials: [jwt], challenge, domain, now: t.now });
    const refused = await verify(stolen, { challenge, domain });
    expect(refused.valid).toBe(false);
    expect(refused.problems.map((p: any) => p.code)).toContain('HOLDER_NOT_SUBJECT');

    const { documentLoader } = t.app.services.credentials;
    const ldVp = await createJsonLdPresentation({ holder, credentials: [jsonLd], challenge, domain, now: t.now, documentLoader });
    expect(await verify(ldVp, { challenge, domain })).toMatchObject({ valid: true, holder: scene.agent.did, format: 'JSON_LD' });
    expect((await verify(ldVp, { challenge: 'another', domain })).valid).toBe(false);
    const forgedHolder = { ...ldVp, holder: stranger.did };
    expect((await verify(forgedHolder, { challenge, domain })).problems.map((p: any) => p.code)).toContain('WRONG_HOLDER');
  });

  it('reports malformed input and other issuers without failing the request', async () => {
    const bad = (await t.gql(VERIFY, { credential: 'not a credential' })).data.verifyCredential;
    expect(bad).toMatchObject({ valid: false, format: null, problems: [{ code: 'MALFORMED' }] });
  });

  it('serves the Credence context and 404s unknown status lists', async () => {
    const context = await t.fetch('/contexts/credence/v1');
    expect(context.status).toBe(200);
    expect((await context.json())['@context'].TaskCompletionCredential).toBeDefined();
    expect((await t.fetch('/contexts/credence/v1', { headers: { 'if-none-match': context.headers.get('etag')! } })).status).toBe(304);
    expect((await t.fetch('/credentials/status/999')).status).toBe(404);
    expect((await t.fetch('/credentials/status/1', { method: 'POST' })).status).toBe(405);
  });
});

const REPORT = (did: string, asOf: Date): TrustReportLike => {
  const window = { tasks: 4, accepted: 4, disputed: 0, refunded: 0, acceptedRate: 1, disputeRate: 0, volumeUsd: 2000, avgValueUsd: 500, uniqueCounterparties: 2, escrowVerifiedShare: 1 };
  return {
    did,
    vector: { E: 0.7, P: 0.6, B: 0.9, D: 0.4, R: 0.95, A: 0, C: 0 },
    score: 71.5,
    tier: 'B',
    confidence: 0.62,
    windows: { d7: window, d30: window, d90: window, lifetime: window },
    asOf,
  };
};

describe.each(testDatabaseKinds)('reputation credentials on %s database (trust source injected)', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind, {}, { trustReports: { report: async (did, asOf) => REPORT(did, asOf) } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('signs the caller\'s trust report in both formats, valid for 30 days', async () => {
    const agent = newKey();
    for (const format of ['JWT', 'JSON_LD']) {
      const { credential } = await issue(t, agent, { type: 'REPUTATION', format });
      expect(credential).toMatchObject({ type: 'REPUTATION', format, subject: agent.did, receipt: null });
      expect(new Date(credential.expiresAt).getTime() - new Date(credential.issuedAt).getTime()).toBe(30 * 86_400_000);
      const verdict = (await t.gql(VERIFY, { credential: credential.encoded })).data.verifyCredential;
      expect(verdict).toMatchObject({ valid: true, types: ['VerifiableCredential', 'ReputationCredential'] });
    }
    const { credential } = await issue(t, agent, { type: 'REPUTATION', format: 'JWT' });
    const { didDocument } = await published(t);
    const verified = await didJwtVerifyCredential(credential.encoded, resolverFor(didDocument), { policies: { now: nowSeconds(t) } });
    expect(verified.verifiableCredential.credentialSubject).toMatchObject({ id: agent.did, score: 71.5, tier: 'B' });

    const issuedAt = t.now;
    t.setNow(new Date(issuedAt.getTime() + 31 * 86_400_000));
    try {
      expect((await t.gql(VERIFY, { credential: credential.encoded })).data.verifyCredential).toMatchObject({ valid: false, expired: true });
    } finally {
      t.setNow(issuedAt);
    }
  });

  it('gives concurrent issuers distinct indexes and loses no bit to concurrent revokers', async () => {
    const { credentials } = t.app.services;
    const agents = Array.from({ length: 12 }, () => newKey());
    const issued = await Promise.all(
      agents.map((agent, i) => credentials.issue(agent, { type: 'REPUTATION', format: i % 2 ? 'JWT' : 'JSON_LD' }, t.now)),
    );
    expect(new Set(issued.map((row) => `${row.status_list_id}:${row.status_index}`)).size).toBe(issued.length);

    await Promise.all(issued.map((row) => credentials.revoke(row.id, 'bulk', t.admin, t.now)));
    const { statusList } = await published(t);
    const bits = decodeBitstring(statusList.credentialSubject.encodedList);
    for (const row of issued) expect(getBit(bits, row.status_index)).toBe(true);
    for (const row of issued) {
      expect((await t.gql(VERIFY, { credential: row.encoded })).data.verifyCredential.revoked).toBe(true);
    }
  });

  it('a later report is a new credential; the earlier one still verifies until it expires', async () => {
    const agent = newKey();
    const first = (await issue(t, agent, { type: 'REPUTATION', format: 'JWT' })).credential;
    const issuedAt = t.now;
    t.setNow(new Date(issuedAt.getTime() + 86_400_000));
    try {
      const second = (await issue(t, agent, { type: 'REPUTATION', format: 'JWT' })).credential;
      expect(second.credentialId).not.toBe(first.credentialId);
      expect((await t.gql(VERIFY, { credential: first.encoded })).data.verifyCredential.valid).toBe(true);
    } finally {
      t.setNow(issuedAt);
    }
  });
});
