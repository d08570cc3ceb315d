// An agent with a history worth a profile: escrow-verified jobs from several buyers on a few days, a claimed display
// name and a reputation credential.
import { expect } from 'vitest';
import { issue } from './credentials.ts';
import { createScene, recordEscrow, signReceipt, SUBMIT, type Scene } from './marketplace.ts';
import { newKey, type TestApp } from './test-app.ts';

export const HOSTILE_NAME = '<script>alert(1)</script>';

export const CLAIM = /* GraphQL */ `
  mutation($input: ClaimDidInput) {
    claimDid(input: $input) {
      __typename
      ... on ClaimDidPayload { agent { did displayName badgeUrl profileUrl } }
      ... on Error { code message }
    }
  }
`;

export interface AgentWithHistory {
  scene: Scene;
  /** How many receipts were stored per UTC day, `YYYY-MM-DD` → count. */
  days: Map<string, number>;
  receipts: number;
  credentialId: string;
  credentialEncoded: string;
}

const DAY = 86_400_000;

/** Jobs `ages` days before `t.now` (one buyer each), a claim with `displayName`, and a JWT reputation credential. */
export async function buildAgentWithHistory(
  t: TestApp,
  options: { displayName?: string; ages?: number[]; prefix?: string } = {},
): Promise<AgentWithHistory> {
  const scene = await createScene(t);
  const ages = options.ages ?? [1, 1, 1, 10, 10, 40];
  const days = new Map<string, number>();
  for (const [i, age] of ages.entries()) {
    const job = { ...scene, buyer: newKey() };
    const occurredAt = new Date(t.now.getTime() - age * DAY).toISOString();
    const escrowId = `esc_${options.prefix ?? 'profile'}_${i}`;
    await recordEscrow(t, job, escrowId, ['FUNDED', 'RELEASED', 'SETTLED'], { occurredAt });
    const result = await t.gql(SUBMIT, { receipt: signReceipt(t, job, { escrowId, occurredAt }) });
    expect(result.data.submitReceipt.receipt?.confidence).toBe('ESCROW_VERIFIED');
    const day = occurredAt.slice(0, 10);
    days.set(day, (days.get(day) ?? 0) + 1);
  }
  if (options.displayName !== undefined) {
    const claimed = await t.gql(CLAIM, { input: { displayName: options.displayName } }, scene.agent);
    expect(claimed.data.claimDid.agent.displayName).toBe(options.displayName);
  }
  const credential = await issue(t, scene.agent, { type: 'REPUTATION', format: 'JWT' });
  expect(credential.__typename).toBe('IssueCredentialPayload');
  return {
    scene,
    days,
    receipts: ages.length,
    credentialId: credential.credential.credentialId,
    credentialEncoded: credential.credential.encoded,
  };
}
