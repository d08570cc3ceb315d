// docs/verifying-credentials.md's snippet (examples/verify-credential.ts) is in the page as written, and it does
// what the page says: refuses the rewritten credentials that @digitalbazaar/vc alone accepts.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { issueJsonLdCredential } from '../../../src/credentials/jsonld-credential.ts';
import { issueDataIntegrityCredential } from '../../../src/credentials/data-integrity.ts';
import { verifyCredenceCredential } from '../../../examples/verify-credential.ts';
import { aliasValidUntil, nestStatus } from '../../helpers/credential-rewrites.ts';
import { KEY_1, NOW, REVOKED_INDEX, environment, reputationDraft, taskDraft } from './helpers.ts';

const AFTER_EXPIRY = new Date('2027-06-01T00:00:00Z');

describe('the third-party verification example', () => {
  it('is in docs/verifying-credentials.md exactly as in examples/verify-credential.ts', async () => {
    const [page, example] = await Promise.all([
      readFile(new URL('../../../docs/verifying-credentials.md', import.meta.url), 'utf8'),
      readFile(new URL('../../../examples/verify-credential.ts', import.meta.url), 'utf8'),
    ]);
    expect(/```ts\n([\s\S]*?)```/.exec(page)?.[1]).toBe(example);
  });

  it.each([
    ['JSON_LD', issueJsonLdCredential],
    ['DATA_INTEGRITY', issueDataIntegrityCredential],
  ] as const)('accepts genuine %s credentials and refuses revoked, expired and rewritten ones', async (_format, issueCredential) => {
    const env = await environment();
    const task = await issueCredential(taskDraft(), KEY_1, env);
    const revoked = await issueCredential(taskDraft(REVOKED_INDEX), KEY_1, env);
    const reputation = await issueCredential(reputationDraft(5), KEY_1, env);

    expect(await verifyCredenceCredential(task, env.documentLoader, NOW)).toEqual({ verified: true, errors: [] });
    expect(await verifyCredenceCredential(reputation, env.documentLoader, NOW)).toEqual({ verified: true, errors: [] });
    expect(await verifyCredenceCredential(revoked, env.documentLoader, NOW)).toMatchObject({ verified: false, errors: [expect.stringMatching(/revoked/)] });
    expect((await verifyCredenceCredential(reputation, env.documentLoader, AFTER_EXPIRY)).verified).toBe(false);

    const nested = await verifyCredenceCredential(nestStatus(revoked), env.documentLoader, NOW);
    expect(nested).toMatchObject({ verified: false, errors: [expect.stringMatching(/^shape: .*inline context/)] });
    const aliased = await verifyCredenceCredential(aliasValidUntil(reputation), env.documentLoader, AFTER_EXPIRY);
    expect(aliased).toMatchObject({ verified: false, errors: [expect.stringMatching(/^shape: /)] });
  });
});
