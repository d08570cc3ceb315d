import { describe, expect, it } from 'vitest';
import { backoffSeconds, isAnnounceable, parseTrustChangeNotice, serializeWebhookBody, UNANNOUNCED } from '../../../src/webhooks/events.ts';

describe('webhook events', () => {
  it('announces a tier change, or a score move of at least the delta', () => {
    expect(isAnnounceable(UNANNOUNCED, { score: 4.9, tier: 'F' }, 5)).toBe(false);
    expect(isAnnounceable(UNANNOUNCED, { score: 5, tier: 'F' }, 5)).toBe(true);
    expect(isAnnounceable({ score: 19.9, tier: 'F' }, { score: 20, tier: 'D' }, 5)).toBe(true);
    expect(isAnnounceable({ score: 50, tier: 'C' }, { score: 45.5, tier: 'C' }, 5)).toBe(false);
    expect(isAnnounceable({ score: 50, tier: 'C' }, { score: 45, tier: 'C' }, 5)).toBe(true);
  });

  it('backs off exponentially with equal jitter, capped', () => {
    const options = { baseSeconds: 30, capSeconds: 600 };
    expect(backoffSeconds(1, options, 0)).toBe(15);
    expect(backoffSeconds(1, options, 0.999999)).toBeCloseTo(30, 3);
    expect(backoffSeconds(2, options, 0)).toBe(30);
    expect(backoffSeconds(3, options, 0.5)).toBe(90);
    expect(backoffSeconds(10, options, 0)).toBe(300);
    expect(backoffSeconds(60, options, 0.999999)).toBeLessThanOrEqual(600);
  });

  it('serializes the body as { id, type, data, created_at } in that order', () => {
    const text = serializeWebhookBody({ created_at: '2026-11-01T00:00:00.000Z', data: { a: 1 }, type: 'receipt.revoked', id: 'evt_1' } as never);
    expect(text).toBe('{"id":"evt_1","type":"receipt.revoked","data":{"a":1},"created_at":"2026-11-01T00:00:00.000Z"}');
  });

  it('ignores malformed notices from the channel', () => {
    const good = { did: 'did:key:z6Mkx', score: 42, tier: 'C', previousScore: 0, previousTier: 'F', asOf: '2026-11-01T00:00:00.000Z' };
    expect(parseTrustChangeNotice(JSON.stringify(good))).toEqual(good);
    expect(parseTrustChangeNotice('not json')).toBeNull();
    expect(parseTrustChangeNotice('null')).toBeNull();
    expect(parseTrustChangeNotice(JSON.stringify({ ...good, tier: 'Z' }))).toBeNull();
    expect(parseTrustChangeNotice(JSON.stringify({ ...good, asOf: 'yesterday' }))).toBeNull();
    expect(parseTrustChangeNotice(JSON.stringify({ ...good, did: 'x'.repeat(201) }))).toBeNull();
  });
});
