import { describe, expect, it } from 'vitest';
import { bareHost, checkWebhookUrl, isAllowedAddress } from '../../../src/identity/webhook-destination-policy.ts';

describe('isAllowedAddress', () => {
  it.each([
    '0.0.0.0',
    '0.1.2.3',
    '10.0.0.1',
    '10.255.255.255',
    '100.64.0.1',
    '100.127.255.254',
    '127.0.0.1',
    '127.1.2.3',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.0.2.1',
    '192.168.1.1',
    '198.18.0.1',
    '198.19.255.255',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
  ])('refuses the IPv4 address %s', (address) => {
    expect(isAllowedAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '9.255.255.255', '11.0.0.1', '100.63.255.255', '100.128.0.0', '126.255.255.255', '128.0.0.1', '169.253.0.1', '172.15.255.255', '172.32.0.1', '192.167.1.1', '192.169.0.1', '198.17.0.1', '198.20.0.1', '223.255.255.255', '93.184.216.34'])(
    'allows the public IPv4 address %s',
    (address) => {
      expect(isAllowedAddress(address)).toBe(true);
    },
  );

  it.each([
    '::',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '[::ffff:7f00:1]',
    '::ffff:10.1.2.3',
    '::ffff:a9fe:a9fe',
    '::ffff:192.168.0.1',
    '0:0:0:0:0:ffff:c0a8:1',
    '::127.0.0.1',
    '::8.8.8.8',
    '64:ff9b::7f00:1',
    '64:ff9b::10.0.0.1',
    '2002:7f00:1::',
    '2002:c0a8:101::1',
    'fc00::1',
    'fd12:3456:789a::1',
    'fe80::1',
    'FE80::abcd',
    'fe80::1%eth0',
    'febf::1',
    'fec0::1',
    'ff02::1',
    'ff05::1:3',
    '100::1',
    '2001:db8::1',
  ])('refuses the IPv6 address %s', (address) => {
    expect(isAllowedAddress(address)).toBe(false);
  });

  it.each(['2606:4700:4700::1111', '2001:4860:4860::8888', '[2a00:1450:4001:82b::200e]', '::ffff:8.8.8.8', '::ffff:808:808', '64:ff9b::808:808', '2002:808:808::1', 'fe00::1', 'fbff::1'])(
    'allows the public IPv6 address %s',
    (address) => {
      expect(isAllowedAddress(address)).toBe(true);
    },
  );

  it.each(['', 'localhost', 'example.com', '127.0.0.1.', '1.2.3', '256.1.1.1', '::g', '1::2::3', '[::1', '127.0.0.1:80'])('refuses %j, which is not an IP address', (value) => {
    expect(isAllowedAddress(value)).toBe(false);
  });
});

describe('checkWebhookUrl', () => {
  it.each([
    ['https://hooks.example.com/credence', 'hooks.example.com', false],
    ['http://example.com:8080/x?y=1', 'example.com', false],
    ['https://EXAMPLE.com./x', 'example.com', false],
    ['https://8.8.8.8/hook', '8.8.8.8', true],
    ['https://[2606:4700:4700::1111]:8443/hook', '2606:4700:4700::1111', true],
    ['https://localhost.example.com/', 'localhost.example.com', false],
  ])('accepts %s', (url, host, literal) => {
    expect(checkWebhookUrl(url)).toEqual({ ok: true, host, literal });
  });

  it.each([
    ['ftp://example.com/', /http\(s\)/],
    ['file:///etc/passwd', /http\(s\)/],
    ['javascript:alert(1)', /http\(s\)/],
    ['not a url', /http\(s\)/],
    ['https://user:pass@example.com/', /credentials/],
    ['https://user@example.com/', /credentials/],
    ['https://:secret@example.com/', /credentials/],
    ['http://127.0.0.1:9/x', /private/],
    ['http://[::1]/x', /private/],
    ['http://10.0.0.1/', /private/],
    ['http://169.254.169.254/latest/meta-data/', /private/],
    ['http://[::ffff:127.0.0.1]/', /private/],
    ['http://[fe80::1]/', /private/],
    ['http://[fd00::1]:8080/', /private/],
    ['http://0.0.0.0/', /private/],
    ['http://2130706433/', /private/], // 127.0.0.1 as a number
    ['http://0x7f.1/', /private/], // 127.0.0.1 in hex shorthand
    ['http://017700000001/', /private/], // 127.0.0.1 in octal
    ['http://192.168.1.20./', /private/],
    ['http://localhost/', /localhost/],
    ['http://LOCALHOST:3000/', /localhost/],
    ['http://localhost.:3000/', /localhost/],
    ['http://api.localhost/', /localhost/],
  ])('refuses %s', (url, reason) => {
    const verdict = checkWebhookUrl(url);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(reason);
  });
});

describe('bareHost', () => {
  it('drops brackets and trailing dots and lower-cases', () => {
    expect(bareHost('[::1]')).toBe('::1');
    expect(bareHost('Example.COM..')).toBe('example.com');
  });
});
