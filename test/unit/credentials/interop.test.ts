// Credentials Credence issues must verify with the standard libraries alone: did-jwt-vc with a did-resolver
// Resolver, and @digitalbazaar/vc with a document loader assembled here from the npm context packages, the
// bundled Credence context file, the DID document and the published status list (no Credence verification code).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Resolver, type DIDResolutionResult } from 'did-resolver';
import { getResolver as keyDidResolver } from 'key-did-resolver';
import { verifyCredential as didJwtVerifyCredential, verifyPresentation as didJwtVerifyPresentation } from 'did-jwt-vc';
import * as vc from '@digitalbazaar/vc';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { Ed25519VerificationKey2020 } from '@digitalbazaar/ed25519-verification-key-2020';
import { driver as didKeyDriver } from '@digitalbazaar/did-method-key';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as didContexts } from 'did-context';
import { contexts as ed25519Contexts } from 'ed25519-signature-2020-context';
import { JsonLdDocumentLoader } from 'jsonld-document-loader';
import { issueJwtCredential } from '../../../src/credentials/jwt-credential.ts';
import { issueJsonLdCredential } from '../../../src/credentials/jsonld-credential.ts';
import { checkStatusStrict } from '../../../src/credentials/credential-status.ts';
import { createJsonLdPresentation, createJwtPresentation } from '../../../src/credentials/presentation.ts';
import type { DidDocument } from '../../../src/credentials/document-loader.ts';
import {
  AGENT,
  DID_DOCUMENT,
  KEY_1,
  NOW,
  REVOKED_INDEX,
  ROTATED_DID_DOCUMENT,
  SERVICE_DID,
  STATUS_LIST_URL,
  environment,
  reputationDraft,
  taskDraft,
} from './helpers.ts';

const nowSeconds = Math.floor(NOW.getTime() / 1000);

function resolverFor(document: DidDocument): Resolver {
  return new Resolver({
    ...keyDidResolver(),
    web: async (did): Promise<DIDResolutionResult> =>
      did === document.id
        ? {
            didResolutionMetadata: { contentType: 'application/did+ld+json' },
            didDocument: document as unknown as DIDResolutionResult['didDocument'],
            didDocumentMetadata: {},
          }
        : { didResolutionMetadata: { error: 'notFound' }, didDocument: null, didDocumentMetadata: {} },
  });
}

/** What a third party would assemble: npm contexts, the published Credence context, the DID document, the list. */
function thirdPartyLoader(document: DidDocument, statusList: object) {
  const loader = new JsonLdDocumentLoader();
  for (const contexts of [credentialsContexts, didContexts, ed25519Contexts]) {
    for (const [url, context] of contexts) loader.addStatic(url, context);
  }
  const credence = JSON.parse(readFileSync(new URL('../../../credentials/credence-v1.jsonld', import.meta.url), 'utf8'));
  loader.addStatic('https://credence.dev/contexts/credence/v1', credence);
  loader.addStatic(document.id, document);
  for (const method of document.verificationMethod ?? []) {
    loader.addStatic(method.id, { '@context': 'https://w3id.org/security/suites/ed25519-2020/v1', ...method });
  }
  loader.addStatic(STATUS_LIST_URL, statusList);
  const keys = didKeyDriver();
  keys.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519VerificationKey2020.from });
  loader.setProtocolHandler({ protocol: 'did', handler: { get: ({ url }) => keys.get({ url }) } });
  return loader.build();
}

describe('interoperability: did-jwt-vc verifies Credence JWT credentials', () => {
  it('verifies task and reputation credentials against the did:web document', async () => {
    for (const draft of [taskDraft(), reputationDraft()]) {
      const jwt = await issueJwtCredential(draft, KEY_1);
      const verified = await didJwtVerifyCredential(jwt, resolverFor(DID_DOCUMENT), { policies: { now: nowSeconds } });
      expect(verified.verified).toBe(true);
      expect(verified.issuer).toBe(SERVICE_DID);
      expect(verified.signer.id).toBe(`${SERVICE_DID}#key-1`);
      expect(verified.verifiableCredential.credentialSubject.id).toBe(AGENT.did);
      expect(verified.verifiableCredential.type).toEqual(['VerifiableCredential', draft.type]);
    }
  });

  it('verifies with the retired key after rotation, and rejects expired and tampered credentials', async () => {
    const jwt = await issueJwtCredential(reputationDraft(), KEY_1);
    await expect(
      didJwtVerifyCredential(jwt, resolverFor(ROTATED_DID_DOCUMENT), { policies: { now: nowSeconds } }),
    ).resolves.toMatchObject({ verified: true });
    await expect(
      didJwtVerifyCredential(jwt, resolverFor(DID_DOCUMENT), { policies: { now: nowSeconds + 40 * 86_400 } }),
    ).rejects.toThrow(/expired/);
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims.vc.credentialSubject.score = 99;
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    await expect(
      didJwtVerifyCredential(forged, resolverFor(DID_DOCUMENT), { policies: { now: nowSeconds } }),
    ).rejects.toThrow(/invalid_signature/);
  });

  it('verifies a holder JWT presentation with challenge and domain', async () => {
    const credential = await issueJwtCredential(taskDraft(), KEY_1);
    const presentation = await createJwtPresentation({
      holder: AGENT,
      credentials: [credential],
      challenge: 'nonce-123',
      domain: 'marketplace.example',
      now: NOW,
    });
    const verified = await didJwtVerifyPresentation(presentation, resolverFor(DID_DOCUMENT), {
      challenge: 'nonce-123',
      domain: 'marketplace.example',
      policies: { now: nowSeconds },
    });
    expect(verified.verified).toBe(true);
    expect(verified.verifiablePresentation.holder).toBe(AGENT.did);
    await expect(
      didJwtVerifyPresentation(presentation, resolverFor(DID_DOCUMENT), {
        challenge: 'other',
        domain: 'marketplace.example',
        policies: { now: nowSeconds },
      }),
    ).rejects.toThrow(/challenge/);
  });
});

describe('interoperability: @digitalbazaar/vc verifies Credence JSON-LD credentials', () => {
  it('verifies task and reputation credentials, status included, with a third-party loader', async () => {
    const env = await environment();
    const loader = thirdPartyLoader(DID_DOCUMENT, env.statusLists.get(STATUS_LIST_URL)!);
    for (const draft of [taskDraft(), reputationDraft()]) {
      const credential = await issueJsonLdCredential(draft, KEY_1, env);
      const result = await vc.verifyCredential({
        credential,
        suite: new Ed25519Signature2020(),
        documentLoader: loader,
        checkStatus,
        now: NOW,
      });
      expect(result.error).toBeUndefined();
      expect(result.verified).toBe(true);
      expect(result.statusResult?.verified).toBe(true);
    }
  });

  it('verifies with the retired key after rotation', async () => {
    const env = await environment();
    const credential = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    const loader = thirdPartyLoader(ROTATED_DID_DOCUMENT, env.statusLists.get(STATUS_LIST_URL)!);
    const result = await vc.verifyCredential({ credential, suite: new Ed25519Signature2020(), documentLoader: loader, checkStatus, now: NOW });
    expect(result.verified).toBe(true);
  });

  it('rejects tampered and expired credentials', async () => {
    const env = await environment();
    const loader = thirdPartyLoader(DID_DOCUMENT, env.statusLists.get(STATUS_LIST_URL)!);
    const credential = await issueJsonLdCredential(reputationDraft(), KEY_1, env);
    const tampered = structuredClone(credential) as { credentialSubject: { score: number } };
    tampered.credentialSubject.score = 99;
    const suite = new Ed25519Signature2020();
    expect((await vc.verifyCredential({ credential: tampered, suite, documentLoader: loader, checkStatus, now: NOW })).verified).toBe(
      false,
    );
    const late = new Date('2027-01-01T00:00:00Z');
    expect((await vc.verifyCredential({ credential, suite, documentLoader: loader, checkStatus, now: late })).verified).toBe(
      false,
    );
  });

  it("the library's checkStatus passes a revoked credential; checkStatusStrict fails it", async () => {
    const env = await environment();
    const loader = thirdPartyLoader(DID_DOCUMENT, env.statusLists.get(STATUS_LIST_URL)!);
    const revoked = await issueJsonLdCredential(taskDraft(REVOKED_INDEX), KEY_1, env);
    const suite = new Ed25519Signature2020();
    const lenient = await vc.verifyCredential({ credential: revoked, suite, documentLoader: loader, checkStatus, now: NOW });
    expect(lenient.verified).toBe(true);
    const strict = await vc.verifyCredential({
      credential: revoked,
      suite,
      documentLoader: loader,
      checkStatus: checkStatusStrict,
      now: NOW,
    });
    expect(strict.verified).toBe(false);
    expect(strict.statusResult?.error?.message).toMatch(/revoked/);
    const fine = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    expect(
      (await vc.verifyCredential({ credential: fine, suite, documentLoader: loader, checkStatus: checkStatusStrict, now: NOW }))
        .verified,
    ).toBe(true);
  });

  it('verifies a holder JSON-LD presentation bound to challenge and domain', async () => {
    const env = await environment();
    const loader = thirdPartyLoader(DID_DOCUMENT, env.statusLists.get(STATUS_LIST_URL)!);
    const credential = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    const presentation = await createJsonLdPresentation({
      holder: AGENT,
      credentials: [credential],
      challenge: 'nonce-123',
      domain: 'marketplace.example',
      now: NOW,
      documentLoader: env.documentLoader,
    });
    const suite = new Ed25519Signature2020();
    const options = { presentation, suite, documentLoader: loader, checkStatus: checkStatusStrict, now: NOW };
    const ok = await vc.verify({ ...options, challenge: 'nonce-123', domain: 'marketplace.example' });
    expect(ok.error).toBeUndefined();
    expect(ok.verified).toBe(true);
    expect((await vc.verify({ ...options, challenge: 'wrong', domain: 'marketplace.example' })).verified).toBe(false);
    expect((await vc.verify({ ...options, challenge: 'nonce-123', domain: 'elsewhere.example' })).verified).toBe(false);
  });
});

describe('interoperability: the stored known answers', () => {
  const fixture = (name: string) =>
    readFileSync(new URL(`../../fixtures/credentials/${name}`, import.meta.url), 'utf8').trim();

  it('verify with did-jwt-vc', async () => {
    for (const name of ['task-completion.jwt', 'reputation.jwt']) {
      const verified = await didJwtVerifyCredential(fixture(name), resolverFor(DID_DOCUMENT), { policies: { now: nowSeconds } });
      expect(verified.verified, name).toBe(true);
    }
  });

  it('verify with @digitalbazaar/vc', async () => {
    const env = await environment();
    const loader = thirdPartyLoader(DID_DOCUMENT, env.statusLists.get(STATUS_LIST_URL)!);
    for (const name of ['task-completion.jsonld.json', 'reputation.jsonld.json']) {
      const credential = JSON.parse(fixture(name));
      const result = await vc.verifyCredential({
        credential,
        suite: new Ed25519Signature2020(),
        documentLoader: loader,
        checkStatus: checkStatusStrict,
        now: NOW,
      });
      expect(result.verified, name).toBe(true);
    }
  });
});
