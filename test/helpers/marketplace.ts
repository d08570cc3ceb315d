// A marketplace scene for receipt tests: an approved platform, an agent, a buyer, and signing shortcuts.
import { randomUUID } from 'node:crypto';
import { cosignReceipt, signSettlementEvent, signTaskReceipt, type SettlementInput, type TaskReceiptInput } from '../../src/client/signing.ts';
import { newKey, type TestApp, type TestKey } from './test-app.ts';

export interface Scene {
  platform: TestKey;
  agent: TestKey;
  buyer: TestKey;
}

export async function registerPlatform(t: TestApp, key: TestKey, approve = true): Promise<void> {
  const registered = await t.gql(`mutation($input: RegisterPlatformInput!) { registerPlatform(input: $input) { __typename } }`, { input: { name: 'Test market' } }, key);
  if (registered.data?.registerPlatform?.__typename !== 'RegisterPlatformPayload') throw new Error(JSON.stringify(registered));
  if (approve) {
    const approved = await t.gql(`mutation($did: String!) { approvePlatform(did: $did) { __typename } }`, { did: key.did }, t.admin);
    if (approved.data?.approvePlatform?.__typename !== 'PlatformPayload') throw new Error(JSON.stringify(approved));
  }
}

export async function createScene(t: TestApp): Promise<Scene> {
  const scene = { platform: newKey(), agent: newKey(), buyer: newKey() };
  await registerPlatform(t, scene.platform);
  return scene;
}

export function receiptInput(scene: Scene, overrides: Partial<TaskReceiptInput> = {}, now = new Date()): TaskReceiptInput {
  return {
    subject: scene.agent.did,
    taskId: `task_${randomUUID().slice(0, 8)}`,
    counterparty: scene.buyer.did,
    actionCategory: 'economic.transaction',
    actionType: 'escrow_release',
    outcome: 'accepted',
    value: { amount: '500.00', currency: 'USDC', usd: 500 },
    occurredAt: new Date(now.getTime() - 3_600_000).toISOString(),
    ...overrides,
  };
}

export function signReceipt(t: TestApp, scene: Scene, overrides: Partial<TaskReceiptInput> = {}, signer = scene.platform, receiptId?: string): string {
  return signTaskReceipt(signer, receiptInput(scene, overrides, t.now), { now: t.now, ...(receiptId ? { receiptId } : {}) });
}

export function settlementInput(scene: Scene, escrowId: string, status: SettlementInput['status'], overrides: Partial<SettlementInput> = {}, now = new Date()): SettlementInput {
  return {
    escrowId,
    jobId: `job_${escrowId}`,
    depositor: scene.buyer.did,
    beneficiary: scene.agent.did,
    amount: '500.00',
    currency: 'USDC',
    usd: 500,
    status,
    ruling: null,
    occurredAt: new Date(now.getTime() - 2 * 3_600_000).toISOString(),
    ...overrides,
  };
}

export const RECORD = /* GraphQL */ `
  mutation($event: String!) {
    recordSettlement(event: $event) {
      __typename
      ... on RecordSettlementPayload { duplicate settlement { escrowId status ruling depositor beneficiary amount events { jti status } } }
      ... on Error { code message }
    }
  }
`;

export const SUBMIT = /* GraphQL */ `
  mutation($receipt: String!, $cosignatures: [String!]) {
    submitReceipt(receipt: $receipt, cosignatures: $cosignatures) {
      __typename
      ... on SubmitReceiptPayload { duplicate receipt { id receiptId subject counterparty platform confidence outcome valueUsd amount escrowId revoked jwt } }
      ... on Error { code message }
    }
  }
`;

export async function recordEscrow(t: TestApp, scene: Scene, escrowId: string, statuses: SettlementInput['status'][], overrides: Partial<SettlementInput> = {}) {
  let last: any;
  for (const [index, status] of statuses.entries()) {
    const occurredAt = new Date(t.now.getTime() - (3 - index * 0.1) * 3_600_000).toISOString();
    const event = signSettlementEvent(scene.platform, settlementInput(scene, escrowId, status, { occurredAt, ...overrides }, t.now), { now: t.now });
    last = (await t.gql(RECORD, { event })).data.recordSettlement;
    if (last.__typename !== 'RecordSettlementPayload') throw new Error(JSON.stringify(last));
  }
  return last;
}

export { cosignReceipt, signSettlementEvent };
