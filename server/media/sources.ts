/**
 * Where a title's media may come from, and how we tell that it changed.
 * - Files: a path relative to (or inside) a configured media root. `..` escapes and
 *   symlinks pointing outside the root are refused (checked on the real path).
 * - URLs: http(s) only, host on the allow-list, every resolved address public unless
 *   private networks are explicitly allowed, redirects followed by hand and each hop
 *   checked the same way.
 * Fingerprints: size + mtime for files; ETag / Last-Modified / Content-Length for URLs.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { realpath, stat } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { EndcueError } from '../errors.js';

export interface SourcePolicy {
  mediaRoots: readonly string[];
  allowedHosts: readonly string[];
  allowPrivateNetworks: boolean;
}

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface SourceDeps {
  lookup?: LookupAll;
  fetch?: typeof fetch;
  /** Per-request timeout for URL fingerprints. */
  timeoutMs?: number;
}

export interface ResolveOptions {
  /**
   * Also read HLS playlists and hold every URI in them to the policy (before ffmpeg opens
   * the source: the analysis job). The read path only fingerprints, so it skips this.
   */
  checkPlaylists?: boolean;
}

/** A checked source: `input` is what the detector should open. */
export interface ResolvedSource {
  kind: 'file' | 'url';
  input: string;
  fingerprint: string;
}

const MAX_REDIRECTS = 5;

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

function forbidden(src: string, why: string, hint: string): EndcueError {
  return new EndcueError('forbidden-source', `Source ${JSON.stringify(src)} ${why}`, { hint });
}

export function isUrlSource(src: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(src) && !/^[a-z]:[\\/]/i.test(src);
}

/** True when `child` is `parent` or lies below it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

// ---------- files ----------

/** Lexical check only (no disk access): used when titles are registered. */
export function checkPathSyntax(src: string, roots: readonly string[]): void {
  if (src.includes('\0')) throw forbidden(src, 'contains a NUL byte', 'Use a plain file path.');
  if (roots.length === 0) {
    throw forbidden(
      src,
      'is a file path but no media roots are configured',
      'Set ENDCUE_MEDIA_ROOTS.',
    );
  }
  const inside = roots.some((root) => isInside(path.resolve(root), path.resolve(root, src)));
  if (!inside) {
    throw forbidden(
      src,
      'points outside the media roots',
      'Give a path relative to a media root, without `..` segments that leave it.',
    );
  }
}

/** The real path of `src` under one of `roots`; refuses escapes, including via symlinks. */
export async function resolveMediaPath(src: string, roots: readonly string[]): Promise<string> {
  checkPathSyntax(src, roots);
  for (const root of roots) {
    const absRoot = path.resolve(root);
    const candidate = path.resolve(absRoot, src);
    if (!isInside(absRoot, candidate)) continue;
    let realRoot: string;
    let real: string;
    try {
      realRoot = await realpath(absRoot);
      real = await realpath(candidate);
    } catch {
      continue; // not under this root; try the next
    }
    if (!isInside(realRoot, real)) {
      throw forbidden(
        src,
        'resolves (through a symlink) outside its media root',
        'Move or copy the file into the media root.',
      );
    }
    return real;
  }
  throw new EndcueError(
    'not-found',
    `Media file ${JSON.stringify(src)} was not found under the media roots`,
    {
      hint: `Looked in: ${roots.join(', ')}. Check the title's src and ENDCUE_MEDIA_ROOTS.`,
    },
  );
}

export async function fileFingerprint(file: string): Promise<string> {
  const info = await stat(file);
  if (!info.isFile()) {
    throw new EndcueError('not-a-video', `${file} is not a regular file`, {
      hint: 'Point the title at a video file.',
    });
  }
  return `file:${info.size}:${Math.trunc(info.mtimeMs)}`;
}

// ---------- URLs ----------

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d or ::ffff:xxxx:yyyy) as plain IPv4, else null. */
function mappedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const hi = Number.parseInt(hex[1], 16);
    const lo = Number.parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

/** Loopback, private, link-local, CGNAT, documentation, multicast and unspecified ranges. */
export function isPrivateAddress(address: string): boolean {
  const v4 = isIP(address) === 4 ? address : mappedIpv4(address);
  if (v4) return PRIVATE.check(v4, 'ipv4');
  if (isIP(address) === 6) return PRIVATE.check(address, 'ipv6');
  return true; // not an address at all: refuse rather than guess
}

/** A URL's host name as DNS and sockets want it: IPv6 literals without their brackets. */
export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** `example.com` (any port), `example.com:8443`, or `*.example.com` (subdomains only). */
export function hostAllowed(url: URL, allowedHosts: readonly string[]): boolean {
  const host = bareHostname(url).toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowedHosts.some((entry) => {
    const match = /^(.*?)(?::(\d+))?$/.exec(entry.toLowerCase().replace(/^\[|\](?=:|$)/g, ''));
    const pattern = match?.[1] ?? '';
    if (match?.[2] !== undefined && match[2] !== port) return false;
    if (pattern.startsWith('*.'))
      return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
    return host === pattern;
  });
}

/** Parses and checks a URL source without network access (registration time). */
export function checkUrlSyntax(src: string, policy: SourcePolicy): URL {
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    throw new EndcueError('invalid-input', `Source ${JSON.stringify(src)} is not a valid URL`, {
      hint: 'Use an http(s) URL or a path under a media root.',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw forbidden(
      src,
      `uses ${url.protocol} which is not allowed`,
      'Only http(s) URLs can be titles.',
    );
  }
  if (!hostAllowed(url, policy.allowedHosts)) {
    throw forbidden(
      src,
      `is on host ${url.host}, which is not on the allow-list`,
      'Add the host to ENDCUE_ALLOWED_HOSTS.',
    );
  }
  const literal = bareHostname(url);
  if (isIP(literal) && !policy.allowPrivateNetworks && isPrivateAddress(literal)) {
    throw forbidden(
      src,
      'points at a private or loopback address',
      'Set ENDCUE_ALLOW_PRIVATE_NETWORKS=1 to allow it.',
    );
  }
  return url;
}

/** Allow-list + DNS check for one hop: every address the name resolves to must be public. */
export async function checkUrl(
  src: string,
  policy: SourcePolicy,
  lookup: LookupAll = defaultLookup,
): Promise<URL> {
  return (await checkUrlTarget(src, policy, lookup)).url;
}

/**
 * checkUrl, also giving the address that was checked: connect to that one, not to whatever
 * the name resolves to a moment later (a DNS answer can change in between: rebinding).
 * `address` is null when private networks are allowed (nothing to hold the name to).
 */
export async function checkUrlTarget(
  src: string,
  policy: SourcePolicy,
  lookup: LookupAll = defaultLookup,
): Promise<{ url: URL; address: string | null }> {
  const url = checkUrlSyntax(src, policy);
  if (policy.allowPrivateNetworks) return { url, address: null };
  const host = bareHostname(url);
  let addresses: { address: string }[];
  try {
    addresses = isIP(host) ? [{ address: host }] : await lookup(host);
  } catch (cause) {
    throw new EndcueError('unreachable-url', `Cannot resolve the host of ${src}`, {
      hint: 'Check the URL and DNS.',
      cause,
    });
  }
  const first = addresses[0];
  if (!first || addresses.some(({ address }) => isPrivateAddress(address))) {
    throw forbidden(
      src,
      `resolves to a private or loopback address (${addresses.map((a) => a.address).join(', ')})`,
      'Set ENDCUE_ALLOW_PRIVATE_NETWORKS=1 to allow it.',
    );
  }
  return { url, address: first.address };
}

function fingerprintFromHeaders(headers: Headers): string {
  const range = headers.get('content-range');
  const length = range?.split('/')[1] ?? headers.get('content-length') ?? '';
  const etag = headers.get('etag') ?? '';
  const modified = headers.get('last-modified') ?? '';
  return `url:${etag}|${modified}|${length}`;
}

/**
 * Follows redirects by hand (each hop re-checked) and fingerprints the final response.
 * Returns the final URL so the detector opens exactly what was checked.
 */
export async function resolveUrl(
  src: string,
  policy: SourcePolicy,
  deps: SourceDeps = {},
  options: ResolveOptions = {},
): Promise<ResolvedSource> {
  const doFetch = deps.fetch ?? fetch;
  const lookup = deps.lookup ?? defaultLookup;
  let current = src;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const url = await checkUrl(current, policy, lookup);
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'HEAD',
        redirect: 'manual',
        signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
      });
      if (response.status === 405 || response.status === 501) {
        response = await doFetch(url, {
          headers: { range: 'bytes=0-0' },
          redirect: 'manual',
          signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
        });
        await response.body?.cancel();
      }
    } catch (cause) {
      throw new EndcueError('unreachable-url', `Cannot reach ${url.href}`, {
        hint: 'Check that the server is up.',
        cause,
      });
    }
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      if (!location)
        throw new EndcueError('unreachable-url', `${url.href} redirects without a Location`, {});
      current = new URL(location, url).href;
      continue;
    }
    if (response.status === 404 || response.status === 410) {
      throw new EndcueError('not-found', `${url.href} answered ${response.status}`, {
        hint: 'Check the URL.',
      });
    }
    if (response.status >= 400) {
      throw new EndcueError('unreachable-url', `${url.href} answered ${response.status}`, {
        hint: 'The media server refused the request; it will be retried.',
        retryable: response.status >= 500 || response.status === 429,
      });
    }
    if (options.checkPlaylists && looksLikeHls(url, response.headers)) {
      await checkHlsPlaylist(url, policy, deps, lookup);
    }
    return { kind: 'url', input: url.href, fingerprint: fingerprintFromHeaders(response.headers) };
  }
  throw forbidden(
    src,
    `redirects more than ${MAX_REDIRECTS} times`,
    'Point the title at the final URL.',
  );
}

// ---------- HLS ----------

const MAX_PLAYLIST_BYTES = 2 * 1024 * 1024;
const MAX_SUB_PLAYLISTS = 16;

function looksLikeHls(url: URL, headers: Headers): boolean {
  return /\.m3u8?$/i.test(url.pathname) || /mpegurl/i.test(headers.get('content-type') ?? '');
}

/** Every URI a playlist names: segment/variant lines and URI="..." attributes (keys, maps). */
export function playlistUris(text: string): { uri: string; playlist: boolean }[] {
  const found: { uri: string; playlist: boolean }[] = [];
  let variantNext = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      if (/^#EXT-X-STREAM-INF/i.test(line)) variantNext = true;
      for (const match of line.matchAll(/URI="([^"]*)"/gi)) {
        const uri = match[1] ?? '';
        found.push({ uri, playlist: /^#EXT-X-(MEDIA|I-FRAME-STREAM-INF)/i.test(line) });
      }
      continue;
    }
    found.push({ uri: line, playlist: variantNext || /\.m3u8?(\?|$)/i.test(line) });
    variantNext = false;
  }
  return found;
}

/**
 * ffmpeg fetches whatever an HLS playlist names (variants, segments, keys) on its own, so
 * the playlist is read here and every host it names is held to the same policy: a
 * playlist on an allowed host can't send ffmpeg to an internal address.
 */
async function checkHlsPlaylist(
  url: URL,
  policy: SourcePolicy,
  deps: SourceDeps,
  lookup: LookupAll,
): Promise<void> {
  const doFetch = deps.fetch ?? fetch;
  const checkedOrigins = new Set<string>([url.origin]);
  const queue: URL[] = [url];
  let fetched = 0;
  while (queue.length > 0) {
    const playlist = queue.shift() as URL;
    if (++fetched > MAX_SUB_PLAYLISTS) {
      throw forbidden(url.href, 'names too many playlists', 'Point the title at one rendition.');
    }
    let text: string;
    try {
      const response = await doFetch(playlist, {
        redirect: 'manual',
        signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        if (response.status >= 300 && response.status < 400 && playlist !== url) {
          throw forbidden(
            playlist.href,
            'redirects (playlists inside HLS must not)',
            'Name the final URLs in the playlist.',
          );
        }
        continue; // the top playlist's status was checked by HEAD; let ffmpeg report others
      }
      const length = Number(response.headers.get('content-length') ?? 0);
      if (length > MAX_PLAYLIST_BYTES) {
        await response.body?.cancel();
        throw forbidden(playlist.href, 'is too large for a playlist', 'Check the URL.');
      }
      text = await response.text();
    } catch (cause) {
      if (cause instanceof EndcueError) throw cause;
      throw new EndcueError('unreachable-url', `Cannot read the playlist ${playlist.href}`, {
        hint: 'Check that the server is up.',
        cause,
      });
    }
    if (!text.startsWith('#EXTM3U')) continue; // not a playlist after all: ffmpeg decides
    for (const { uri, playlist: isPlaylist } of playlistUris(text.slice(0, MAX_PLAYLIST_BYTES))) {
      let target: URL;
      try {
        target = new URL(uri, playlist);
      } catch {
        continue;
      }
      if (target.protocol === 'data:') continue; // inline keys/maps reach nothing
      if (!checkedOrigins.has(target.origin) || target.protocol !== playlist.protocol) {
        await checkUrl(target.href, policy, lookup);
        checkedOrigins.add(target.origin);
      }
      if (isPlaylist) queue.push(target);
    }
  }
}

/** Checks a title's src at registration (no disk or network): throws when it cannot be allowed. */
export function checkSourceSyntax(src: string, policy: SourcePolicy): void {
  if (isUrlSource(src)) checkUrlSyntax(src, policy);
  else checkPathSyntax(src, policy.mediaRoots);
}

/** Resolves and fingerprints a title's src under `policy` (disk and network checks). */
export async function resolveSource(
  src: string,
  policy: SourcePolicy,
  deps: SourceDeps = {},
  options: ResolveOptions = {},
): Promise<ResolvedSource> {
  if (isUrlSource(src)) return resolveUrl(src, policy, deps, options);
  const file = await resolveMediaPath(src, policy.mediaRoots);
  return { kind: 'file', input: file, fingerprint: await fileFingerprint(file) };
}
