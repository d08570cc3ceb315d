// IPv6 ranges that reach IPv4 or private networks by translation or tunnelling: refused as webhook destinations,
// both as resolved addresses and as literal URL hosts.
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isAllowedAddress } from '../../../src/identity/webhook-destination-policy.ts';

describe('the webhook blocklist covers translated and tunnelled IPv6', () => {
  it.each([
    // NAT64 local-use prefix (RFC 8215): translated to networks behind the operator's translator.
    '64:ff9b:1::a00:1',
    '64:ff9b:1::8.8.8.8',
    '64:ff9b:1:ffff:ffff:ffff:ffff:ffff',
    // IPv4-mapped (::ffff:0:0/96) carrying a private or loopback address, in both spellings.
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a00:1',
    '0:0:0:0:0:ffff:c0a8:101',
    // IPv4-translated (::ffff:0:0:0/96) carrying one.
    '::ffff:0:7f00:1',
    '::ffff:0:127.0.0.1',
    '::ffff:0:a9fe:a9fe',
    // Teredo (2001::/32), whatever it embeds.
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '2001::1',
    '2001:0:ffff:ffff:ffff:ffff:ffff:ffff',
    // 6to4 embedding a private IPv4 address.
    '2002:7f00:1::1',
    '2002:a00:1::1',
    '2002:c0a8:101::1',
    // Other IETF special-purpose blocks next to Teredo.
    '2001:2::1',
    '2001:10::1',
    '2001:20::1',
  ])('refuses %s', (address) => {
    expect(isAllowedAddress(address)).toBe(false);
    expect(checkWebhookUrl(`https://[${address}]/hook`).ok).toBe(false);
  });

  it.each(['::ffff:8.8.8.8', '::ffff:0:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1', '2001:4860:4860::8888', '2001:200::1', '2606:4700::1111'])(
    'still allows the public address %s',
    (address) => {
      expect(isAllowedAddress(address)).toBe(true);
    },
  );
});
