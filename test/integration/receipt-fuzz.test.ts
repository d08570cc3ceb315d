// Mutated receipts and settlement events, over a thousand of them: every one is refused with a code and nothing
// is stored. Seeded, so a failure reproduces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJws, privateKeyObject } from '../../src/crypto/ed25519.ts';
import { CredenceError } from '../../src/errors.ts';
import { signSettlementEvent, signTaskReceipt } from '../../src/client/signing.ts';
import { createScene, receiptInput, registerPlatform, settlementInput, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp, type TestKey } from '../helpers/test-app.ts';

function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('fuzzing receipts and settlement events (embedded database)', () => {
  let t: TestApp;
  let scene: Scene;
  let pending: TestKey;
  let suspended: TestKey;
  const random = prng(20261121);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

  beforeAll(async () => {
    t = await createTestApp('embedded');
    scene = await createScene(t);
    pending = newKey();
    await registerPlatform(t, pending, false);
    suspended = newKey();
    await registerPlatform(t, suspended);
    await t.gql(`mutation { suspendPlatform(did: "${suspended.did}", reason: "fuzz") { __typename } }`, {}, t.admin);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Replaces one character that is not a segment's last (whose spare bits may not change the bytes). */
  function flipCharacter(token: string): string {
    const segments = token.split('.');
    const which = Math.floor(random() * segments.length);
    const segment = segments[which]!;
    if (segment.length < 2) return `${token}x`;
    const at = Math.floor(random() * (segment.length - 1));
    const replacement = pick([...B64].filter((c) => c !== segment[at]));
    segments[which] = segment.slice(0, at) + replacement + segment.slice(at + 1);
    return segments.join('.');
  }

  function resignWithOriginalSignature(token: string, mutate: (payload: any) => void): string {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    mutate(claims);
    return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
  }

  const day = 86_400_000;
  const validReceipt = () => signTaskReceipt(scene.platform, receiptInput(scene, {}, t.now), { now: t.now });

  const receiptMutations: Array<() => string> = [
    () => flipCharacter(validReceipt()),
    () => resignWithOriginalSignature(validReceipt(), (p) => (p.vc.credentialSubject.receipt.outcome = 'accepted' === p.vc.credentialSubject.receipt.outcome ? 'disputed' : 'accepted')),
    () => resignWithOriginalSignature(validReceipt(), (p) => (p.vc.credentialSubject.receipt.value.usd *= 10)),
    () => resignWithOriginalSignature(validReceipt(), (p) => (p.sub = newKey().did)),
    () => signTaskReceipt(newKey(), receiptInput(scene, {}, t.now), { now: t.now }),
    () => signTaskReceipt(pending, receiptInput(scene, {}, t.now), { now: t.now }),
    () => signTaskReceipt(suspended, receiptInput(scene, {}, t.now), { now: t.now }),
    () => signTaskReceipt(scene.platform, receiptInput(scene, { occurredAt: new Date(t.now.getTime() + (1 + random() * 30) * day).toISOString() }, t.now), { now: t.now }),
    () => signTaskReceipt(scene.platform, receiptInput(scene, { occurredAt: new Date(t.now.getTime() - (800 + random() * 9000) * day).toISOString() }, t.now), { now: t.now }),
    () => signTaskReceipt(scene.platform, receiptInput(scene, {}, t.now), { now: new Date(t.now.getTime() + 2 * day) }),
    () => signTaskReceipt(scene.platform, receiptInput(scene, { value: { amount: '500.00', currency: 'USDC', usd: 1e12 } }, t.now), { now: t.now }),
    () => signTaskReceipt(scene.platform, receiptInput(scene, { value: { amount: pick(['0500.00', '5e2', '-1', '500.000000001', ' 500', '1'.repeat(40)]), currency: 'USDC', usd: 500 } }, t.now), { now: t.now }),
    () => signTaskReceipt(scene.platform, receiptInput(scene, { value: { amount: '1.00', currency: pick(['usd', '$', 'X', 'TOOLONGCURRENCYCODE']), usd: 1 } }, t.now), { now: t.now }),
    () => signTaskReceipt(scene.platform, receiptInput(scene, { counterparty: scene.agent.did }, t.now), { now: t.now }),
    () => signTaskReceipt(scene.platform, receiptInput(scene, { subject: scene.platform.did }, t.now), { now: t.now }),
    () => signTaskReceipt(scene.platform, receiptInput(scene, { actionCategory: pick(['economic', 'ECONOMIC.TRANSACTION', 'social.spam', '']) as never }, t.now), { now: t.now }),
    () => signTaskReceipt(scene.platform, receiptInput(scene, { outcome: pick(['won', 'ACCEPTED', '']) as never }, t.now), { now: t.now }),
    () => signTaskReceipt(scene.platform, receiptInput(scene, { counterparty: pick(['did:web:example.com', 'did:key:zabc', 'not a did']) }, t.now), { now: t.now }),
    () => signTaskReceipt(scene.platform, receiptInput(scene, { taskId: 'x'.repeat(20_000) }, t.now), { now: t.now }),
    () => signTaskReceipt(scene.platform, receiptInput(scene, { escrowId: `esc_missing_${Math.floor(random() * 1e9)}` }, t.now), { now: t.now }),
    () => {
      const token = validReceipt();
      return token.slice(0, Math.floor(random() * token.length));
    },
    () => encodeJws({ alg: pick(['none', 'HS256', 'ES256K']), typ: 'JWT' }, JSON.parse(Buffer.from(validReceipt().split('.')[1]!, 'base64url').toString()), privateKeyObject(scene.platform)),
    () => encodeJws({ alg: 'EdDSA', typ: 'JWT' }, { ...JSON.parse(Buffer.from(validReceipt().split('.')[1]!, 'base64url').toString()), extra: 1, vc: { '@context': [], type: [], credentialSubject: {} } }, privateKeyObject(scene.platform)),
  ];

  it('refuses 1,200 mutated receipts with codes and stores none', async () => {
    const before = await t.testDatabase.database.db.selectFrom('receipts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const codes = new Map<string, number>();
    for (let round = 0; round < 12; round += 1) {
      const batch = Array.from({ length: 100 }, () => ({ receipt: pick(receiptMutations)() }));
      const results = await t.app.services.receipts.submitMany(batch, t.now);
      for (const result of results) {
        expect(result).toBeInstanceOf(CredenceError);
        const code = (result as CredenceError).code;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }
    const after = await t.testDatabase.database.db.selectFrom('receipts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toEqual(before.n);
    expect([...codes.keys()].sort()).toEqual(
      expect.arrayContaining(['ESCROW_MISMATCH', 'INVALID_INPUT', 'INVALID_SIGNATURE', 'PLATFORM_NOT_APPROVED', 'SELF_DEALING', 'UNKNOWN_PLATFORM']),
    );
  });

  it('refuses 300 mutated settlement events with codes and stores none', async () => {
    const valid = (status: 'FUNDED' | 'SETTLED' = 'FUNDED') =>
      signSettlementEvent(scene.platform, settlementInput(scene, `esc_${Math.floor(random() * 1e9)}`, status, {}, t.now), { now: t.now });
    const mutations: Array<() => string> = [
      () => flipCharacter(valid()),
      () => resignWithOriginalSignature(valid(), (p) => (p.settlement.usd += 1)),
      () => signSettlementEvent(newKey(), settlementInput(scene, 'esc_x', 'FUNDED', {}, t.now), { now: t.now }),
      () => signSettlementEvent(pending, settlementInput(scene, 'esc_x', 'FUNDED', {}, t.now), { now: t.now }),
      () => signSettlementEvent(suspended, settlementInput(scene, 'esc_x', 'FUNDED', {}, t.now), { now: t.now }),
      () => valid('SETTLED'),
      () => signSettlementEvent(scene.platform, settlementInput(scene, 'esc_y', 'FUNDED', { depositor: scene.agent.did }, t.now), { now: t.now }),
      () => signSettlementEvent(scene.platform, settlementInput(scene, 'esc_y', 'FUNDED', { amount: '12,00' }, t.now), { now: t.now }),
      () => signSettlementEvent(scene.platform, settlementInput(scene, 'esc_y', 'FUNDED', { occurredAt: new Date(t.now.getTime() + 5 * day).toISOString() }, t.now), { now: t.now }),
      () => signSettlementEvent(scene.platform, settlementInput(scene, 'esc_y', 'FUNDED', { ruling: 'SPLIT' }, t.now), { now: t.now }),
      () => signSettlementEvent(scene.platform, settlementInput(scene, 'esc_y', 'FUNDED', { status: 'EXPIRED' as never }, t.now), { now: t.now }),
    ];
    const count = async (table: 'settlements' | 'settlement_events') =>
      (await t.testDatabase.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;
    const before = [await count('settlements'), await count('settlement_events')];
    for (let i = 0; i < 300; i += 1) {
      const error = await t.app.services.settlements.record(pick(mutations)(), t.now).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CredenceError);
    }
    expect([await count('settlements'), await count('settlement_events')]).toEqual(before);
  });
});
