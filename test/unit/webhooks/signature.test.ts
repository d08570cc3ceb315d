import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../../src/webhooks/signature.ts';

const secret = 'whsec_test_secret';
const body = '{"id":"evt_00000000000000000000000000000001","type":"trust.changed","data":{"did":"did:key:z6Mk"},"created_at":"2026-11-01T12:00:00.000Z"}';
const t = 1_793_534_400;

describe('webhook signatures', () => {
  it('signs t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")> (known answer)', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhook(secret, body, t)).toBe(`t=${t},v1=${expected}`);
    // Fixed vector, so a change to the scheme cannot pass by changing both sides.
    expect(signWebhook('k', 'x', 1)).toBe('t=1,v1=' + createHmac('sha256', 'k').update('1.x').digest('hex'));
    expect(signWebhook('k', Buffer.from('x'), 1)).toBe(signWebhook('k', 'x', 1));
  });

  it('verifies a fresh signature within the tolerance on both sides of now', () => {
    const header = signWebhook(secret, body, t);
    expect(verifyWebhookSignature({ secret, rawBody: body, header, nowSeconds: t })).toEqual({ ok: true, timestamp: t });
    expect(verifyWebhookSignature({ secret, rawBody: body, header, nowSeconds: t + 300 }).ok).toBe(true);
    expect(verifyWebhookSignature({ secret, rawBody: body, header, nowSeconds: t - 300 }).ok).toBe(true);
    expect(verifyWebhookSignature({ secret, rawBody: Buffer.from(body), header, nowSeconds: t }).ok).toBe(true);
  });

  it('fails a tampered body, another secret, and a tampered signature', () => {
    const header = signWebhook(secret, body, t);
    const tampered = body.replace('trust.changed', 'trust.changeD');
    expect(verifyWebhookSignature({ secret, rawBody: tampered, header, nowSeconds: t })).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    expect(verifyWebhookSignature({ secret: 'whsec_other', rawBody: body, header, nowSeconds: t })).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    const flipped = header.slice(0, -1) + (header.endsWith('0') ? '1' : '0');
    expect(verifyWebhookSignature({ secret, rawBody: body, header: flipped, nowSeconds: t })).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    // Re-signing the body with another timestamp under the same v1 does not verify either.
    const v1 = header.split('v1=')[1];
    expect(verifyWebhookSignature({ secret, rawBody: body, header: `t=${t + 1},v1=${v1}`, nowSeconds: t })).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('fails an expired or future timestamp', () => {
    const header = signWebhook(secret, body, t);
    expect(verifyWebhookSignature({ secret, rawBody: body, header, nowSeconds: t + 301 })).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhookSignature({ secret, rawBody: body, header, nowSeconds: t - 301 })).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhookSignature({ secret, rawBody: body, header, nowSeconds: t + 60, toleranceSeconds: 30 })).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('answers missing and malformed headers with a reason instead of throwing', () => {
    const v1 = 'a'.repeat(64);
    expect(verifyWebhookSignature({ secret, rawBody: body, header: undefined, nowSeconds: t })).toMatchObject({ ok: false, reason: 'missing_header' });
    expect(verifyWebhookSignature({ secret, rawBody: body, header: '', nowSeconds: t })).toMatchObject({ ok: false, reason: 'missing_header' });
    for (const header of [
      'garbage',
      `t=${t}`,
      `v1=${v1}`,
      `t=abc,v1=${v1}`,
      `t=${t},v1=zz`,
      `t=${t},v1=${'a'.repeat(63)}`,
      `t=${t},t=${t},v1=${v1}`,
      `t=-5,v1=${v1}`,
      `t=${t},v1=${v1},${'x=1,'.repeat(2000)}`,
    ]) {
      expect(verifyWebhookSignature({ secret, rawBody: body, header, nowSeconds: t }), header.slice(0, 40)).toMatchObject({ ok: false, reason: 'malformed_header' });
    }
  });

  it('accepts any one matching v1 among several (secret rotation on the sender side) and ignores unknown schemes', () => {
    const good = signWebhook(secret, body, t).split('v1=')[1];
    const header = `t=${t},v0=legacy,v1=${'b'.repeat(64)},v1=${good}`;
    expect(verifyWebhookSignature({ secret, rawBody: body, header, nowSeconds: t }).ok).toBe(true);
  });

  it('refuses to sign with an empty secret or a fractional timestamp', () => {
    expect(() => signWebhook('', body, t)).toThrow(/secret/);
    expect(() => signWebhook(secret, body, 1.5)).toThrow(/timestamp/);
  });
});
