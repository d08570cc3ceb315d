// The shape check: only the exact form Credence issues is verified, so a rewriting that keeps the N-Quads (and so
// the signature) cannot hide credentialStatus or validUntil.
import { describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { checkStatusStrict } from '../../../src/credentials/credential-status.ts';
import {
  CREDENTIAL_LIMITS,
  checkJsonLdCredentialShape,
  checkJsonLdPresentationShape,
  checkJsonLimits,
  checkJwtCredentialShape,
  checkJwtPresentationShape,
  checkStatusListShape,
} from '../../../src/credentials/credential-shape.ts';
import { decodeJws, encodeJws } from '../../../src/crypto/ed25519.ts';
import { issueJsonLdCredential } from '../../../src/credentials/jsonld-credential.ts';
import { issueJwtCredential } from '../../../src/credentials/jwt-credential.ts';
import { createJsonLdPresentation, createJwtPresentation, verifyPresentation } from '../../../src/credentials/presentation.ts';
import { verifyCredential } from '../../../src/credentials/verify.ts';
import { AGENT, KEY_1, NOW, RECEIPT, REVOKED_INDEX, environment, reputationDraft, taskDraft } from './helpers.ts';
import { aliasValidUntil, nestStatus, type Doc } from '../../helpers/credential-rewrites.ts';

const AFTER_EXPIRY = new Date('2027-06-01T00:00:00Z');

/** What @digitalbazaar/vc alone says: the signature, with strict status, when credentialStatus is where it looks. */
async function libraryVerdict(credential: Doc, env: { documentLoader: any }, now = NOW) {
  return vc.verifyCredential({
    credential,
    suite: new Ed25519Signature2020(),
    documentLoader: env.documentLoader,
    checkStatus: checkStatusStrict,
    now,
  });
}

describe('finding 1: a revoked JSON-LD credential rewritten with @nest does not verify', () => {
  it('keeps its signature (the library alone is fooled) but Credence refuses it', async () => {
    const env = await environment();
    const revoked = await issueJsonLdCredential(taskDraft(REVOKED_INDEX), KEY_1, env);
    expect(await verifyCredential(revoked, { now: NOW, ...env })).toMatchObject({ valid: false, revoked: true });

    const rewritten = nestStatus(revoked);
    // The canonical N-Quads are unchanged: @digitalbazaar/vc verifies the proof and, finding no top-level
    // credentialStatus, never checks the status.
    expect((await libraryVerdict(rewritten, env)).verified).toBe(true);

    const result = await verifyCredential(rewritten, { now: NOW, ...env });
    expect(result.valid).toBe(false);
    expect(result.problems.map((problem) => problem.code)).toEqual(['UNEXPECTED_SHAPE']);
    expect(result.errors[0]).toMatch(/@context has an inline context/);
    // Also as JSON text, the way the service receives it.
    expect((await verifyCredential(JSON.stringify(rewritten), { now: NOW, ...env })).valid).toBe(false);
  });

  it('refuses each part of the rewriting on its own', async () => {
    const env = await environment();
    const revoked = await issueJsonLdCredential(taskDraft(REVOKED_INDEX), KEY_1, env);
    const curie = structuredClone(revoked) as Doc;
    curie.type = ['VerifiableCredential', 'credence:TaskCompletionCredential'];
    expect((await libraryVerdict(curie, env)).verified).toBe(false); // status still found: revoked
    const curieResult = await verifyCredential(curie, { now: NOW, ...env });
    expect(curieResult.problems.map((problem) => problem.code)).toEqual(['UNEXPECTED_SHAPE']);
    expect(curieResult.errors[0]).toMatch(/\/type must be exactly one of/);

    const fullIri = structuredClone(revoked) as Doc;
    fullIri.type = ['VerifiableCredential', 'https://credence.dev/vocab#TaskCompletionCredential'];
    expect((await verifyCredential(fullIri, { now: NOW, ...env })).problems.map((problem) => problem.code)).toEqual(['UNEXPECTED_SHAPE']);
  });
});

describe('finding 2: a reputation credential cannot be made never to expire', () => {
  it('refuses validUntil aliased through an inline context term, though its signature holds', async () => {
    const env = await environment();
    const reputation = await issueJsonLdCredential(reputationDraft(5), KEY_1, env);
    expect(await verifyCredential(reputation, { now: AFTER_EXPIRY, ...env })).toMatchObject({ valid: false, expired: true });

    const rewritten = aliasValidUntil(reputation);
    const library = await libraryVerdict(rewritten, env, AFTER_EXPIRY);
    expect(library.verified).toBe(true);

    const result = await verifyCredential(rewritten, { now: AFTER_EXPIRY, ...env });
    expect(result.valid).toBe(false);
    expect(result.problems.map((problem) => problem.code)).toEqual(['UNEXPECTED_SHAPE']);
  });

  it('refuses a reputation credential without validUntil, in either format, before and after signing', async () => {
    const env = await environment();
    const reputation = (await issueJsonLdCredential(reputationDraft(5), KEY_1, env)) as Doc;
    const { validUntil: _unused, ...withoutExpiry } = reputation;
    const shape = checkJsonLdCredentialShape(withoutExpiry);
    expect(shape.map((problem) => problem.message)).toEqual(['shape: / is missing "validUntil"']);

    // Even when the issuer really signed it that way (a reputation JWT with no exp).
    const jwt = await issueJwtCredential(reputationDraft(5), KEY_1);
    const [header, payload] = jwt.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    delete claims.exp;
    const noExp = encodeJws(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')), claims, KEY_1.privateKey);
    const result = await verifyCredential(noExp, { now: AFTER_EXPIRY, ...env });
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(['shape: / is missing "exp"']);
  });
});

describe('the shape check', () => {
  it('accepts every form Credence issues', async () => {
    const env = await environment();
    const task = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    const noEscrow = await issueJsonLdCredential(
      taskDraft(3, { receipt: { ...RECEIPT, escrowId: null } }),
      KEY_1,
      env,
    );
    const reputation = await issueJsonLdCredential(reputationDraft(), KEY_1, env);
    for (const credential of [task, noEscrow, reputation]) expect(checkJsonLdCredentialShape(credential)).toEqual([]);
    for (const draft of [taskDraft(), reputationDraft()]) {
      expect(checkJwtCredentialShape(decodeJws(await issueJwtCredential(draft, KEY_1)).payload)).toEqual([]);
    }
    const list = await env.publishStatusList([1, 2]);
    expect(checkStatusListShape(list)).toEqual([]);
    expect(checkJsonLdCredentialShape(list)).toEqual([]);
    const vp = await createJsonLdPresentation({ holder: AGENT, credentials: [task], challenge: 'c', domain: 'd', now: NOW, documentLoader: env.documentLoader });
    expect(checkJsonLdPresentationShape(vp)).toEqual([]);
    const jwtVp = await createJwtPresentation({ holder: AGENT, credentials: [await issueJwtCredential(taskDraft(), KEY_1)], challenge: 'c', now: NOW });
    expect(checkJwtPresentationShape(decodeJws(jwtVp).payload)).toEqual([]);
  });

  it('refuses JSON-LD forms that keep the N-Quads, each with a reason', async () => {
    const env = await environment();
    const task = (await issueJsonLdCredential(taskDraft(REVOKED_INDEX), KEY_1, env)) as Doc;
    const variants: Array<[string, (doc: Doc) => void, RegExp]> = [
      ['reordered contexts', (doc) => doc['@context'].reverse(), /@context must be exactly/],
      ['an unknown context URL', (doc) => doc['@context'].push('https://example.com/ctx'), /@context must be exactly/],
      ['a single context string', (doc) => (doc['@context'] = doc['@context'][0]), /@context must be exactly/],
      ['@type for type', (doc) => ((doc['@type'] = doc.type), delete doc.type), /keyword "@type"|type must be exactly/],
      ['a single type string', (doc) => (doc.type = 'TaskCompletionCredential'), /type must be exactly/],
      ['a duplicated type', (doc) => doc.type.push('TaskCompletionCredential'), /type must be exactly/],
      ['credentialStatus in an array', (doc) => (doc.credentialStatus = [doc.credentialStatus]), /credentialStatus must be an object/],
      ['credentialStatus keyed by its IRI', (doc) => {
        doc['https://www.w3.org/2018/credentials#credentialStatus'] = doc.credentialStatus;
        delete doc.credentialStatus;
      }, /IRI key/],
      ['credentialStatus under @included', (doc) => ((doc['@included'] = [doc.credentialStatus]), delete doc.credentialStatus), /keyword "@included"/],
      ['the document wrapped in @graph', (doc) => {
        const { '@context': context, ...rest } = doc;
        for (const key of Object.keys(doc)) delete doc[key];
        Object.assign(doc, { '@context': context, '@graph': [rest] });
      }, /type must be exactly one of .* not nothing/],
      ['@reverse', (doc) => (doc['@reverse'] = {}), /keyword "@reverse"/],
      ['a nested @context in credentialSubject', (doc) => (doc.credentialSubject['@context'] = { x: '@nest' }), /keyword "@context"/],
      ['an @value object', (doc) => (doc.validFrom = { '@value': doc.validFrom }), /validFrom must be a string/],
      ['a compact IRI property', (doc) => ((doc.credentialSubject['credence:receiptId'] = doc.credentialSubject.receiptId), delete doc.credentialSubject.receiptId), /IRI key/],
      ['an issuer object', (doc) => (doc.issuer = { id: doc.issuer }), /issuer must be a string/],
      ['a status entry with an extra term', (doc) => (doc.credentialStatus.note = 'x'), /"note"/],
    ];
    for (const [name, mutate, reason] of variants) {
      const variant = structuredClone(task);
      mutate(variant);
      const result = await verifyCredential(variant, { now: NOW, ...env });
      expect(result.valid, name).toBe(false);
      expect(result.problems.length, name).toBeGreaterThan(0);
      expect(result.problems.every((problem) => problem.code === 'UNEXPECTED_SHAPE'), name).toBe(true);
      expect(result.errors.join('\n'), name).toMatch(reason);
    }
  });

  it('refuses an inline context in a JWT credential even when the issuer signed it', async () => {
    const env = await environment();
    const jwt = await issueJwtCredential(taskDraft(REVOKED_INDEX), KEY_1);
    const [header, payload] = jwt.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    claims.vc['@context'].push({ nst: '@nest' });
    claims.vc.nst = { credentialStatus: claims.vc.credentialStatus };
    delete claims.vc.credentialStatus;
    const resigned = encodeJws(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')), claims, KEY_1.privateKey);
    const result = await verifyCredential(resigned, { now: NOW, ...env });
    expect(result).toMatchObject({ valid: false, revoked: false });
    expect(result.problems.map((problem) => problem.code)).toEqual(['UNEXPECTED_SHAPE']);
  });

  it('refuses a rewritten status list, so its bits cannot be hidden either', async () => {
    const env = await environment();
    const credential = await issueJsonLdCredential(taskDraft(REVOKED_INDEX), KEY_1, env);
    const list = structuredClone(await env.publishStatusList([REVOKED_INDEX])) as Doc;
    list['@context'] = [...list['@context'], { nst: '@nest' }];
    list.credentialSubject.nst = { encodedList: list.credentialSubject.encodedList };
    delete list.credentialSubject.encodedList;
    env.statusLists.set(list.id, list);
    const result = await verifyCredential(credential, { now: NOW, ...env });
    expect(result.valid).toBe(false);
    expect(result.problems.map((problem) => problem.code)).toEqual(['STATUS_UNAVAILABLE']);
    expect(result.errors[0]).toMatch(/expected form/);
  });

  it('refuses presentations with an inline context or carrying a rewritten credential', async () => {
    const env = await environment();
    const rewritten = nestStatus(await issueJsonLdCredential(taskDraft(REVOKED_INDEX), KEY_1, env));
    const vp = await createJsonLdPresentation({ holder: AGENT, credentials: [rewritten], challenge: 'c-1', now: NOW, documentLoader: env.documentLoader });
    const carried = await verifyPresentation(vp, { now: NOW, challenge: 'c-1', ...env });
    expect(carried.valid).toBe(false);
    expect(carried.problems.map((problem) => problem.code)).toContain('CREDENTIAL_INVALID');
    expect(carried.credentials[0]?.problems.map((problem) => problem.code)).toEqual(['UNEXPECTED_SHAPE']);

    const inline = structuredClone(vp) as Doc;
    inline['@context'] = [...inline['@context'], { nst: '@nest' }];
    const result = await verifyPresentation(inline, { now: NOW, challenge: 'c-1', ...env });
    expect(result.problems.map((problem) => problem.code)).toEqual(['UNEXPECTED_SHAPE']);
  });

  it('measures without recursion and stops at the caps', () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < 100_000; level++) deep = [deep];
    expect(checkJsonLimits(deep, CREDENTIAL_LIMITS)?.message).toMatch(/nested deeper than 10/);
    expect(checkJsonLimits({ list: Array.from({ length: 5_000 }, () => ({})) }, CREDENTIAL_LIMITS)?.message).toMatch(/more than 1000 JSON values/);
    expect(checkJsonLimits({ text: 'x'.repeat(40_000) }, CREDENTIAL_LIMITS)?.message).toMatch(/larger than 32768/);
    expect(checkJsonLimits({ a: [1, 2, { b: 'c' }] }, CREDENTIAL_LIMITS)).toBeUndefined();
    expect(checkJsonLdCredentialShape(deep)[0]?.code).toBe('TOO_COSTLY');
  });
});
