// Where webhooks may be sent: not to this host, the local network or other special-purpose addresses, so a platform
// cannot use the delivery worker to reach services behind the firewall. Pure: no DNS, no I/O; the worker resolves
// host names and asks `isAllowedAddress` about every address it gets back.
import { BlockList, isIP } from 'node:net';

/** Special-purpose ranges a webhook must not reach (IPv4 rules also match IPv4-mapped IPv6 addresses). */
const blocked = new BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // "this network", incl. the unspecified address
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata endpoints live here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast
] as const) {
  blocked.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible block
  ['64:ff9b:1::', 48], // NAT64 local-use prefix: translated to private IPv4 networks
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo: tunnels to an IPv4 address it embeds obfuscated
  ['2001:2::', 48], // benchmarking
  ['2001:10::', 28], // ORCHID (deprecated)
  ['2001:20::', 28], // ORCHIDv2
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(prefix, bits, 'ipv6');
}

/** The 16 bytes of an IPv6 address (already known to be valid), or null. */
function ipv6Bytes(address: string): number[] | null {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // A trailing dotted quad is two groups.
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail].map((g) => parseInt(g, 16));
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

const startsWith = (bytes: number[], prefix: number[]) => prefix.every((value, index) => bytes[index] === value);

/**
 * The IPv4 address an IPv6 address carries (IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96, NAT64
 * well-known prefix, 6to4), if any.
 */
function embeddedIpv4(bytes: number[]): string | null {
  const quad = (offset: number) => bytes.slice(offset, offset + 4).join('.');
  if (startsWith(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])) return quad(12);
  if (startsWith(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0])) return quad(12);
  if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return quad(12);
  if (startsWith(bytes, [0x20, 0x02])) return quad(2);
  return null;
}

/**
 * Whether a webhook may be sent to this IP address. Anything that is not a valid IPv4 or IPv6 address is refused.
 * Brackets (as in a URL host) and an IPv6 zone are accepted.
 */
export function isAllowedAddress(address: string): boolean {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const version = isIP(text);
  if (version === 4) return !blocked.check(text, 'ipv4');
  if (version !== 6) return false;
  if (text.includes('%')) return false; // a zone only makes sense for link-local addresses
  const bytes = ipv6Bytes(text);
  if (!bytes) return false;
  const v4 = embeddedIpv4(bytes);
  if (v4 !== null && blocked.check(v4, 'ipv4')) return false;
  return !blocked.check(text, 'ipv6');
}

/** A URL host without brackets or trailing dots, lower-cased. */
export function bareHost(hostname: string): string {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return host.replace(/\.+$/, '').toLowerCase();
}

export type UrlVerdict = { ok: true; host: string; literal: boolean } | { ok: false; reason: string };

/**
 * What can be told about a webhook URL without DNS: http(s), no credentials, and a host that is neither a
 * special-purpose literal address nor localhost. `literal` says the host is an IP address (nothing to resolve).
 */
export function checkWebhookUrl(url: string): UrlVerdict {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'webhookUrl must be an http(s) URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, reason: 'webhookUrl must be an http(s) URL' };
  if (parsed.username !== '' || parsed.password !== '') return { ok: false, reason: 'webhookUrl must not contain credentials' };
  const host = bareHost(parsed.hostname);
  if (host === '') return { ok: false, reason: 'webhookUrl must have a host' };
  if (isIP(host) !== 0) {
    return isAllowedAddress(host) ? { ok: true, host, literal: true } : { ok: false, reason: 'webhookUrl must not point at a private, loopback or reserved address' };
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return { ok: false, reason: 'webhookUrl must not point at localhost' };
  return { ok: true, host, literal: false };
}
