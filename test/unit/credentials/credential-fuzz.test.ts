// Fuzzing verification with rewritings of issued credentials (seeded, deterministic): whatever the combination of
// JSON-LD tricks, a credential whose status bit is set or whose validUntil has passed never verifies.
import { describe, expect, it } from 'vitest';
import * as vc from '@digitalbazaar/vc';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { checkStatusStrict } from '../../../src/credentials/credential-status.ts';
import { issueJsonLdCredential } from '../../../src/credentials/jsonld-credential.ts';
import { verifyCredential } from '../../../src/credentials/verify.ts';
import { prng, rewrite, type Doc } from '../../helpers/credential-rewrites.ts';
import { KEY_1, NOW, REVOKED_INDEX, environment, reputationDraft, taskDraft } from './helpers.ts';

const CASES = 1_000;
const SEED = 0x5eed17;
const AFTER_EXPIRY = new Date('2027-06-01T00:00:00Z');

describe('credential rewriting fuzz', () => {
  it(`${CASES} context-rewriting mutations of a revoked and an expired credential: none verifies`, { timeout: 600_000 }, async () => {
    const env = await environment();
    const revoked = (await issueJsonLdCredential(taskDraft(REVOKED_INDEX), KEY_1, env)) as Doc;
    const expired = (await issueJsonLdCredential(reputationDraft(5), KEY_1, env)) as Doc;
    const targets = [
      { name: 'revoked', credential: revoked, now: NOW, code: 'REVOKED' },
      { name: 'expired', credential: expired, now: AFTER_EXPIRY, code: 'EXPIRED' },
    ] as const;
    for (const target of targets) {
      expect((await verifyCredential(target.credential, { now: target.now, ...env })).problems.map((problem) => problem.code)).toEqual([target.code]);
    }

    const random = prng(SEED);
    const seen = new Set<string>();
    let signatureKept = 0;
    let libraryFooled = 0;
    for (let index = 0; index < CASES; index++) {
      const target = targets[index % targets.length]!;
      const { document, mutations } = rewrite(target.credential, random);
      const label = `case ${index} (${target.name}: ${mutations.join(' + ')})`;
      seen.add(JSON.stringify(document));
      const result = await verifyCredential(document, { now: target.now, ...env });
      expect(result.valid, label).toBe(false);
      expect(result.problems.length, label).toBeGreaterThan(0);

      // What @digitalbazaar/vc alone makes of it: how many rewritings kept the signature, and how many of those
      // a verifier reading only the top-level credentialStatus and validUntil would have accepted.
      const library = await vc.verifyCredential({
        credential: document,
        suite: new Ed25519Signature2020(),
        documentLoader: env.documentLoader,
        checkStatus: checkStatusStrict,
        now: target.now,
      });
      const proofHeld = (library.results ?? []).some((entry: { verified?: boolean }) => entry.verified) || library.verified;
      if (proofHeld) signatureKept += 1;
      if (library.verified) libraryFooled += 1;
    }
    // The fuzzer really produces distinct documents, many of which keep the signature and fool the library alone.
    expect(seen.size).toBeGreaterThan(CASES / 2);
    expect(signatureKept).toBeGreaterThan(50);
    expect(libraryFooled).toBeGreaterThan(20);
    console.log(`credential fuzz: ${CASES} cases, ${seen.size} distinct, ${signatureKept} kept the signature, ${libraryFooled} fooled @digitalbazaar/vc alone, 0 verified by Credence`);
  });
});
