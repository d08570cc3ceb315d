// Credential shortcuts for integration tests: an escrow-verified receipt, issuing, verifying.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { recordEscrow, signReceipt, SUBMIT, type Scene } from './marketplace.ts';
import type { TestApp, TestKey } from './test-app.ts';

export const ISSUE = /* GraphQL */ `
  mutation($input: IssueCredentialInput!) {
    issueCredential(input: $input) {
      __typename
      ... on IssueCredentialPayload {
        credential { id credentialId type format subject issuer issuedAt expiresAt revoked encoded statusListIndex statusListCredential receipt { receiptId } }
      }
      ... on Error { code message }
    }
  }
`;

export const VERIFY = /* GraphQL */ `
  query($credential: String!) {
    verifyCredential(credential: $credential) {
      valid revoked expired format credentialId issuer issuedByService subject types errors warnings problems { code }
    }
  }
`;

/** An agent with one accepted receipt backed by a settled escrow; returns the receipt id. */
export async function escrowVerifiedReceipt(t: TestApp, scene: Scene): Promise<string> {
  const escrowId = `esc_${randomUUID().slice(0, 8)}`;
  await recordEscrow(t, scene, escrowId, ['FUNDED', 'RELEASED', 'SETTLED']);
  const submitted = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { escrowId }) })).data.submitReceipt;
  expect(submitted.receipt).toMatchObject({ confidence: 'ESCROW_VERIFIED' });
  return submitted.receipt.receiptId;
}

export async function issue(t: TestApp, key: TestKey, input: Record<string, unknown>) {
  return (await t.gql(ISSUE, { input }, key)).data.issueCredential;
}

