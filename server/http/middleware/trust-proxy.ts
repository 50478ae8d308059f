/**
 * Which address a request comes from, for per-client limits, when the server may sit behind
 * reverse proxies. Off by default: the socket's peer, and X-Forwarded-For is never read (any
 * client can write it). When set, the client is the right-most X-Forwarded-For hop that is
 * not a trusted proxy: entries further left were written by the client itself and are
 * ignored, so spoofing them picks no key.
 *   - a number n: n proxies stand in front (the peer and the n-1 hops nearest it are trusted);
 *   - a list: the peer and hops whose address is in it (IPs, CIDRs, `loopback`, `linklocal`,
 *     `uniquelocal`) are proxies; the first one outside it, from the right, is the client.
 */
import { BlockList, isIP } from 'node:net';

/** 0 = off; n = that many proxies in front; a list = the proxies' addresses. */
export type TrustProxy = number | string[];

const KEYWORDS: Record<string, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** `ENDCUE_TRUST_PROXY` / `--trust-proxy`: `0`/`off`, a hop count, or a comma-separated list. */
export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim();
  if (/^(0|off|false|no)?$/i.test(text)) return 0;
  if (/^\d+$/.test(text)) return Number(text);
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** A bare, lower-case IP from a socket address or a header entry (ports, brackets, ::ffff: off). */
export function normalizeAddress(raw: string): string {
  let address = raw.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1]) address = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  return mapped?.[1] ?? address;
}

function family(address: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/** Why a trusted-proxy entry is unusable, or undefined when it is fine. */
export function trustEntryProblem(entry: string): string | undefined {
  if (KEYWORDS[entry.toLowerCase()]) return undefined;
  const [address = '', prefix, extra] = entry.split('/');
  const kind = family(address);
  const bits = kind === 'ipv4' ? 32 : 128;
  if (!kind || extra !== undefined) {
    return `'${entry}' is not an IP address, a CIDR range or one of ${Object.keys(KEYWORDS).join(', ')}`;
  }
  if (prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= bits)) {
    return `'${entry}' has a bad prefix length (0-${bits})`;
  }
  return undefined;
}

function trustedSet(entries: readonly string[]): BlockList {
  const set = new BlockList();
  for (const entry of entries.flatMap((e) => KEYWORDS[e.toLowerCase()] ?? [e])) {
    const [address = '', prefix] = entry.split('/');
    const kind = family(address);
    if (!kind) continue; // loadConfig rejects these
    if (prefix === undefined) set.addAddress(address, kind);
    else set.addSubnet(address, Number(prefix), kind);
  }
  return set;
}

/**
 * Returns (peer address, X-Forwarded-For value) -> the client's address (undefined when the
 * peer is unknown and nothing trusted says otherwise).
 */
export function clientAddressResolver(
  trust: TrustProxy,
): (peer: string | undefined, forwardedFor: string | null | undefined) => string | undefined {
  const trusted = Array.isArray(trust) ? trustedSet(trust) : undefined;
  const isTrusted = (address: string): boolean => {
    const kind = family(address);
    return kind !== undefined && trusted?.check(address, kind) === true;
  };
  return (peer, forwardedFor) => {
    const nearest = peer === undefined ? undefined : normalizeAddress(peer);
    if (trust === 0 || !forwardedFor || nearest === undefined) return nearest;
    // Nearest first: the peer, then the header's entries from the right.
    const chain = [
      nearest,
      ...forwardedFor
        .split(',')
        .map(normalizeAddress)
        .filter((hop) => hop.length > 0)
        .reverse(),
    ];
    if (typeof trust === 'number') return chain[Math.min(trust, chain.length - 1)];
    for (const hop of chain) if (!isTrusted(hop)) return hop;
    return chain[chain.length - 1]; // every hop is a proxy: the farthest stands for the client
  };
}
