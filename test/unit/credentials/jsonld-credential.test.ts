import { describe, expect, it } from 'vitest';
import { issueJsonLdCredential, JSONLD_VC_CONTEXTS, jsonLdCredential } from '../../../src/credentials/jsonld-credential.ts';
import { verifyCredential } from '../../../src/credentials/verify.ts';
import {
  AGENT,
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
  UNLISTED_KEY,
  environment,
  knownAnswer,
  leafPaths,
  reputationDraft,
  tamper,
  taskDraft,
} from './helpers.ts';

const json = (value: unknown) => JSON.stringify(value, null, 2);

describe('JSON-LD credentials', () => {
  it('issues the known answer for a fixed key and date', async () => {
    const env = await environment();
    const task = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    const reputation = await issueJsonLdCredential(reputationDraft(), KEY_1, env);
    expect(json(task)).toBe(knownAnswer('task-completion.jsonld.json', json(task)));
    expect(json(reputation)).toBe(knownAnswer('reputation.jsonld.json', json(reputation)));
  });

  it('is a VC 2.0 credential with an Ed25519Signature2020 assertion proof and a status entry', async () => {
    const env = await environment();
    const credential = await issueJsonLdCredential(reputationDraft(), KEY_1, env);
    expect(credential).toMatchObject({
      '@context': [...JSONLD_VC_CONTEXTS],
      id: REPUTATION_ID,
      type: ['VerifiableCredential', 'ReputationCredential'],
      issuer: SERVICE_DID,
      validFrom: '2026-11-02T00:00:00Z',
      validUntil: '2026-12-02T00:00:00Z',
      credentialSubject: { id: AGENT.did, tier: 'B', windows: { d30: { tasks: 5 } } },
      credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '4' },
      proof: {
        type: 'Ed25519Signature2020',
        created: '2026-11-02T00:00:00Z',
        verificationMethod: `${SERVICE_DID}#key-1`,
        proofPurpose: 'assertionMethod',
      },
    });
    expect(jsonLdCredential(reputationDraft())).not.toHaveProperty('proof');
  });

  it('round-trips, from an object or from its JSON text', async () => {
    const env = await environment();
    const credential = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    for (const input of [credential, JSON.stringify(credential)]) {
      const result = await verifyCredential(input, { now: NOW, ...env });
      expect(result.errors).toEqual([]);
      expect(result).toMatchObject({
        valid: true,
        format: 'JSON_LD',
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
    const credential = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    const paths = leafPaths(credential);
    expect(paths.length).toBeGreaterThan(20);
    for (const path of paths) {
      const result = await verifyCredential(tamper(credential, path), { now: NOW, ...env });
      expect(result.valid, path.join('.')).toBe(false);
    }
  });

  it('fails when a claim is added or removed', async () => {
    const env = await environment();
    const credential = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    const added = structuredClone(credential) as { credentialSubject: Record<string, unknown> };
    added.credentialSubject.tier = 'A';
    // A claim a task credential does not carry is refused before the proof is even checked.
    expect((await verifyCredential(added, { now: NOW, ...env })).problems.map((p) => p.code)).toEqual(['UNEXPECTED_SHAPE']);
    const removed = structuredClone(credential) as { credentialSubject: Record<string, unknown> };
    delete removed.credentialSubject.escrowId;
    expect((await verifyCredential(removed, { now: NOW, ...env })).problems.map((p) => p.code)).toEqual(['BAD_SIGNATURE']);
    // A term the Credence context does not define is refused outright (no @vocab fallback).
    const undefinedTerm = structuredClone(credential) as { credentialSubject: Record<string, unknown> };
    undefinedTerm.credentialSubject.favouriteColour = 'blue';
    const result = await verifyCredential(undefinedTerm, { now: NOW, ...env });
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/favouriteColour/);
  });

  it('fails as revoked when its bit is set', async () => {
    const env = await environment();
    const credential = await issueJsonLdCredential(reputationDraft(REVOKED_INDEX), KEY_1, env);
    const result = await verifyCredential(credential, { now: NOW, ...env });
    expect(result).toMatchObject({ valid: false, revoked: true });
    expect(result.errors).toEqual([`revoked: bit ${REVOKED_INDEX} is set in ${STATUS_LIST_URL}`]);
  });

  it('fails as expired after validUntil', async () => {
    const env = await environment();
    const credential = await issueJsonLdCredential(reputationDraft(), KEY_1, env);
    const result = await verifyCredential(credential, { now: new Date('2026-12-03T00:00:00Z'), ...env });
    expect(result).toMatchObject({ valid: false, expired: true, revoked: false });
    expect(result.problems.map((problem) => problem.code)).toEqual(['EXPIRED']);
  });

  it('still verifies after a key rotation', async () => {
    const env = await environment();
    const credential = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    const rotated = await environment(ROTATED_DID_DOCUMENT);
    expect((await verifyCredential(credential, { now: NOW, ...rotated })).errors).toEqual([]);
    const fresh = await issueJsonLdCredential(taskDraft(), KEY_2, rotated);
    expect((await verifyCredential(fresh, { now: NOW, ...rotated })).valid).toBe(true);
    // ...but not against the old document, which does not know key-2 yet.
    expect((await verifyCredential(fresh, { now: NOW, ...env })).problems.map((p) => p.code)).toEqual(['UNKNOWN_ISSUER_KEY']);
  });

  it('fails for an unlisted key, a forged key and an unknown issuer', async () => {
    const env = await environment();
    const unlisted = await issueJsonLdCredential(taskDraft(), UNLISTED_KEY, env);
    expect((await verifyCredential(unlisted, { now: NOW, ...env })).problems.map((p) => p.code)).toEqual([
      'UNKNOWN_ISSUER_KEY',
    ]);
    const forged = await issueJsonLdCredential(taskDraft(), IMPOSTOR_KEY, env);
    expect((await verifyCredential(forged, { now: NOW, ...env })).problems.map((p) => p.code)).toEqual(['BAD_SIGNATURE']);
    // The proof's key must belong to the credential's issuer.
    const credential = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    const reissued = { ...credential, issuer: AGENT.did };
    expect((await verifyCredential(reissued, { now: NOW, ...env })).problems.map((p) => p.code)).toContain(
      'UNKNOWN_ISSUER_KEY',
    );
  });
});
