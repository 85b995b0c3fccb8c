import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * The SSRF guard of outgoing webhooks. A URL passes when it is an absolute http(s) URL without
 * credentials (https only where required) and every address its host resolves to is a public unicast
 * address. Delivery connects to an address checked here (the lookup is pinned), so a name that resolves
 * to a public address at the check cannot be switched to an internal one for the connection (DNS
 * rebinding); redirects are never followed.
 */
export interface GuardOptions {
  allowPrivate: boolean;
  requireHttps: boolean;
}

export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

export interface CheckedUrl {
  url: URL;
  addresses: CheckedAddress[];
}

/** Why a URL was refused, in words a person can act on. */
export class AddressRefusedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'AddressRefusedError';
  }
}

const internalV4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  internalV4.addSubnet(network, prefix, 'ipv4');
}

const internalV6 = new BlockList();
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215): a translator inside this network, whatever IPv4 it carries
  ['2001::', 23], // IETF protocol assignments (Teredo and friends)
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (includes AWS's metadata fd00:ec2::254)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  internalV6.addSubnet(network, prefix, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address, whatever its spelling (compressed, dotted tail, zone). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16));
}

/**
 * The IPv4 address carried inside an IPv6 one: mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16
 * and the deprecated IPv4-compatible ::/96. Groups rather than text, because a resolver may spell the
 * same address several ways (::7f00:1, ::127.0.0.1, 0:0:0:0:0:0:7f00:1).
 */
function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  const zeroUpTo = (end: number) => g.slice(0, end).every((group) => group === 0);
  const mapped = zeroUpTo(5) && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((group) => group === 0);
  // :: and ::1 sit in ::/96 too; they keep their own IPv6 entries above.
  const compatible = zeroUpTo(6) && !(g[6] === 0 && g[7] <= 1);
  if (mapped || nat64 || compatible) return groupsToIpv4(g[6], g[7]);
  if (g[0] === 0x2002) return groupsToIpv4(g[1], g[2]);
  return null;
}

function groupsToIpv4(high: number, low: number): string {
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** True when the address is not a public unicast address (loopback, private, link-local, ...). */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return internalV4.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== null) return internalV4.check(v4, 'ipv4');
    return internalV6.check(address, 'ipv6');
  }
  return true; // not an address at all: never connect to it
}

export type Resolver = (hostname: string) => Promise<CheckedAddress[]>;

const RESOLVE_TIMEOUT_MS = 5000;

/** The system resolver (what the connection would use), bounded in time. */
export const systemResolver: Resolver = async (hostname) => {
  let timer: NodeJS.Timeout | undefined;
  try {
    const found = await Promise.race([
      lookup(hostname, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), RESOLVE_TIMEOUT_MS);
      }),
    ]);
    return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
  } finally {
    clearTimeout(timer);
  }
};

/** Syntax only (registration runs this first, so a malformed URL is a plain validation error). */
export function parseWebhookUrl(raw: string, options: Pick<GuardOptions, 'requireHttps'>): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AddressRefusedError('must be an absolute URL such as https://example.com/webhooks');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AddressRefusedError('must be an http(s) URL');
  if (options.requireHttps && url.protocol !== 'https:') throw new AddressRefusedError('must use https');
  if (url.username || url.password) throw new AddressRefusedError('must not carry a user name or password');
  if (url.hash) throw new AddressRefusedError('must not have a #fragment');
  return url;
}

/** Parses the URL and resolves its host; refuses it unless every address is public (or private is allowed). */
export async function checkWebhookUrl(raw: string, options: GuardOptions, resolver: Resolver = systemResolver): Promise<CheckedUrl> {
  const url = parseWebhookUrl(raw, options);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: CheckedAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolver(host);
    } catch {
      throw new AddressRefusedError(`its host "${host}" could not be resolved`);
    }
    if (addresses.length === 0) throw new AddressRefusedError(`its host "${host}" could not be resolved`);
  }
  if (!options.allowPrivate) {
    const internal = addresses.find((entry) => isInternalAddress(entry.address));
    if (internal) {
      const named = internal.address === host ? internal.address : `"${host}" (${internal.address})`;
      throw new AddressRefusedError(`resolves to ${named}, a loopback, private, link-local or otherwise internal address`);
    }
  }
  return { url, addresses };
}
