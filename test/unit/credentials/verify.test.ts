import { describe, expect, it } from 'vitest';
import { encodeJws } from '../../../src/crypto/ed25519.ts';
import { issueJwtCredential } from '../../../src/credentials/jwt-credential.ts';
import { issueJsonLdCredential } from '../../../src/credentials/jsonld-credential.ts';
import { verifyCredential } from '../../../src/credentials/verify.ts';
import { KEY_1, NOW, SERVICE_DID, environment, reputationDraft, taskDraft } from './helpers.ts';

describe('verifyCredential', () => {
  it('detects the format: JWT string, JSON-LD object, JSON-LD text', async () => {
    const env = await environment();
    const jwt = await issueJwtCredential(taskDraft(), KEY_1);
    const object = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    expect((await verifyCredential(jwt, { now: NOW, ...env })).format).toBe('JWT');
    expect((await verifyCredential(`  ${jwt}\n`, { now: NOW, ...env })).valid).toBe(true);
    expect((await verifyCredential(object, { now: NOW, ...env })).format).toBe('JSON_LD');
    expect((await verifyCredential(JSON.stringify(object), { now: NOW, ...env })).format).toBe('JSON_LD');
  });

  it('never throws, and says why for input that is not a credential', async () => {
    const env = await environment();
    const inputs: unknown[] = [
      '',
      'hello',
      'a.b.c',
      'e30.e30.',
      '{not json',
      '[]',
      '{}',
      { '@context': 'https://www.w3.org/ns/credentials/v2' },
      { '@context': ['https://www.w3.org/ns/credentials/v2'], type: 'VerifiableCredential', credentialSubject: {} },
      null,
      42,
      encodeJws({ alg: 'EdDSA' }, { iss: SERVICE_DID }, KEY_1.privateKey),
      encodeJws({ alg: 'none' }, { iss: SERVICE_DID, vc: { type: ['VerifiableCredential'] } }, KEY_1.privateKey),
    ];
    for (const input of inputs) {
      const result = await verifyCredential(input as string, { now: NOW, ...env });
      expect(result.valid, JSON.stringify(input)).toBe(false);
      expect(result.errors.length, JSON.stringify(input)).toBeGreaterThan(0);
      expect(result.errors.length).toBe(result.problems.length);
    }
  });

  it('reports every independent failure at once', async () => {
    const env = await environment();
    const jwt = await issueJwtCredential(reputationDraft(7), KEY_1);
    const result = await verifyCredential(jwt, { now: new Date('2027-06-01T00:00:00Z'), ...env });
    expect(result).toMatchObject({ valid: false, expired: true, revoked: true });
    expect(result.problems.map((problem) => problem.code)).toEqual(['EXPIRED', 'REVOKED']);
  });
});
