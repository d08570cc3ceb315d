import { describe, expect, it } from 'vitest';
import { decodeJws, encodeJws } from '../../../src/crypto/ed25519.ts';
import { issueJwtCredential } from '../../../src/credentials/jwt-credential.ts';
import { issueJsonLdCredential } from '../../../src/credentials/jsonld-credential.ts';
import {
  createJsonLdPresentation,
  createJwtPresentation,
  verifyPresentation,
} from '../../../src/credentials/presentation.ts';
import { AGENT, KEY_1, NOW, OTHER_AGENT, REVOKED_INDEX, environment, reputationDraft, taskDraft } from './helpers.ts';

const CHALLENGE = 'c0ffee-4b1d';
const DOMAIN = 'marketplace.example';

const codes = (result: { problems: { code: string }[] }) => result.problems.map((problem) => problem.code);

describe('JWT presentations', () => {
  it('verify when bound to the challenge and domain, with every credential checked', async () => {
    const env = await environment();
    const credentials = [await issueJwtCredential(taskDraft(), KEY_1), await issueJwtCredential(reputationDraft(), KEY_1)];
    const vp = await createJwtPresentation({ holder: AGENT, credentials, challenge: CHALLENGE, domain: DOMAIN, now: NOW });
    const result = await verifyPresentation(vp, { now: NOW, challenge: CHALLENGE, domain: DOMAIN, ...env });
    expect(result.errors).toEqual([]);
    expect(result).toMatchObject({ valid: true, format: 'JWT', holder: AGENT.did });
    expect(result.credentials.map((credential) => credential.types[1])).toEqual([
      'TaskCompletionCredential',
      'ReputationCredential',
    ]);
    const { payload } = decodeJws(vp);
    expect(payload).toMatchObject({ iss: AGENT.did, nonce: CHALLENGE, aud: [DOMAIN] });
  });

  it('are refused with the wrong challenge or domain', async () => {
    const env = await environment();
    const credentials = [await issueJwtCredential(taskDraft(), KEY_1)];
    const vp = await createJwtPresentation({ holder: AGENT, credentials, challenge: CHALLENGE, domain: DOMAIN, now: NOW });
    expect(codes(await verifyPresentation(vp, { now: NOW, challenge: 'other', domain: DOMAIN, ...env }))).toEqual([
      'WRONG_CHALLENGE',
    ]);
    expect(codes(await verifyPresentation(vp, { now: NOW, challenge: CHALLENGE, domain: 'evil.example', ...env }))).toEqual([
      'WRONG_DOMAIN',
    ]);
  });

  it('are refused when someone other than the holder signs, or presents the holder\'s credentials', async () => {
    const env = await environment();
    const credentials = [await issueJwtCredential(taskDraft(), KEY_1)];
    // Another agent presents AGENT's credential as its own.
    const stolen = await createJwtPresentation({ holder: OTHER_AGENT, credentials, challenge: CHALLENGE, now: NOW });
    expect(codes(await verifyPresentation(stolen, { now: NOW, challenge: CHALLENGE, ...env }))).toEqual(['HOLDER_NOT_SUBJECT']);
    // A presentation that claims AGENT as issuer but is signed with OTHER_AGENT's key.
    const honest = await createJwtPresentation({ holder: AGENT, credentials, challenge: CHALLENGE, now: NOW });
    const { header, payload } = decodeJws(honest);
    const forged = encodeJws({ ...header, kid: undefined }, payload, OTHER_AGENT.privateKey);
    expect(codes(await verifyPresentation(forged, { now: NOW, challenge: CHALLENGE, ...env }))).toEqual(['BAD_SIGNATURE']);
    // ...or names a key of another DID.
    const otherKid = encodeJws({ ...header, kid: OTHER_AGENT.verificationMethod }, payload, OTHER_AGENT.privateKey);
    expect(codes(await verifyPresentation(otherKid, { now: NOW, challenge: CHALLENGE, ...env }))).toEqual(['WRONG_HOLDER']);
    // vp.holder must be the signer.
    const mismatched = encodeJws(header, { ...payload, vp: { ...(payload.vp as object), holder: OTHER_AGENT.did } }, AGENT.privateKey);
    expect(codes(await verifyPresentation(mismatched, { now: NOW, challenge: CHALLENGE, ...env }))).toEqual(['WRONG_HOLDER']);
  });

  it('are refused when expired or when a contained credential is revoked', async () => {
    const env = await environment();
    const credentials = [await issueJwtCredential(taskDraft(REVOKED_INDEX), KEY_1)];
    const vp = await createJwtPresentation({ holder: AGENT, credentials, challenge: CHALLENGE, now: NOW });
    const result = await verifyPresentation(vp, { now: NOW, challenge: CHALLENGE, ...env });
    expect(codes(result)).toEqual(['CREDENTIAL_INVALID']);
    expect(result.credentials[0]?.revoked).toBe(true);
    const later = new Date(NOW.getTime() + 10 * 60_000);
    expect(codes(await verifyPresentation(vp, { now: later, challenge: CHALLENGE, ...env }))).toEqual([
      'EXPIRED',
      'CREDENTIAL_INVALID',
    ]);
  });
});

describe('JSON-LD presentations', () => {
  it('verify when bound to the challenge and domain', async () => {
    const env = await environment();
    const credentials = [await issueJsonLdCredential(taskDraft(), KEY_1, env)];
    const vp = await createJsonLdPresentation({
      holder: AGENT,
      credentials,
      challenge: CHALLENGE,
      domain: DOMAIN,
      now: NOW,
      ...env,
    });
    expect(vp.proof).toMatchObject({ proofPurpose: 'authentication', challenge: CHALLENGE, domain: DOMAIN });
    const result = await verifyPresentation(vp, { now: NOW, challenge: CHALLENGE, domain: DOMAIN, ...env });
    expect(result.errors).toEqual([]);
    expect(result).toMatchObject({ valid: true, format: 'JSON_LD', holder: AGENT.did });
    // As JSON text too.
    expect((await verifyPresentation(JSON.stringify(vp), { now: NOW, challenge: CHALLENGE, ...env })).valid).toBe(true);
  });

  it('are refused with the wrong challenge, domain or holder, or when tampered with', async () => {
    const env = await environment();
    const credentials = [await issueJsonLdCredential(taskDraft(), KEY_1, env)];
    const make = (holder = AGENT) =>
      createJsonLdPresentation({ holder, credentials, challenge: CHALLENGE, domain: DOMAIN, now: NOW, ...env });
    const vp = await make();
    expect(codes(await verifyPresentation(vp, { now: NOW, challenge: 'other', domain: DOMAIN, ...env }))).toEqual([
      'WRONG_CHALLENGE',
    ]);
    expect(codes(await verifyPresentation(vp, { now: NOW, challenge: CHALLENGE, domain: 'evil.example', ...env }))).toEqual([
      'WRONG_DOMAIN',
    ]);
    const stolen = await make(OTHER_AGENT);
    expect(codes(await verifyPresentation(stolen, { now: NOW, challenge: CHALLENGE, ...env }))).toEqual(['HOLDER_NOT_SUBJECT']);
    const relabelled = { ...stolen, holder: AGENT.did };
    expect(codes(await verifyPresentation(relabelled, { now: NOW, challenge: CHALLENGE, ...env }))).toEqual(['WRONG_HOLDER']);
    const replayed = structuredClone(vp) as { proof: { challenge: string } };
    replayed.proof.challenge = 'fresh-challenge';
    expect(codes(await verifyPresentation(replayed, { now: NOW, challenge: 'fresh-challenge', ...env }))).toEqual([
      'BAD_SIGNATURE',
    ]);
  });

  it('are refused when a contained credential is revoked', async () => {
    const env = await environment();
    const credentials = [await issueJsonLdCredential(reputationDraft(REVOKED_INDEX), KEY_1, env)];
    const vp = await createJsonLdPresentation({ holder: AGENT, credentials, challenge: CHALLENGE, now: NOW, ...env });
    const result = await verifyPresentation(vp, { now: NOW, challenge: CHALLENGE, ...env });
    expect(codes(result)).toEqual(['CREDENTIAL_INVALID']);
    expect(result.errors[0]).toMatch(/revoked/);
  });

  it('never throw on garbage', async () => {
    const env = await environment();
    for (const input of ['', 'a.b.c', '{', '[]', '{"@context":"x"}', { type: 'VerifiablePresentation' }, [] as unknown as object]) {
      const result = await verifyPresentation(input, { now: NOW, challenge: CHALLENGE, ...env });
      expect(result.valid).toBe(false);
      expect(result.errors.length).toBeGreaterThan(0);
    }
  });
});
