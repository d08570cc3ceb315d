// DATA_INTEGRITY credentials: VC 2.0 with a DataIntegrityProof (eddsa-rdfc-2022), issued with the service key as a
// Multikey method, verified by Credence (shape check, proof in the worker pool, validity, status) and by
// @digitalbazaar/vc alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import { contexts as didContexts } from 'did-context';
import { contexts as ed25519Contexts } from 'ed25519-signature-2020-context';
import { JsonLdDocumentLoader } from 'jsonld-document-loader';
import jsonld from 'jsonld';
import {
  DATA_INTEGRITY_VC_CONTEXTS,
  dataIntegrityCredential,
  issueDataIntegrityCredential,
} from '../../../src/credentials/data-integrity.ts';
import { checkJsonLdCredentialShape } from '../../../src/credentials/credential-shape.ts';
import { checkStatusStrict } from '../../../src/credentials/credential-status.ts';
import { configureProofPool, createProofPool } from '../../../src/credentials/proof-pool.ts';
import type { DidDocument } from '../../../src/credentials/document-loader.ts';
import { issueJsonLdCredential } from '../../../src/credentials/jsonld-credential.ts';
import { createJsonLdPresentation, verifyPresentation } from '../../../src/credentials/presentation.ts';
import { createPresentation } from '../../../src/client/presentation.ts';
import { keyPairFromSeed } from '../../../src/crypto/ed25519.ts';
import { verifyCredential } from '../../../src/credentials/verify.ts';
import { aliasValidUntil, nestStatus, rewrite, prng, type Doc } from '../../helpers/credential-rewrites.ts';
import {
  AGENT,
  DID_DOCUMENT,
  IMPOSTOR_KEY,
  ISSUED_AT,
  KEY_1,
  KEY_2,
  NOW,
  REPUTATION_ID,
  REVOKED_INDEX,
  ROTATED_DID_DOCUMENT,
  SERVICE_DID,
  STATUS_LIST_URL,
  TASK_ID,
  environment,
  knownAnswer,
  leafPaths,
  reputationDraft,
  seed,
  tamper,
  taskDraft,
} from './helpers.ts';

const json = (value: unknown) => JSON.stringify(value, null, 2);
const codes = (result: { problems: Array<{ code: string }> }) => result.problems.map((problem) => problem.code);
const AFTER_EXPIRY = new Date('2027-06-01T00:00:00Z');

/** A third party's loader: npm context packages, the published Credence context, the DID document and the list. */
function thirdPartyLoader(document: DidDocument, statusList: object) {
  const loader = new JsonLdDocumentLoader();
  for (const contexts of [credentialsContexts, didContexts, ed25519Contexts, multikeyContexts]) {
    for (const [url, context] of contexts) loader.addStatic(url, context);
  }
  const credence = JSON.parse(readFileSync(new URL('../../../credentials/credence-v1.jsonld', import.meta.url), 'utf8'));
  loader.addStatic('https://credence.dev/contexts/credence/v1', credence);
  loader.addStatic(document.id, document);
  for (const method of document.verificationMethod ?? []) {
    const context = method.type === 'Multikey' ? 'https://w3id.org/security/multikey/v1' : 'https://w3id.org/security/suites/ed25519-2020/v1';
    loader.addStatic(method.id, { '@context': context, ...method });
  }
  loader.addStatic(STATUS_LIST_URL, statusList);
  return loader.build();
}

/** @digitalbazaar/vc alone: the credential's Data Integrity proof, and the status list's Ed25519Signature2020 one. */
async function libraryVerdict(credential: object, loader: ReturnType<typeof thirdPartyLoader>, now = NOW) {
  return vc.verifyCredential({
    credential,
    suite: [new DataIntegrityProof({ cryptosuite }), new Ed25519Signature2020()],
    documentLoader: loader,
    checkStatus: checkStatusStrict,
    now,
  });
}

describe('DATA_INTEGRITY credentials', () => {
  it('issues the known answer for a fixed key and date', async () => {
    const env = await environment();
    const task = await issueDataIntegrityCredential(taskDraft(), KEY_1, env);
    const reputation = await issueDataIntegrityCredential(reputationDraft(), KEY_1, env);
    expect(json(task)).toBe(knownAnswer('task-completion.di.json', json(task)));
    expect(json(reputation)).toBe(knownAnswer('reputation.di.json', json(reputation)));
    // Signing again gives the same proofValue: Ed25519 is deterministic and `created` is the credential's validFrom.
    expect(await issueDataIntegrityCredential(taskDraft(), KEY_1, env)).toEqual(task);
  });

  it('is a VC 2.0 credential with an eddsa-rdfc-2022 DataIntegrityProof naming the Multikey method', async () => {
    const env = await environment();
    const credential = await issueDataIntegrityCredential(reputationDraft(), KEY_1, env);
    expect(credential).toMatchObject({
      '@context': [...DATA_INTEGRITY_VC_CONTEXTS],
      id: REPUTATION_ID,
      type: ['VerifiableCredential', 'ReputationCredential'],
      issuer: SERVICE_DID,
      validFrom: '2026-11-02T00:00:00Z',
      validUntil: '2026-12-02T00:00:00Z',
      credentialSubject: { id: AGENT.did, tier: 'B' },
      credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '4' },
      proof: {
        type: 'DataIntegrityProof',
        cryptosuite: 'eddsa-rdfc-2022',
        created: '2026-11-02T00:00:00Z',
        verificationMethod: `${SERVICE_DID}#key-1-multikey`,
        proofPurpose: 'assertionMethod',
      },
    });
    expect(Object.keys(credential.proof as object).sort()).toEqual(
      ['created', 'cryptosuite', 'proofPurpose', 'proofValue', 'type', 'verificationMethod'],
    );
    expect(dataIntegrityCredential(reputationDraft())).not.toHaveProperty('proof');
    expect(checkJsonLdCredentialShape(credential)).toEqual([]);
  });

  it('round-trips through verifyCredential, from an object or from its JSON text', async () => {
    const env = await environment();
    const credential = await issueDataIntegrityCredential(taskDraft(), KEY_1, env);
    for (const input of [credential, JSON.stringify(credential)]) {
      const result = await verifyCredential(input, { now: NOW, ...env });
      expect(result.errors).toEqual([]);
      expect(result).toMatchObject({
        valid: true,
        revoked: false,
        format: 'DATA_INTEGRITY',
        id: TASK_ID,
        issuer: SERVICE_DID,
        subject: AGENT.did,
        types: ['VerifiableCredential', 'TaskCompletionCredential'],
        validFrom: ISSUED_AT,
      });
    }
  });

  it('fails when any field, proof included, is tampered with', async () => {
    const env = await environment();
    const credential = await issueDataIntegrityCredential(taskDraft(), KEY_1, env);
    const paths = leafPaths(credential);
    expect(paths.length).toBeGreaterThan(20);
    for (const path of paths) {
      const result = await verifyCredential(tamper(credential, path), { now: NOW, ...env });
      expect(result.valid, path.join('.')).toBe(false);
    }
    const claims = structuredClone(credential) as Doc;
    claims.credentialSubject.value.usd = 5000;
    expect(codes(await verifyCredential(claims, { now: NOW, ...env }))).toEqual(['BAD_SIGNATURE']);
  });

  it('fails as revoked when its status bit is set, and passes again once the list clears it', async () => {
    const env = await environment();
    const credential = await issueDataIntegrityCredential(reputationDraft(REVOKED_INDEX), KEY_1, env);
    const result = await verifyCredential(credential, { now: NOW, ...env });
    expect(result).toMatchObject({ valid: false, revoked: true, format: 'DATA_INTEGRITY' });
    expect(result.errors).toEqual([`revoked: bit ${REVOKED_INDEX} is set in ${STATUS_LIST_URL}`]);
    await env.publishStatusList([]);
    expect(await verifyCredential(credential, { now: NOW, ...env })).toMatchObject({ valid: true, revoked: false });
  });

  it('fails as expired after validUntil', async () => {
    const env = await environment();
    const credential = await issueDataIntegrityCredential(reputationDraft(), KEY_1, env);
    const result = await verifyCredential(credential, { now: AFTER_EXPIRY, ...env });
    expect(result).toMatchObject({ valid: false, expired: true });
    expect(codes(result)).toEqual(['EXPIRED']);
  });

  it('still verifies after a key rotation (retired key), and refuses unknown and impostor keys', async () => {
    const before = await environment();
    const credential = await issueDataIntegrityCredential(taskDraft(), KEY_1, before);
    const rotated = await environment(ROTATED_DID_DOCUMENT);
    expect((await verifyCredential(credential, { now: NOW, ...rotated })).errors).toEqual([]);
    // Signed by key-2 while the document knows only key-1.
    const early = await issueDataIntegrityCredential(taskDraft(), KEY_2, before);
    expect(codes(await verifyCredential(early, { now: NOW, ...before }))).toEqual(['UNKNOWN_ISSUER_KEY']);
    // After the rotation key-2 signs and verifies.
    expect((await verifyCredential(early, { now: NOW, ...rotated })).valid).toBe(true);
    // A key claiming to be key-1 that is not the published one.
    const forged = await issueDataIntegrityCredential(taskDraft(), IMPOSTOR_KEY, before);
    expect(codes(await verifyCredential(forged, { now: NOW, ...before }))).toEqual(['BAD_SIGNATURE']);
  });

  it('refuses a proof naming a key of a DID document without the Multikey method', async () => {
    const env = await environment();
    const credential = await issueDataIntegrityCredential(taskDraft(), KEY_1, env);
    const withoutMultikey = {
      ...DID_DOCUMENT,
      verificationMethod: DID_DOCUMENT.verificationMethod!.filter((method) => method.type !== 'Multikey'),
      assertionMethod: (DID_DOCUMENT.assertionMethod as string[]).filter((id) => !id.endsWith('-multikey')),
    } as DidDocument;
    const legacy = await environment(withoutMultikey);
    expect(codes(await verifyCredential(credential, { now: NOW, ...legacy }))).toEqual(['UNKNOWN_ISSUER_KEY']);
  });
});

describe('DATA_INTEGRITY: the proof worker pool', () => {
  it('checks the proof in a worker: genuine passes, tampered fails', async () => {
    const pool = createProofPool({ size: 1 });
    try {
      const env = await environment();
      const credential = (await issueDataIntegrityCredential(taskDraft(), KEY_1, env)) as Doc;
      expect(await pool.run({ kind: 'credential', document: credential }, env.documentLoader)).toEqual({ verified: true });
      const tampered = structuredClone(credential);
      tampered.credentialSubject.value.usd = 1e7;
      expect(await pool.run({ kind: 'credential', document: tampered }, env.documentLoader)).toMatchObject({ verified: false, tooCostly: false });
    } finally {
      await pool.close();
    }
  });

  it('answers TOO_COSTLY when the pool cannot take the check', { timeout: 60_000 }, async () => {
    const env = await environment();
    const credential = await issueDataIntegrityCredential(taskDraft(), KEY_1, env);
    try {
      // maxQueue 0 refuses every check deterministically (a 1 ms budget races the worker on a loaded machine);
      // the budget itself is tested in proof-pool.test.ts with a document that is costly.
      await configureProofPool({ size: 1, maxQueue: 0 });
      const result = await verifyCredential(credential, { now: NOW, ...env });
      expect(result.valid).toBe(false);
      expect(codes(result)).toEqual(['TOO_COSTLY']);
    } finally {
      await configureProofPool({});
    }
    expect((await verifyCredential(credential, { now: NOW, ...env })).valid).toBe(true);
  });
});

describe('DATA_INTEGRITY: the shape rules', () => {
  it('a revoked credential rewritten with @nest keeps its signature for the library but not for Credence', async () => {
    const env = await environment();
    const revoked = await issueDataIntegrityCredential(taskDraft(REVOKED_INDEX), KEY_1, env);
    const rewritten = nestStatus(revoked);
    const loader = thirdPartyLoader(DID_DOCUMENT, env.statusLists.get(STATUS_LIST_URL)!);
    // The canonical N-Quads are unchanged: the library verifies the proof and never finds the status.
    expect((await libraryVerdict(rewritten, loader)).verified).toBe(true);
    expect((await libraryVerdict(revoked, loader)).verified).toBe(false);
    for (const input of [rewritten, JSON.stringify(rewritten)]) {
      const result = await verifyCredential(input, { now: NOW, ...env });
      expect(result.valid).toBe(false);
      expect(codes(result)).toEqual(['UNEXPECTED_SHAPE']);
      expect(result.errors[0]).toMatch(/@context has an inline context/);
    }
  });

  it('a reputation credential with an aliased validUntil is refused, though its signature holds', async () => {
    const env = await environment();
    const credential = await issueDataIntegrityCredential(reputationDraft(), KEY_1, env);
    const rewritten = aliasValidUntil(credential);
    const loader = thirdPartyLoader(DID_DOCUMENT, env.statusLists.get(STATUS_LIST_URL)!);
    expect((await libraryVerdict(rewritten, loader, AFTER_EXPIRY)).verified).toBe(true);
    const result = await verifyCredential(rewritten, { now: AFTER_EXPIRY, ...env });
    expect(result.valid).toBe(false);
    expect(codes(result)).toEqual(['UNEXPECTED_SHAPE']);
  });

  it('refuses mixed forms: an Ed25519Signature2020 proof under the Data Integrity contexts and the reverse', async () => {
    const env = await environment();
    const dataIntegrity = (await issueDataIntegrityCredential(taskDraft(), KEY_1, env)) as Doc;
    const ed25519 = (await issueJsonLdCredential(taskDraft(), KEY_1, env)) as Doc;
    const swapped = [
      { ...dataIntegrity, proof: ed25519.proof },
      { ...ed25519, proof: dataIntegrity.proof },
      { ...dataIntegrity, '@context': ed25519['@context'] },
      { ...dataIntegrity, proof: { ...dataIntegrity.proof, cryptosuite: 'eddsa-jcs-2022' } },
      { ...dataIntegrity, proof: [dataIntegrity.proof] },
    ];
    for (const document of swapped) {
      const result = await verifyCredential(document, { now: NOW, ...env });
      expect(result.valid).toBe(false);
      expect(new Set(codes(result))).toEqual(new Set(['UNEXPECTED_SHAPE']));
    }
  });

  it('no random rewriting of a revoked or expiring credential verifies as unrevoked and unexpired', { timeout: 120_000 }, async () => {
    const env = await environment();
    const revoked = await issueDataIntegrityCredential(reputationDraft(REVOKED_INDEX), KEY_1, env);
    const random = prng(0xd1);
    for (let round = 0; round < 60; round++) {
      const { document, mutations } = rewrite(revoked, random);
      const result = await verifyCredential(document, { now: AFTER_EXPIRY, ...env });
      expect(result.valid, mutations.join(', ')).toBe(false);
      // Either refused before the proof, or read where Credence looks: revoked and expired.
      if (!codes(result).includes('UNEXPECTED_SHAPE')) expect(result.revoked || result.expired, mutations.join(', ')).toBe(true);
    }
  });
});

describe('DATA_INTEGRITY: interoperability with @digitalbazaar/vc', () => {
  it('verifies task and reputation credentials, strict status included, with a third-party loader', async () => {
    const env = await environment();
    const loader = thirdPartyLoader(DID_DOCUMENT, env.statusLists.get(STATUS_LIST_URL)!);
    for (const draft of [taskDraft(), reputationDraft()]) {
      const credential = await issueDataIntegrityCredential(draft, KEY_1, env);
      const result = await libraryVerdict(credential, loader);
      expect(result.error).toBeUndefined();
      expect(result.verified).toBe(true);
      expect(result.statusResult?.verified).toBe(true);
    }
  });

  it('verifies with the retired key after rotation; refuses revoked, tampered and expired credentials', async () => {
    const env = await environment();
    const rotated = thirdPartyLoader(ROTATED_DID_DOCUMENT, env.statusLists.get(STATUS_LIST_URL)!);
    const credential = await issueDataIntegrityCredential(reputationDraft(), KEY_1, env);
    expect((await libraryVerdict(credential, rotated)).verified).toBe(true);
    const revoked = await issueDataIntegrityCredential(reputationDraft(REVOKED_INDEX), KEY_1, env);
    const revokedResult = await libraryVerdict(revoked, rotated);
    expect(revokedResult.verified).toBe(false);
    expect(revokedResult.statusResult?.error?.message).toMatch(/revoked/);
    const tampered = structuredClone(credential) as Doc;
    tampered.credentialSubject.score = 99;
    expect((await libraryVerdict(tampered, rotated)).verified).toBe(false);
    expect((await libraryVerdict(credential, rotated, AFTER_EXPIRY)).verified).toBe(false);
  });

  it('publishes a DID document that processes as JSON-LD with both key forms', async () => {
    const env = await environment(ROTATED_DID_DOCUMENT);
    const expanded = await jsonld.expand(structuredClone(ROTATED_DID_DOCUMENT), { documentLoader: env.documentLoader, safe: true });
    const methods = (expanded[0] as Record<string, Array<{ '@type': string[] }>>)['https://w3id.org/security#verificationMethod']!;
    expect(methods.map((method) => method['@type'][0]).sort()).toEqual([
      'https://w3id.org/security#Ed25519VerificationKey2020',
      'https://w3id.org/security#Ed25519VerificationKey2020',
      'https://w3id.org/security#Multikey',
      'https://w3id.org/security#Multikey',
    ]);
    // The Multikey method dereferences with its own context.
    expect((await env.documentLoader(`${SERVICE_DID}#key-1-multikey`)).document).toMatchObject({
      '@context': 'https://w3id.org/security/multikey/v1',
      type: 'Multikey',
      publicKeyMultibase: KEY_1.publicKeyMultibase,
    });
  });
});

describe('DATA_INTEGRITY in presentations', () => {
  it('a JSON-LD presentation carrying Data Integrity credentials verifies; a revoked one inside fails it', async () => {
    const env = await environment();
    const task = await issueDataIntegrityCredential(taskDraft(), KEY_1, env);
    const reputation = await issueDataIntegrityCredential(reputationDraft(), KEY_1, env);
    const presentation = await createJsonLdPresentation({
      holder: AGENT,
      credentials: [task, reputation],
      challenge: 'nonce-di',
      domain: 'market.example',
      now: NOW,
      documentLoader: env.documentLoader,
    });
    const verified = await verifyPresentation(presentation, { now: NOW, ...env, challenge: 'nonce-di', domain: 'market.example' });
    expect(verified.errors).toEqual([]);
    expect(verified.credentials.map((credential) => credential.format)).toEqual(['DATA_INTEGRITY', 'DATA_INTEGRITY']);
    const wrongChallenge = await verifyPresentation(presentation, { now: NOW, ...env, challenge: 'other' });
    expect(wrongChallenge.problems.map((problem) => problem.code)).toContain('WRONG_CHALLENGE');

    const revoked = await issueDataIntegrityCredential(taskDraft(REVOKED_INDEX), KEY_1, env);
    const withRevoked = await createJsonLdPresentation({
      holder: AGENT,
      credentials: [revoked],
      challenge: 'nonce-di',
      now: NOW,
      documentLoader: env.documentLoader,
    });
    const refused = await verifyPresentation(withRevoked, { now: NOW, ...env, challenge: 'nonce-di' });
    expect(refused.valid).toBe(false);
    expect(refused.credentials[0]).toMatchObject({ revoked: true, format: 'DATA_INTEGRITY' });
  });

  it('createPresentation from credence/client presents them as JSON-LD (JSON text too), never as a JWT presentation', async () => {
    const env = await environment();
    // AGENT's key pair: the holder must be the subject of every credential it presents.
    const key = keyPairFromSeed(seed(51));
    const task = await issueDataIntegrityCredential(taskDraft(), KEY_1, env);
    const reputation = await issueDataIntegrityCredential(reputationDraft(), KEY_1, env);
    const text = await createPresentation({
      key,
      credentials: [task, JSON.stringify(reputation)],
      challenge: 'nonce-client',
      domain: 'market.example',
      format: 'JSON_LD',
      now: NOW,
    });
    const presentation = JSON.parse(text);
    expect(presentation.holder).toBe(AGENT.did);
    const verified = await verifyPresentation(presentation, { now: NOW, ...env, challenge: 'nonce-client', domain: 'market.example' });
    expect(verified.errors).toEqual([]);
    expect(verified.valid).toBe(true);
    expect(verified.format).toBe('JSON_LD');
    expect(verified.credentials.map((credential) => credential.format)).toEqual(['DATA_INTEGRITY', 'DATA_INTEGRITY']);
    await expect(
      createPresentation({ key, credentials: [task], challenge: 'nonce-client', domain: 'market.example', now: NOW }),
    ).rejects.toThrow(/use format JSON_LD/);
  });

});
