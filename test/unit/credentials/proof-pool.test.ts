// The proof worker pool: proofs are checked off the main thread, within a time budget, and the pool recovers
// from a worker it had to stop.
import { afterEach, describe, expect, it } from 'vitest';
import { checkCredentialStatus } from '../../../src/credentials/credential-status.ts';
import { configureProofPool, createProofPool, type ProofPool } from '../../../src/credentials/proof-pool.ts';
import { verifyCredential } from '../../../src/credentials/verify.ts';
import { ED25519_2020_CONTEXT_URL, VC_V2_CONTEXT_URL } from '../../../src/credentials/context-urls.ts';
import { issueJsonLdCredential } from '../../../src/credentials/jsonld-credential.ts';
import { AGENT, KEY_1, NOW, REVOKED_INDEX, environment, taskDraft } from './helpers.ts';

/** A credential "issued" by a did:key with `count` identical blank nodes: canonicalizing it is superlinear. */
export function blankNodeDocument(issuer: string, count: number): Record<string, unknown> {
  return {
    '@context': [VC_V2_CONTEXT_URL, ED25519_2020_CONTEXT_URL],
    type: ['VerifiableCredential'],
    issuer,
    validFrom: '2026-11-01T00:00:00Z',
    credentialSubject: Array.from({ length: count }, () => ({ name: 'identical' })),
    proof: {
      type: 'Ed25519Signature2020',
      created: '2026-11-01T00:00:00Z',
      verificationMethod: `${issuer}#${issuer.slice('did:key:'.length)}`,
      proofPurpose: 'assertionMethod',
      proofValue: `z${'1'.repeat(86)}`,
    },
  };
}

/** The longest gap between 5 ms ticks of the main thread's event loop while `work` runs. */
async function longestStall<T>(work: Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  try {
    const result = await work;
    return { result, stallMs };
  } finally {
    clearInterval(timer);
  }
}

describe('proof pool', () => {
  let pool: ProofPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('checks a genuine proof in a worker and refuses a tampered one', async () => {
    pool = createProofPool({ size: 1 });
    const env = await environment();
    const credential = (await issueJsonLdCredential(taskDraft(), KEY_1, env)) as Record<string, any>;
    expect(await pool.run({ kind: 'credential', document: credential }, env.documentLoader)).toEqual({ verified: true });
    const tampered = structuredClone(credential);
    tampered.credentialSubject.value.usd = 1e7;
    expect(await pool.run({ kind: 'credential', document: tampered }, env.documentLoader)).toMatchObject({
      verified: false,
      tooCostly: false,
      error: expect.stringMatching(/invalid signature/i),
    });
    expect(pool.workerCount).toBe(1);
  });

  it('stops a check over its budget without stalling the main thread, answers TOO_COSTLY and replaces the worker', { timeout: 60_000 }, async () => {
    pool = createProofPool({ size: 1, budgetMs: 300 });
    const env = await environment();
    const credential = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    // Warm the worker up (start-up and first context processing are not the check's cost).
    expect(await pool.run({ kind: 'credential', document: credential }, env.documentLoader)).toEqual({ verified: true });

    const costly = blankNodeDocument(AGENT.did, 3_000);
    const started = performance.now();
    const { result, stallMs } = await longestStall(pool.run({ kind: 'credential', document: costly }, env.documentLoader));
    expect(result).toMatchObject({ verified: false, tooCostly: true, error: expect.stringMatching(/longer than 300 ms/) });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(stallMs).toBeLessThan(100);

    // A fresh worker takes the next check.
    expect(await pool.run({ kind: 'credential', document: credential }, env.documentLoader)).toEqual({ verified: true });
    expect(pool.workerCount).toBe(1);
  });

  it('refuses checks beyond its queue instead of piling them up', async () => {
    pool = createProofPool({ size: 1, maxQueue: 2 });
    const env = await environment();
    const credential = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () => pool!.run({ kind: 'credential', document: credential }, env.documentLoader)),
    );
    expect(outcomes.filter((outcome) => outcome.verified)).toHaveLength(2);
    expect(outcomes.filter((outcome) => !outcome.verified && outcome.tooCostly)).toHaveLength(2);
  });

  it('answers waiting checks when closed', async () => {
    pool = createProofPool({ size: 1 });
    const env = await environment();
    const credential = await issueJsonLdCredential(taskDraft(), KEY_1, env);
    const pending = pool.run({ kind: 'credential', document: credential }, env.documentLoader);
    await pool.close();
    expect(await pending).toMatchObject({ verified: false, error: 'the proof pool is closed' });
    expect(await pool.run({ kind: 'credential', document: credential }, env.documentLoader)).toMatchObject({ verified: false });
    expect(pool.workerCount).toBe(0);
  });

  it('verification answers TOO_COSTLY when the pool refuses the check, and a status list it could not check is checked again later', { timeout: 60_000 }, async () => {
    const env = await environment();
    const credential = await issueJsonLdCredential(taskDraft(REVOKED_INDEX), KEY_1, env);
    try {
      // A pool that takes no checks refuses every one as too costly, deterministically; a 1 ms budget raced the
      // worker's answer on a loaded machine. The budget itself is tested above with a document that is costly.
      await configureProofPool({ size: 1, maxQueue: 0 });
      const result = await verifyCredential(credential, { now: NOW, ...env });
      expect(result.valid).toBe(false);
      expect(result.problems.map((problem) => problem.code)).toEqual(['TOO_COSTLY']);
      const status = await checkCredentialStatus(credential, { now: NOW, ...env });
      expect(status.problems.map((problem) => problem.code)).toEqual(['STATUS_UNAVAILABLE']);
      expect(status.problems[0]?.message).toMatch(/too costly/);
    } finally {
      await configureProofPool({});
    }
    // The same list object, now checked within budget: the earlier failure was not remembered.
    expect((await checkCredentialStatus(credential, { now: NOW, ...env })).problems.map((problem) => problem.code)).toEqual(['REVOKED']);
    expect((await verifyCredential(credential, { now: NOW, ...env })).problems.map((problem) => problem.code)).toEqual(['REVOKED']);
  });
});
