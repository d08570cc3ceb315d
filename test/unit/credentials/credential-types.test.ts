import { describe, expect, it } from 'vitest';
import jsonld from 'jsonld';
import {
  REPUTATION_VALIDITY_DAYS,
  reputationCredential,
  reputationSubject,
  taskCompletionSubject,
} from '../../../src/credentials/credential-types.ts';
import { CREDENCE_CONTEXT_V1 } from '../../../src/credentials/contexts.ts';
import { CREDENTIAL_SCHEMAS, validateCredentialSchema } from '../../../src/credentials/schema-validation.ts';
import { jsonLdCredential } from '../../../src/credentials/jsonld-credential.ts';
import { statusListEntry } from '../../../src/credentials/status-list.ts';
import {
  AGENT,
  BUYER_DID,
  ISSUED_AT,
  PLATFORM_DID,
  RECEIPT,
  REPORT,
  SERVICE_DID,
  STATUS_LIST_URL,
  environment,
  reputationDraft,
  taskDraft,
} from './helpers.ts';

describe('credential types', () => {
  it('builds the TaskCompletionCredential subject from a receipt', () => {
    expect(taskCompletionSubject(RECEIPT)).toEqual({
      id: AGENT.did,
      receiptId: 'rcp_01JC7Q2Z8K',
      platform: PLATFORM_DID,
      actionCategory: 'economic.transaction',
      value: { amount: '500.00', currency: 'USDC', usd: 500 },
      counterparty: BUYER_DID,
      settledAt: '2026-11-01T10:00:00Z',
      escrowId: 'esc_123',
    });
    const { escrowId: _none, ...withoutEscrow } = RECEIPT;
    expect(taskCompletionSubject({ ...withoutEscrow, settledAt: new Date('2026-11-01T10:00:00.250Z') })).toMatchObject({
      settledAt: '2026-11-01T10:00:00.250Z',
    });
    expect(taskCompletionSubject(withoutEscrow)).not.toHaveProperty('escrowId');
  });

  it('builds the ReputationCredential subject from a trust report, copying only signed fields', () => {
    const subject = reputationSubject({ ...REPORT, flags: [{ code: 'NO_HISTORY' }], explanation: 'x' } as typeof REPORT);
    expect(Object.keys(subject)).toEqual(['id', 'vector', 'score', 'tier', 'confidence', 'windows', 'asOf']);
    expect(Object.keys(subject.windows)).toEqual(['d7', 'd30', 'd90', 'lifetime']);
    expect(() => reputationSubject({ ...REPORT, score: Number.NaN })).toThrow(/score/);
    expect(() => reputationSubject({ ...REPORT, vector: { ...REPORT.vector, E: undefined as unknown as number } })).toThrow(
      /vector\.E/,
    );
  });

  it('makes reputation credentials valid for 30 days by default, and task credentials open-ended', () => {
    expect(REPUTATION_VALIDITY_DAYS).toBe(30);
    const draft = reputationDraft();
    expect(draft.validFrom).toEqual(ISSUED_AT);
    expect(draft.validUntil).toEqual(new Date('2026-12-02T00:00:00Z'));
    const week = reputationCredential({
      id: 'urn:uuid:1',
      issuer: SERVICE_DID,
      report: REPORT,
      issuedAt: new Date('2026-11-02T00:00:00.999Z'),
      status: statusListEntry(STATUS_LIST_URL, 1),
      validForDays: 7,
    });
    expect(week.validFrom).toEqual(ISSUED_AT);
    expect(week.validUntil).toEqual(new Date('2026-11-09T00:00:00Z'));
    expect(taskDraft().validUntil).toBeUndefined();
    expect(() => taskDraft(1, { id: 'not a uri' })).toThrow(/URI/);
  });
});

describe('JSON schemas', () => {
  it('accept the credentials Credence builds', () => {
    expect(validateCredentialSchema(jsonLdCredential(taskDraft()))).toEqual([]);
    expect(validateCredentialSchema(jsonLdCredential(reputationDraft()))).toEqual([]);
  });

  it('reject wrong, missing and extra claims with a reason', () => {
    const credential = jsonLdCredential(reputationDraft()) as { credentialSubject: Record<string, unknown> };
    const bad = structuredClone(credential);
    bad.credentialSubject.tier = 'S';
    delete bad.credentialSubject.asOf;
    bad.credentialSubject.extra = 1;
    (bad.credentialSubject.vector as Record<string, number>).A = 0.5;
    const errors = validateCredentialSchema(bad);
    expect(errors.join('\n')).toMatch(/tier/);
    expect(errors.join('\n')).toMatch(/asOf/);
    expect(errors.join('\n')).toMatch(/"extra"/);
    expect(errors.join('\n')).toMatch(/vector\/A/);

    const task = jsonLdCredential(taskDraft()) as { credentialSubject: Record<string, unknown> };
    const badTask = structuredClone(task);
    badTask.credentialSubject.actionCategory = 'economic.theft';
    badTask.credentialSubject.value = { amount: '-5', currency: 'USDC', usd: 5 };
    badTask.credentialSubject.settledAt = 'yesterday';
    expect(validateCredentialSchema(badTask)).toHaveLength(3);
  });

  it('ignore types without a schema', () => {
    expect(validateCredentialSchema({ type: ['VerifiableCredential', 'SomethingElse'] })).toEqual([]);
  });
});

describe('the Credence context', () => {
  it('defines every claim the schemas allow, so nothing falls through under VC 2.0 (no @vocab)', () => {
    const context = CREDENCE_CONTEXT_V1['@context'] as Record<string, unknown>;
    const defined = new Set(Object.keys(context));
    const claims = new Set<string>();
    const collect = (schema: unknown): void => {
      if (Array.isArray(schema)) return schema.forEach(collect);
      if (!schema || typeof schema !== 'object') return;
      const properties = (schema as { properties?: Record<string, unknown> }).properties;
      if (properties) for (const name of Object.keys(properties)) claims.add(name);
      Object.values(schema).forEach(collect);
    };
    for (const schema of Object.values(CREDENTIAL_SCHEMAS)) {
      const subject = (schema.properties as Record<string, unknown>).credentialSubject;
      collect(subject);
      collect((schema.$defs as Record<string, unknown>).windowStats);
    }
    claims.delete('id');
    const missing = [...claims].filter((claim) => !defined.has(claim));
    expect(missing).toEqual([]);
    for (const type of ['TaskCompletionCredential', 'ReputationCredential', 'TaskReceiptCredential']) {
      expect(defined.has(type)).toBe(true);
    }
  });

  it('expands both credential types in safe mode to Credence IRIs', async () => {
    const env = await environment();
    for (const draft of [taskDraft(), reputationDraft()]) {
      const expanded = await jsonld.expand(jsonLdCredential(draft), { documentLoader: env.documentLoader, safe: true });
      expect(JSON.stringify(expanded)).toContain('https://credence.dev/vocab#');
    }
    const expanded = JSON.stringify(
      await jsonld.expand(jsonLdCredential(reputationDraft()), { documentLoader: env.documentLoader, safe: true }),
    );
    for (const iri of ['economic', 'anomalyPenalty', 'window30d', 'escrowVerifiedShare', 'asOf']) {
      expect(expanded).toContain(`https://credence.dev/vocab#${iri}`);
    }
  });

  it('defines the TaskReceiptCredential claims of the receipts API', async () => {
    const env = await environment();
    const receipt = {
      '@context': ['https://www.w3.org/2018/credentials/v1', 'https://credence.dev/contexts/credence/v1'],
      type: ['VerifiableCredential', 'TaskReceiptCredential'],
      issuer: PLATFORM_DID,
      issuanceDate: '2026-11-01T10:00:00Z',
      credentialSubject: {
        id: AGENT.did,
        receipt: {
          taskId: 'task_9',
          counterparty: BUYER_DID,
          actionCategory: 'economic.transaction',
          actionType: 'escrow_release',
          outcome: 'accepted',
          value: { amount: '500.00', currency: 'USDC', usd: 500 },
          escrowId: 'esc_123',
          occurredAt: '2026-11-01T10:00:00Z',
          metadataHash: 'sha256:abc',
        },
      },
    };
    await expect(jsonld.expand(receipt, { documentLoader: env.documentLoader, safe: true })).resolves.toBeDefined();
  });
});
