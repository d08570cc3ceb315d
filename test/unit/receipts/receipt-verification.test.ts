// Receipt verification with the signatures checked on libuv's thread pool: the same answers and the same errors, in
// the same order, as when each signature was checked in turn on the event loop.
import { describe, expect, it } from 'vitest';
import { cosignReceipt, generateSigningKey, signTaskReceipt } from '../../../src/client/signing.ts';
import { verifyReceiptJwt } from '../../../src/receipts/receipt-verification.ts';

const NOW = new Date('2026-11-01T12:00:00Z');

describe('verifyReceiptJwt', () => {
  const platform = generateSigningKey();
  const agent = generateSigningKey();
  const buyer = generateSigningKey();
  const receipt = signTaskReceipt(
    platform,
    {
      subject: agent.did,
      counterparty: buyer.did,
      taskId: 'task_verify',
      actionCategory: 'economic.transaction',
      actionType: 'payment_declared',
      outcome: 'accepted',
      value: { amount: '10.00', currency: 'USDC', usd: 10 },
      occurredAt: new Date(NOW.getTime() - 60_000).toISOString(),
    },
    { now: NOW },
  );
  const cosignature = cosignReceipt(buyer, receipt, { now: NOW });
  /** The buyer's co-signature with another key's signature bytes: well formed, and it does not verify. */
  const forgedCosignature = `${cosignature.split('.').slice(0, 2).join('.')}.${cosignReceipt(generateSigningKey(), receipt, { now: NOW }).split('.')[2]}`;

  it('verifies a receipt and its co-signature', async () => {
    const verified = await verifyReceiptJwt(receipt, [cosignature], NOW);
    expect(verified).toMatchObject({ platformDid: platform.did, subjectDid: agent.did, cosignedBy: [buyer.did] });
  });

  it('refuses a receipt whose signature does not verify', async () => {
    const [head, body] = receipt.split('.');
    const other = signTaskReceipt(generateSigningKey(), { subject: agent.did, counterparty: buyer.did, actionCategory: 'economic.transaction', actionType: 'x', outcome: 'accepted', value: { amount: '1.00', currency: 'USDC', usd: 1 }, occurredAt: NOW.toISOString() }, { now: NOW });
    await expect(verifyReceiptJwt(`${head}.${body}.${other.split('.')[2]}`, [], NOW)).rejects.toThrow(/receipt signature does not verify/);
  });

  it('reports the first failing co-signature in list order, not the first to fail in time', async () => {
    // The second fails at once (it is not a JWS); the first fails only when its signature comes back from the pool.
    await expect(verifyReceiptJwt(receipt, [forgedCosignature, 'not-a-jws'], NOW)).rejects.toThrow(/cosignatures\.0 signature does not verify/);
    await expect(verifyReceiptJwt(receipt, [cosignature, 'not-a-jws'], NOW)).rejects.toThrow(/cosignatures\.1 is malformed/);
  });

  it('leaves the event loop free while signatures are checked', async () => {
    let settled = false;
    const pending = verifyReceiptJwt(receipt, [cosignature], NOW).then(() => (settled = true));
    // Work done on the event loop would have settled it within these microtask turns; the pool answers later.
    for (let i = 0; i < 10; i += 1) await Promise.resolve();
    expect(settled).toBe(false);
    await pending;
    expect(settled).toBe(true);
  });
});
