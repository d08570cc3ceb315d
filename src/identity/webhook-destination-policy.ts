// Where webhooks may be sent: not to this host, the local network or other special-purpose addresses, so a platform
// cannot use the delivery worker to reach services behind the firewall. Pure: no DNS, no I/O; the worker resolves
// host names and asks `isAllowedAddress` about every address it gets back.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Special-purpose ranges a webhook must not reach (IPv4 rules also match IPv4 addresses carried in IPv6 ones). */
const BLOCKED_IPV4 = [
  '0.0.0.0/8', // "this network", incl. the unspecified address
  '10.0.0.0/8', // private
  '100.64.0.0/10', // shared address space (carrier-grade NAT)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local (cloud metadata endpoints live here)
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation
  '203.0.113.0/24', // documentation
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, incl. broadcast
].map((cidr) => ipaddr.IPv4.parseCIDR(cidr));

const BLOCKED_IPV6 = [
  '::/96', // unspecified, loopback and the deprecated IPv4-compatible block
  '64:ff9b:1::/48', // NAT64 local-use prefix: translated to private IPv4 networks
  '100::/64', // discard-only
  '2001::/32', // Teredo: tunnels to an IPv4 address it embeds obfuscated
  '2001:2::/48', // benchmarking
  '2001:10::/28', // ORCHID (deprecated)
  '2001:20::/28', // ORCHIDv2
  '2001:db8::/32', // documentation
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated)
  'ff00::/8', // multicast
].map((cidr) => ipaddr.IPv6.parseCIDR(cidr));

/** IPv6 prefixes whose last (or, for 6to4, second to fifth) bytes are an IPv4 address. */
const CARRYING_IPV4: ReadonlyArray<{ range: [ipaddr.IPv6, number]; offset: number }> = [
  { range: ipaddr.IPv6.parseCIDR('::ffff:0:0/96'), offset: 12 }, // IPv4-mapped
  { range: ipaddr.IPv6.parseCIDR('::ffff:0:0:0/96'), offset: 12 }, // IPv4-translated
  { range: ipaddr.IPv6.parseCIDR('64:ff9b::/96'), offset: 12 }, // NAT64 well-known prefix
  { range: ipaddr.IPv6.parseCIDR('2002::/16'), offset: 2 }, // 6to4
];

const blockedIpv4 = (address: ipaddr.IPv4) => BLOCKED_IPV4.some((range) => address.match(range));

/** The IPv4 address an IPv6 address carries (mapped, translated, NAT64, 6to4), if any. */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const carrier = CARRYING_IPV4.find(({ range }) => address.match(range));
  if (!carrier) return null;
  return new ipaddr.IPv4(address.toByteArray().slice(carrier.offset, carrier.offset + 4));
}

/** ipaddr.js reads "::a.b.c.d" as IPv4-mapped: spell a trailing dotted quad as two hex groups so it means what it says. */
function hexTail(text: string): string {
  const at = text.lastIndexOf(':');
  const tail = text.slice(at + 1);
  if (!ipaddr.IPv4.isValidFourPartDecimal(tail)) return text;
  const [a, b, c, d] = ipaddr.IPv4.parse(tail).octets as [number, number, number, number];
  return `${text.slice(0, at + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

/**
 * Whether a webhook may be sent to this IP address. Anything that is not a valid IPv4 address in dotted-quad form or
 * a valid IPv6 address is refused. Brackets (as in a URL host) are accepted; an IPv6 zone is refused.
 */
export function isAllowedAddress(address: string): boolean {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // ipaddr.js also reads "127.1" or "0x7f.0.0.1" as IPv4: only the four-part decimal form counts as an address here.
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return !blockedIpv4(ipaddr.IPv4.parse(text));
  if (!text.includes(':') || text.includes('%') || !ipaddr.IPv6.isValid(text)) return false; // a zone only makes sense for link-local
  const parsed = ipaddr.IPv6.parse(hexTail(text));
  const v4 = embeddedIpv4(parsed);
  if (v4 !== null && blockedIpv4(v4)) return false;
  return !BLOCKED_IPV6.some((range) => parsed.match(range));
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
