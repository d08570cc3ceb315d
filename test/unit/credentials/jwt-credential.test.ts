import { describe, expect, it } from 'vitest';
import { decodeJws } from '../../../src/crypto/ed25519.ts';
import { issueJwtCredential, JWT_VC_CONTEXTS, normalizeJwtCredential } from '../../../src/credentials/jwt-credential.ts';
import { verifyCredential } from '../../../src/credentials/verify.ts';
import { reputationCredential } from '../../../src/credentials/credential-types.ts';
import { statusListEntry } from '../../../src/credentials/status-list.ts';
import {
  AGENT,
  IMPOSTOR_KEY,
  ISSUED_AT,
  KEY_1,
  KEY_2,
  NOW,
  REPORT,
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

function reencode(jwt: string, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const signature = jwt.split('.')[2];
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(payload)}.${signature}`;
}

describe('JWT credentials', () => {
  it('issues the known answer for a fixed key and date (EdDSA is deterministic)', async () => {
    const task = await issueJwtCredential(taskDraft(), KEY_1);
    const reputation = await issueJwtCredential(reputationDraft(), KEY_1);
    expect(task).toBe(knownAnswer('task-completion.jwt', task));
    expect(reputation).toBe(knownAnswer('reputation.jwt', reputation));
  });

  it('has the did-jwt-vc shape: iss, sub, nbf, exp, jti, vc with contexts, types, subject claims and status', async () => {
    const { header, payload } = decodeJws(await issueJwtCredential(reputationDraft(), KEY_1));
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: `${SERVICE_DID}#key-1` });
    expect(payload.iss).toBe(SERVICE_DID);
    expect(payload.sub).toBe(AGENT.did);
    expect(payload.jti).toBe(REPUTATION_ID);
    expect(payload.nbf).toBe(ISSUED_AT.getTime() / 1000);
    expect(payload.exp).toBe(ISSUED_AT.getTime() / 1000 + 30 * 86_400);
    expect(payload).not.toHaveProperty('iat');
    const vc = payload.vc as Record<string, unknown>;
    expect(vc['@context']).toEqual([...JWT_VC_CONTEXTS]);
    expect(vc.type).toEqual(['VerifiableCredential', 'ReputationCredential']);
    expect(vc.credentialSubject).not.toHaveProperty('id');
    expect(vc.credentialStatus).toEqual({
      id: `${STATUS_LIST_URL}#4`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '4',
      statusListCredential: STATUS_LIST_URL,
    });
  });

  it('round-trips: a fresh credential verifies and reports issuer, subject, types and dates', async () => {
    const env = await environment();
    const result = await verifyCredential(await issueJwtCredential(taskDraft(), KEY_1), { now: NOW, ...env });
    expect(result.errors).toEqual([]);
    expect(result).toMatchObject({
      valid: true,
      revoked: false,
      expired: false,
      format: 'JWT',
      id: TASK_ID,
      issuer: SERVICE_DID,
      subject: AGENT.did,
      types: ['VerifiableCredential', 'TaskCompletionCredential'],
      validFrom: ISSUED_AT,
      validUntil: null,
    });
    expect(result.credential).toMatchObject({ issuanceDate: '2026-11-02T00:00:00Z', credentialSubject: { id: AGENT.did } });
  });

  it('fails when any payload or header field is tampered with', async () => {
    const env = await environment();
    const jwt = await issueJwtCredential(reputationDraft(), KEY_1);
    const { header, payload } = decodeJws(jwt);
    const paths = leafPaths(payload);
    expect(paths.length).toBeGreaterThan(50);
    for (const path of paths) {
      const result = await verifyCredential(reencode(jwt, header, tamper(payload, path)), { now: NOW, ...env });
      expect(result.valid, `payload.${path.join('.')}`).toBe(false);
    }
    for (const path of leafPaths(header)) {
      const result = await verifyCredential(reencode(jwt, tamper(header, path), payload), { now: NOW, ...env });
      expect(result.valid, `header.${path.join('.')}`).toBe(false);
    }
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    const result = await verifyCredential(flipped, { now: NOW, ...env });
    expect(result.problems.map((problem) => problem.code)).toEqual(['BAD_SIGNATURE']);
  });

  it('fails as revoked when its bit is set in the status list', async () => {
    const env = await environment();
    const jwt = await issueJwtCredential(taskDraft(REVOKED_INDEX), KEY_1);
    const result = await verifyCredential(jwt, { now: NOW, ...env });
    expect(result).toMatchObject({ valid: false, revoked: true, expired: false });
    expect(result.errors).toEqual([`revoked: bit ${REVOKED_INDEX} is set in ${STATUS_LIST_URL}`]);

    await env.publishStatusList([]);
    expect((await verifyCredential(jwt, { now: NOW, ...env })).valid).toBe(true);
  });

  it('fails as expired after validUntil and as not yet valid before validFrom', async () => {
    const env = await environment();
    const jwt = await issueJwtCredential(reputationDraft(), KEY_1);
    const late = await verifyCredential(jwt, { now: new Date('2026-12-02T00:01:01Z'), ...env });
    expect(late).toMatchObject({ valid: false, expired: true, revoked: false });
    expect(late.problems.map((problem) => problem.code)).toEqual(['EXPIRED']);
    const early = await verifyCredential(jwt, { now: new Date('2026-11-01T23:58:00Z'), ...env });
    expect(early.problems.map((problem) => problem.code)).toEqual(['NOT_YET_VALID']);
    // The default leeway is 60 s either side.
    expect((await verifyCredential(jwt, { now: new Date('2026-11-01T23:59:30Z'), ...env })).valid).toBe(true);
    expect((await verifyCredential(jwt, { now: new Date('2026-11-01T23:59:30Z'), clockSkewSeconds: 0, ...env })).valid).toBe(
      false,
    );
  });

  it('still verifies after a key rotation: the retired key stays in the DID document', async () => {
    const jwt = await issueJwtCredential(taskDraft(), KEY_1);
    const rotated = await environment(ROTATED_DID_DOCUMENT);
    expect((await verifyCredential(jwt, { now: NOW, ...rotated })).errors).toEqual([]);
    const fresh = await issueJwtCredential(taskDraft(), KEY_2);
    expect((await verifyCredential(fresh, { now: NOW, ...rotated })).valid).toBe(true);
  });

  it('fails for a key that is not in the DID document, a forged key, or an unknown issuer', async () => {
    const env = await environment();
    const unlisted = await verifyCredential(await issueJwtCredential(taskDraft(), UNLISTED_KEY), { now: NOW, ...env });
    expect(unlisted.problems.map((problem) => problem.code)).toEqual(['UNKNOWN_ISSUER_KEY']);

    const forged = await verifyCredential(await issueJwtCredential(taskDraft(), IMPOSTOR_KEY), { now: NOW, ...env });
    expect(forged.problems.map((problem) => problem.code)).toEqual(['BAD_SIGNATURE']);

    // Signed with a key that belongs to another DID entirely.
    const stranger = await issueJwtCredential(taskDraft(3, { issuer: AGENT.did }), AGENT);
    const strangerResult = await verifyCredential(stranger, { now: NOW, ...env });
    // did:key issuers resolve, so the signature holds; the status list is not the stranger's to point at.
    expect(strangerResult.problems.map((problem) => problem.code)).toEqual(['STATUS_UNAVAILABLE']);
    const trusted = await verifyCredential(stranger, { now: NOW, trustedIssuers: [SERVICE_DID], ...env });
    expect(trusted.problems.map((problem) => problem.code)).toContain('UNTRUSTED_ISSUER');

    const unknown = await issueJwtCredential(
      taskDraft(3, { issuer: 'did:web:elsewhere.example' }),
      { ...KEY_1, did: 'did:web:elsewhere.example', verificationMethod: 'did:web:elsewhere.example#key-1' },
    );
    const unknownResult = await verifyCredential(unknown, { now: NOW, ...env });
    expect(unknownResult.problems.map((problem) => problem.code)).toEqual(['UNKNOWN_ISSUER']);
  });

  it('fails schema validation for claims outside the schema, with the reason', async () => {
    const env = await environment();
    const draft = reputationCredential({
      id: REPUTATION_ID,
      issuer: SERVICE_DID,
      report: { ...REPORT, tier: 'Z', score: 140 },
      issuedAt: ISSUED_AT,
      status: statusListEntry(STATUS_LIST_URL, 4),
    });
    const result = await verifyCredential(await issueJwtCredential(draft, KEY_1), { now: NOW, ...env });
    expect(result.valid).toBe(false);
    expect(result.problems.every((problem) => problem.code === 'SCHEMA')).toBe(true);
    expect(result.errors.join('\n')).toMatch(/credentialSubject\/tier/);
    expect(result.errors.join('\n')).toMatch(/credentialSubject\/score/);
  });

  it('refuses to sign for an issuer the key does not belong to', async () => {
    await expect(issueJwtCredential(taskDraft(), AGENT)).rejects.toThrow(/not to the issuer/);
  });

  it('normalizes the payload the way did-jwt-vc does', async () => {
    const { payload } = decodeJws(await issueJwtCredential(reputationDraft(), KEY_1));
    const credential = normalizeJwtCredential(payload);
    expect(Object.keys(credential)).toEqual([
      '@context',
      'id',
      'type',
      'issuer',
      'issuanceDate',
      'expirationDate',
      'credentialSubject',
      'credentialStatus',
    ]);
    expect(credential.expirationDate).toBe('2026-12-02T00:00:00Z');
  });
});
