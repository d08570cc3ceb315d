import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress, TokenBucketLimiter } from '../../../src/http/rate-limit.ts';

function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('the token bucket', () => {
  it('allows a minute of burst, then refuses with the seconds until one token is back', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter({ perMinute: 60, now: time.now });
    for (let i = 0; i < 60; i += 1) expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // Other keys have their own bucket.
    expect(limiter.take('b').allowed).toBe(true);
    time.advance(999);
    expect(limiter.take('a').allowed).toBe(false);
    time.advance(1);
    // 1,000 ms at one token per second refilled exactly the one token the refused takes could not spend.
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('refills continuously up to the capacity, never beyond it', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter({ perMinute: 6, now: time.now });
    for (let i = 0; i < 6; i += 1) limiter.take('k');
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    time.advance(25_000); // 2.5 tokens
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(true);
    const refused = limiter.take('k');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 5 });
    time.advance(3_600_000);
    let allowed = 0;
    while (limiter.take('k').allowed) allowed += 1;
    expect(allowed).toBe(6);
  });

  it('counts a request that was refused as no spending', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter({ perMinute: 1, now: time.now });
    expect(limiter.take('k').allowed).toBe(true);
    for (let i = 0; i < 100; i += 1) expect(limiter.take('k').allowed).toBe(false);
    time.advance(60_000);
    expect(limiter.take('k').allowed).toBe(true);
  });

  it('forgets buckets that are full again and bounds the keys it remembers', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter({ perMinute: 60, now: time.now, maxKeys: 100 });
    for (let i = 0; i < 1_000; i += 1) limiter.take(`k${i}`);
    expect(limiter.size).toBe(100);
    time.advance(60_000);
    for (let i = 0; i < 200; i += 1) limiter.take('busy');
    expect(limiter.size).toBe(1);
  });

  it('does not go backwards when the clock does', () => {
    const time = clock(50_000);
    const limiter = new TokenBucketLimiter({ perMinute: 1, now: time.now });
    expect(limiter.take('k').allowed).toBe(true);
    time.advance(-40_000);
    expect(limiter.take('k').allowed).toBe(false);
  });

  it('refuses nonsense limits', () => {
    expect(() => new TokenBucketLimiter({ perMinute: 0, now: () => 0 })).toThrow(RangeError);
    expect(() => new TokenBucketLimiter({ perMinute: Number.NaN, now: () => 0 })).toThrow(RangeError);
  });
});

describe('client addresses', () => {
  it('keys IPv4 by address and IPv6 by its /64', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::FFFF:cb00:7109')).toBe('203.0.113.9');
    // The deprecated IPv4-compatible form (RFC 4291 2.5.5.1) is read by ipaddr.js as the IPv4 client it carries.
    expect(addressKey('::1.2.3.4')).toBe('1.2.3.4');
    expect(addressKey('2001:DB8:A:B::1.2.3.4')).toBe('2001:db8:a:b::/64');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::7')).toBe(addressKey('2001:0db8:0001:0002:ffff::1'));
    expect(addressKey('[2001:db8::1]')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('not an address')).toBeNull();
    expect(addressKey('')).toBeNull();
  });

  const request = (forwarded?: string) => new Request('http://localhost/graphql', { headers: forwarded ? { 'x-forwarded-for': forwarded } : {} });
  const socket = (remoteAddress: string) => ({ req: { socket: { remoteAddress } } });

  it('uses the socket address and ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(clientAddress(request('198.51.100.1'), socket('203.0.113.9'), 0)).toBe('203.0.113.9');
    expect(clientAddress(request(), {}, 0)).toBeNull();
    expect(clientAddress(request('198.51.100.1'), undefined, 0)).toBeNull();
  });

  it('behind N trusted proxies takes the Nth entry from the right, which a client cannot forge', () => {
    // The client claims to be 1.1.1.1; the one proxy appended the address it really saw.
    expect(clientAddress(request('1.1.1.1, 198.51.100.1'), socket('10.0.0.2'), 1)).toBe('198.51.100.1');
    expect(clientAddress(request('1.1.1.1, 198.51.100.1, 10.0.0.5'), socket('10.0.0.2'), 2)).toBe('198.51.100.1');
    // Fewer entries than proxies: the leftmost; garbage: the socket.
    expect(clientAddress(request('198.51.100.1'), socket('10.0.0.2'), 3)).toBe('198.51.100.1');
    expect(clientAddress(request('1.1.1.1, garbage'), socket('10.0.0.2'), 1)).toBe('10.0.0.2');
    expect(clientAddress(request(), socket('10.0.0.2'), 1)).toBe('10.0.0.2');
  });
});
