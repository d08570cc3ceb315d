import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../helpers/database.ts';
import { cosignReceipt, createScene, recordEscrow, RECORD, registerPlatform, settlementInput, signReceipt, signSettlementEvent, SUBMIT } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

describe.each(testDatabaseKinds)('settlements and receipts on %s database', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const countReceipts = async () => Number((await t.testDatabase.database.db.selectFrom('receipts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('stores a receipt signed by an approved platform and reads it back', async () => {
    const scene = await createScene(t);
    const jwt = signReceipt(t, scene, { actionCategory: 'productivity.completion', actionType: 'task_completed', value: null });
    const result = (await t.gql(SUBMIT, { receipt: jwt })).data.submitReceipt;
    expect(result).toMatchObject({ __typename: 'SubmitReceiptPayload', duplicate: false, receipt: { subject: scene.agent.did, platform: scene.platform.did, confidence: 'PLATFORM_SIGNED', jwt } });
    const read = await t.gql(`{ receipts(did: "${scene.agent.did}") { edges { node { receiptId confidence } } } }`);
    expect(read.data.receipts.edges).toEqual([{ node: { receiptId: result.receipt.receiptId, confidence: 'PLATFORM_SIGNED' } }]);
    const node = await t.gql(`query($id: ID!) { node(id: $id) { ... on Receipt { receiptId } } }`, { id: result.receipt.id });
    expect(node.data.node.receiptId).toBe(result.receipt.receiptId);
  });

  it('refuses forged, unknown-platform, suspended, tampered and self-dealing receipts, storing nothing', async () => {
    const scene = await createScene(t);
    const before = await countReceipts();
    const submit = async (receipt: string) => (await t.gql(SUBMIT, { receipt })).data.submitReceipt;

    const forger = newKey();
    const forged = signReceipt(t, scene, {}, scene.platform);
    const [h, p] = forged.split('.');
    const otherSignature = signReceipt(t, scene, {}, forger).split('.')[2];
    expect(await submit(`${h}.${p}.${otherSignature}`)).toMatchObject({ __typename: 'SignatureError', code: 'INVALID_SIGNATURE' });

    expect(await submit(signReceipt(t, scene, {}, newKey()))).toMatchObject({ __typename: 'PlatformError', code: 'UNKNOWN_PLATFORM' });

    const pending = newKey();
    await registerPlatform(t, pending, false);
    expect((await submit(signReceipt(t, scene, {}, pending))).code).toBe('PLATFORM_NOT_APPROVED');

    const suspended = newKey();
    await registerPlatform(t, suspended);
    await t.gql(`mutation { suspendPlatform(did: "${suspended.did}", reason: "fraud") { __typename } }`, {}, t.admin);
    expect((await submit(signReceipt(t, scene, {}, suspended))).code).toBe('PLATFORM_NOT_APPROVED');

    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.vc.credentialSubject.receipt.value.usd = 5_000_000;
    const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${forged.split('.')[2]}`;
    expect((await submit(tampered)).code).toBe('INVALID_SIGNATURE');

    expect(await submit(signReceipt(t, scene, { counterparty: scene.agent.did }))).toMatchObject({ __typename: 'ConflictError', code: 'SELF_DEALING' });
    expect((await submit('not a jwt')).code).toBe('INVALID_SIGNATURE');
    expect((await submit(signReceipt(t, scene, { actionCategory: 'economic.bribe' as never }))).code).toBe('INVALID_INPUT');
    expect((await submit(signReceipt(t, scene, { occurredAt: new Date(t.now.getTime() + 86_400_000).toISOString() }))).code).toBe('INVALID_INPUT');

    expect(await countReceipts()).toBe(before);
  });

  it('records an escrow through FUNDED → RELEASED → SETTLED with an audit log, and enforces the lifecycle', async () => {
    const scene = await createScene(t);
    const settled = await recordEscrow(t, scene, 'esc_life', ['FUNDED', 'RELEASED', 'SETTLED']);
    expect(settled.settlement).toMatchObject({ status: 'SETTLED', depositor: scene.buyer.did, beneficiary: scene.agent.did, amount: '500.00' });
    expect(settled.settlement.events.map((e: any) => e.status)).toEqual(['FUNDED', 'RELEASED', 'SETTLED']);

    const again = signSettlementEvent(scene.platform, settlementInput(scene, 'esc_life', 'REFUNDED', {}, t.now), { now: t.now });
    expect((await t.gql(RECORD, { event: again })).data.recordSettlement.code).toBe('INVALID_TRANSITION');
    const skip = signSettlementEvent(scene.platform, settlementInput(scene, 'esc_skip', 'SETTLED', {}, t.now), { now: t.now });
    expect((await t.gql(RECORD, { event: skip })).data.recordSettlement.code).toBe('INVALID_TRANSITION');

    const funded = signSettlementEvent(scene.platform, settlementInput(scene, 'esc_dup', 'FUNDED', {}, t.now), { now: t.now, jti: 'evt-dup-1' });
    expect((await t.gql(RECORD, { event: funded })).data.recordSettlement.duplicate).toBe(false);
    expect((await t.gql(RECORD, { event: funded })).data.recordSettlement).toMatchObject({ duplicate: true, settlement: { status: 'FUNDED' } });
    const conflicting = signSettlementEvent(scene.platform, settlementInput(scene, 'esc_dup', 'FUNDED', { amount: '1.00', usd: 1 }, t.now), { now: t.now, jti: 'evt-dup-1' });
    expect((await t.gql(RECORD, { event: conflicting })).data.recordSettlement.code).toBe('RECEIPT_CONFLICT');
    const changedTerms = signSettlementEvent(scene.platform, settlementInput(scene, 'esc_dup', 'RELEASED', { amount: '9.00', usd: 9 }, t.now), { now: t.now });
    expect((await t.gql(RECORD, { event: changedTerms })).data.recordSettlement.code).toBe('ESCROW_MISMATCH');

    const stranger = newKey();
    const unknown = signSettlementEvent(stranger, settlementInput(scene, 'esc_x', 'FUNDED', {}, t.now), { now: t.now });
    expect((await t.gql(RECORD, { event: unknown })).data.recordSettlement.code).toBe('UNKNOWN_PLATFORM');

    const resolved = await recordEscrow(t, scene, 'esc_disputed', ['FUNDED', 'DISPUTED']);
    expect(resolved.settlement.status).toBe('DISPUTED');
    const ruling = signSettlementEvent(scene.platform, settlementInput(scene, 'esc_disputed', 'RESOLVED', { ruling: 'CLAIMANT_WINS', occurredAt: new Date(t.now.getTime() - 3_600_000).toISOString() }, t.now), { now: t.now });
    expect((await t.gql(RECORD, { event: ruling })).data.recordSettlement.settlement).toMatchObject({ status: 'RESOLVED', ruling: 'CLAIMANT_WINS' });
  });

  it('makes a receipt ESCROW_VERIFIED only when its settled escrow matches, once per escrow and subject', async () => {
    const scene = await createScene(t);
    await recordEscrow(t, scene, 'esc_123', ['FUNDED', 'RELEASED', 'SETTLED']);
    const verified = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { escrowId: 'esc_123' }) })).data.submitReceipt;
    expect(verified.receipt).toMatchObject({ confidence: 'ESCROW_VERIFIED', escrowId: 'esc_123' });

    const second = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { escrowId: 'esc_123' }) })).data.submitReceipt;
    expect(second).toMatchObject({ __typename: 'ConflictError', code: 'ESCROW_MISMATCH' });

    await recordEscrow(t, scene, 'esc_amount', ['FUNDED', 'RELEASED', 'SETTLED']);
    const wrongAmount = signReceipt(t, scene, { escrowId: 'esc_amount', value: { amount: '5000.00', currency: 'USDC', usd: 5000 } });
    expect((await t.gql(SUBMIT, { receipt: wrongAmount })).data.submitReceipt.code).toBe('ESCROW_MISMATCH');
    const wrongBuyer = signReceipt(t, scene, { escrowId: 'esc_amount', counterparty: newKey().did });
    expect((await t.gql(SUBMIT, { receipt: wrongBuyer })).data.submitReceipt.code).toBe('ESCROW_MISMATCH');
    const wrongOutcome = signReceipt(t, scene, { escrowId: 'esc_amount', outcome: 'disputed' });
    expect((await t.gql(SUBMIT, { receipt: wrongOutcome })).data.submitReceipt.code).toBe('ESCROW_MISMATCH');

    await recordEscrow(t, scene, 'esc_open', ['FUNDED']);
    expect((await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { escrowId: 'esc_open' }) })).data.submitReceipt.code).toBe('ESCROW_MISMATCH');
    expect((await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { escrowId: 'esc_never' }) })).data.submitReceipt.code).toBe('ESCROW_MISMATCH');

    // Another platform cannot lean on this platform's escrow.
    const other = { ...scene, platform: newKey() };
    await registerPlatform(t, other.platform);
    expect((await t.gql(SUBMIT, { receipt: signReceipt(t, other, { escrowId: 'esc_amount' }) })).data.submitReceipt.code).toBe('ESCROW_MISMATCH');
  });

  it('ranks a counterparty co-signed receipt COUNTERPARTY_SIGNED and refuses a co-signature by anyone else', async () => {
    const scene = await createScene(t);
    const jwt = signReceipt(t, scene);
    const cosigned = (await t.gql(SUBMIT, { receipt: jwt, cosignatures: [cosignReceipt(scene.buyer, jwt, { now: t.now })] })).data.submitReceipt;
    expect(cosigned.receipt.confidence).toBe('COUNTERPARTY_SIGNED');
    const other = signReceipt(t, scene);
    const byStranger = (await t.gql(SUBMIT, { receipt: other, cosignatures: [cosignReceipt(newKey(), other, { now: t.now })] })).data.submitReceipt;
    expect(byStranger.code).toBe('INVALID_SIGNATURE');
    const coveringOther = (await t.gql(SUBMIT, { receipt: other, cosignatures: [cosignReceipt(scene.buyer, jwt, { now: t.now })] })).data.submitReceipt;
    expect(coveringOther.code).toBe('INVALID_SIGNATURE');
  });

  it('is idempotent: the same JWT is a duplicate, the same id with other content a conflict, 50 racers store one row', async () => {
    const scene = await createScene(t);
    const receiptId = randomUUID();
    const jwt = signReceipt(t, scene, {}, scene.platform, receiptId);
    const first = (await t.gql(SUBMIT, { receipt: jwt })).data.submitReceipt;
    const again = (await t.gql(SUBMIT, { receipt: jwt })).data.submitReceipt;
    expect(again).toMatchObject({ duplicate: true, receipt: { receiptId: first.receipt.receiptId } });
    const conflicting = signReceipt(t, scene, { outcome: 'rejected' }, scene.platform, receiptId);
    expect((await t.gql(SUBMIT, { receipt: conflicting })).data.submitReceipt.code).toBe('RECEIPT_CONFLICT');

    const raceId = randomUUID();
    const raced = signReceipt(t, scene, {}, scene.platform, raceId);
    const answers = await Promise.all(Array.from({ length: 50 }, () => t.gql(SUBMIT, { receipt: raced })));
    const results = answers.map((a) => a.data.submitReceipt);
    expect(results.every((r) => r.__typename === 'SubmitReceiptPayload' && r.receipt.receiptId === raceId)).toBe(true);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const rows = await t.testDatabase.database.db.selectFrom('receipts').select('receipt_id').where('receipt_id', '=', raceId).execute();
    expect(rows).toHaveLength(1);
  });

  it('takes batches: one result per item in order, a bad item fails alone, at most 500', async () => {
    const scene = await createScene(t);
    const good = [signReceipt(t, scene), signReceipt(t, scene)];
    const bad = signReceipt(t, scene, {}, newKey());
    const BATCH = `mutation($receipts: [ReceiptSubmissionInput!]!) { submitReceipts(receipts: $receipts) { __typename ... on SubmitReceiptsPayload { results { __typename ... on SubmitReceiptPayload { duplicate receipt { receiptId } } ... on Error { code } } } ... on Error { code message } } }`;
    const answer = await t.gql(BATCH, { receipts: [{ receipt: good[0] }, { receipt: bad }, { receipt: good[1] }, { receipt: good[0] }] });
    const results = answer.data.submitReceipts.results;
    expect(results.map((r: any) => r.__typename)).toEqual(['SubmitReceiptPayload', 'PlatformError', 'SubmitReceiptPayload', 'SubmitReceiptPayload']);
    expect(results[3].duplicate).toBe(true);
    expect(results[3].receipt.receiptId).toBe(results[0].receipt.receiptId);

    const tooMany = await t.gql(BATCH, { receipts: Array.from({ length: 501 }, () => ({ receipt: 'x' })) });
    expect(tooMany.data.submitReceipts.code).toBe('INVALID_INPUT');
  });

  it('keeps each result in its place across the slices a large batch is verified in', async () => {
    const scene = await createScene(t);
    const stranger = newKey();
    // 120 items span three verification slices; the unsigned-by-a-platform ones sit in each of them.
    const items = Array.from({ length: 120 }, (_, i) => {
      const receiptId = randomUUID();
      const bad = i % 37 === 5;
      return { receiptId, bad, receipt: signReceipt(t, scene, {}, bad ? stranger : scene.platform, receiptId) };
    });
    const results = await t.app.services.receipts.submitMany(items.map(({ receipt }) => ({ receipt })), t.now);
    expect(results).toHaveLength(items.length);
    items.forEach(({ receiptId, bad }, i) => {
      const result = results[i]!;
      if (bad) expect(result).toMatchObject({ code: 'UNKNOWN_PLATFORM' });
      else expect(result).toMatchObject({ duplicate: false, receipt: { receipt_id: receiptId } });
    });
    expect(items.filter(({ bad }) => bad).length).toBe(4);
  });

  it('revokes by the issuing platform or an admin; revoked receipts stay visible as revoked', async () => {
    const scene = await createScene(t);
    const stored = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene) })).data.submitReceipt.receipt;
    const REVOKE = `mutation($id: ID!, $reason: String!) { revokeReceipt(receiptId: $id, reason: $reason) { __typename ... on RevokeReceiptPayload { receipt { revoked revokedReason } } ... on Error { code } } }`;
    expect((await t.gql(REVOKE, { id: stored.receiptId, reason: 'nope' }, newKey())).data.revokeReceipt.code).toBe('FORBIDDEN');
    expect((await t.gql(REVOKE, { id: stored.receiptId, reason: 'nope' })).data.revokeReceipt.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(REVOKE, { id: randomUUID(), reason: 'x' }, t.admin)).data.revokeReceipt.code).toBe('NOT_FOUND');
    const revoked = (await t.gql(REVOKE, { id: stored.receiptId, reason: 'dispute lost' }, scene.platform)).data.revokeReceipt;
    expect(revoked.receipt).toEqual({ revoked: true, revokedReason: 'dispute lost' });
    const second = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene) })).data.submitReceipt.receipt;
    expect((await t.gql(REVOKE, { id: second.receiptId, reason: 'fraud' }, t.admin)).data.revokeReceipt.receipt.revoked).toBe(true);
    const listed = await t.gql(`{ agent(did: "${scene.agent.did}") { receipts { edges { node { receiptId revoked } } } } }`);
    expect(listed.data.agent).toBeNull(); // the agent never claimed its DID
    const read = await t.gql(`{ receipts(did: "${scene.agent.did}") { edges { node { revoked } } } }`);
    expect(read.data.receipts.edges.map((e: any) => e.node.revoked)).toEqual([true, true]);
  });

  it('pages receipts newest first with keyset cursors and filters', async () => {
    const scene = await createScene(t);
    const hour = 3_600_000;
    const submitted: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const occurredAt = new Date(t.now.getTime() - (10 - i) * hour).toISOString();
      const receipt = signReceipt(t, scene, { occurredAt, outcome: i % 2 === 0 ? 'accepted' : 'rejected' });
      submitted.push((await t.gql(SUBMIT, { receipt })).data.submitReceipt.receipt.receiptId);
    }
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: any = await t.gql(`query($after: String) { receipts(did: "${scene.agent.did}", first: 2, after: $after) { edges { node { receiptId } } pageInfo { hasNextPage endCursor } } }`, { after });
      seen.push(...page.data.receipts.edges.map((e: any) => e.node.receiptId));
      after = page.data.receipts.pageInfo.hasNextPage ? page.data.receipts.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual([...submitted].reverse());
    const rejected = await t.gql(`{ receipts(did: "${scene.agent.did}", filter: { outcomes: ["rejected"] }) { edges { node { outcome } } } }`);
    expect(rejected.data.receipts.edges).toHaveLength(2);
    const recent = await t.gql(`query($from: DateTime) { receipts(did: "${scene.agent.did}", filter: { from: $from }) { edges { node { receiptId } } } }`, { from: new Date(t.now.getTime() - 7.5 * hour).toISOString() });
    expect(recent.data.receipts.edges).toHaveLength(2);
    const badFilter = await t.gql(`{ receipts(did: "${scene.agent.did}", filter: { outcomes: ["won"] }) { edges { cursor } } }`);
    expect(badFilter.errors?.[0]?.message).toMatch(/outcomes/);
  });
});
