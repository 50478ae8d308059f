/**
 * Playback for the review page: a `<video>` cannot send the admin key, so an admin asks
 * `GET /v1/titles/:id/media-url` for a signed address (HMAC of the title id and an expiry
 * under the admin key, valid 1 hour), and `GET /v1/titles/:id/media?exp=&sig=` serves the
 * file under the media roots with byte ranges (seeking). Files only: URL sources are not
 * relayed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Context } from 'hono';

export const MEDIA_URL_TTL_S = 3600;

const TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.mkv': 'video/x-matroska',
  '.webm': 'video/webm',
  '.ts': 'video/mp2t',
};

function signature(key: string, id: string, exp: number): string {
  return createHmac('sha256', key).update(`media\n${id}\n${exp}`).digest('hex');
}

/** The signed path for `id`, valid for MEDIA_URL_TTL_S from `nowS`. */
export function signedMediaPath(key: string, id: string, nowS: number): string {
  const exp = Math.floor(nowS) + MEDIA_URL_TTL_S;
  return `/v1/titles/${encodeURIComponent(id)}/media?exp=${exp}&sig=${signature(key, id, exp)}`;
}

/** True when `sig` signs `id` until `exp` and `exp` has not passed. */
export function verifyMediaSignature(
  key: string,
  id: string,
  exp: string | undefined,
  sig: string | undefined,
  nowS: number,
): boolean {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp) || !/^[0-9a-f]{64}$/.test(sig)) return false;
  if (Number(exp) < nowS) return false;
  const want = Buffer.from(signature(key, id, Number(exp)), 'hex');
  return timingSafeEqual(want, Buffer.from(sig, 'hex'));
}

/** Parses one `bytes=a-b` range against `size`; null = whole file, 'bad' = unsatisfiable. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'bad' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size) return 'bad';
  return { start, end };
}

/** Answers the file at `file` (already resolved under the media roots), with ranges. */
export async function serveMediaFile(c: Context, file: string): Promise<Response> {
  const { size } = await stat(file);
  const range = parseRange(c.req.header('range'), size);
  c.header('Accept-Ranges', 'bytes');
  c.header('Cache-Control', 'private, no-store');
  c.header('Content-Type', TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
  if (range === 'bad') {
    c.header('Content-Range', `bytes */${size}`);
    return c.body(null, 416);
  }
  if (size === 0) return c.body(null, 200);
  const { start, end } = range ?? { start: 0, end: size - 1 };
  c.header('Content-Length', String(end - start + 1));
  if (range) c.header('Content-Range', `bytes ${start}-${end}/${size}`);
  if (c.req.method === 'HEAD') return c.body(null, range ? 206 : 200);
  const stream = Readable.toWeb(createReadStream(file, { start, end })) as ReadableStream;
  return c.body(stream, range ? 206 : 200);
}
