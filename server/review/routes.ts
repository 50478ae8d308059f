/**
 * The review page (issue 21): `GET /review` and its static files (server/review/page/),
 * and the thumbnails it shows, `GET /v1/titles/:id/thumbs/:t.jpg` (admin: 240 px wide
 * JPEGs made by ffmpeg on demand, cached on disk under a size cap). Node only (ffmpeg,
 * files), so mounted by start.ts rather than the web-standard app.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { TITLE_ID_PATTERN } from '../catalog/title.js';
import { PROJECT_ROOT } from '../config.js';
import { isEndcueError, isUnavailable } from '../errors.js';
import { errorBody } from '../http/errors.js';
import {
  isUrlSource,
  resolveMediaPath,
  type SourceDeps,
  type SourcePolicy,
} from '../media/sources.js';
import { MEDIA_URL_TTL_S, serveMediaFile, signedMediaPath, verifyMediaSignature } from './media.js';
import { ThumbCache } from './thumb-cache.js';
import { parseThumbTime, Thumbnailer } from './thumbs.js';

export const REVIEW_PAGE_DIR = path.join(PROJECT_ROOT, 'server', 'review', 'page');

const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'review.js': 'text/javascript; charset=utf-8',
  'review.css': 'text/css; charset=utf-8',
};

const PAGE_CSP =
  "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

export interface ReviewOptions {
  /** A title's src as registered; undefined for an unknown title. */
  titleSrc(id: string): Promise<string | undefined>;
  policy: SourcePolicy;
  sourceDeps?: SourceDeps;
  /** The admin guard the other admin routes use. */
  auth: MiddlewareHandler;
  /** Signs the playback addresses (none: admin is disabled, nothing plays). */
  adminKey?: string;
  /** The egress proxy ffmpeg reads URL sources through (thumbnails of URL titles). */
  httpProxy?: string;
  /** Where thumbnails are cached (e.g. <dataDir>/thumbs). */
  cacheDir: string;
  /** Cache size cap in bytes (default 64 MiB). */
  cacheBytes?: number;
}

export function mountReview(app: OpenAPIHono, options: ReviewOptions): { cache: ThumbCache } {
  const files = new Map(
    Object.entries(ASSETS).map(([name, type]) => [
      name,
      { type, body: readFileSync(path.join(REVIEW_PAGE_DIR, name), 'utf8') },
    ]),
  );
  const serve = (name: string) => {
    const asset = files.get(name);
    return (c: Parameters<MiddlewareHandler>[0]) => {
      if (!asset) return c.json(errorBody('not-found', `No route GET ${c.req.path}`), 404);
      c.header('Cache-Control', 'no-cache');
      c.header('Content-Security-Policy', PAGE_CSP);
      c.header('Referrer-Policy', 'no-referrer');
      c.header('Content-Type', asset.type);
      return c.body(asset.body, 200);
    };
  };
  app.get('/review', serve('index.html'));
  app.get('/review/', serve('index.html'));
  app.get('/review/:file', (c) => serve(c.req.param('file'))(c));

  const cache = new ThumbCache({
    dir: options.cacheDir,
    ...(options.cacheBytes !== undefined ? { maxBytes: options.cacheBytes } : {}),
  });
  const thumbs = new Thumbnailer({
    cache,
    policy: options.policy,
    ...(options.sourceDeps ? { sourceDeps: options.sourceDeps } : {}),
    ...(options.httpProxy ? { httpProxy: options.httpProxy } : {}),
  });
  app.get('/v1/titles/:id/thumbs/:file', options.auth, async (c) => {
    const id = c.req.param('id');
    const file = c.req.param('file');
    const t = file.endsWith('.jpg') ? parseThumbTime(file.slice(0, -4)) : undefined;
    if (t === undefined) {
      return c.json(
        errorBody(
          'invalid-input',
          `Invalid time ${JSON.stringify(file)}`,
          'Ask for /v1/titles/:id/thumbs/<seconds>.jpg, e.g. 754.5.jpg.',
        ),
        400,
      );
    }
    const src = TITLE_ID_PATTERN.test(id) ? await options.titleSrc(id) : undefined;
    if (src === undefined) return c.json(errorBody('not-found', `No title with id ${id}`), 404);
    try {
      const jpeg = await thumbs.thumbnail(id, src, t);
      c.header('Content-Type', 'image/jpeg');
      c.header('Cache-Control', 'private, max-age=300');
      return c.body(new Uint8Array(jpeg), 200);
    } catch (error) {
      if (!isEndcueError(error) || isUnavailable(error)) throw error;
      c.header('Cache-Control', 'no-store');
      return c.json({ error: error.toJSON() }, error.code === 'invalid-input' ? 400 : 422);
    }
  });
  mountPlayback(app, options);
  return { cache };
}

const notFile = (src: string) =>
  errorBody(
    'invalid-input',
    `This title's source is a URL (${src}): only files under the media roots play here`,
    'Open the URL in a player to watch it.',
  );

/** `GET /v1/titles/:id/media-url` (admin) and the signed `GET /v1/titles/:id/media`. */
function mountPlayback(app: OpenAPIHono, options: ReviewOptions): void {
  const srcOf = async (id: string) =>
    TITLE_ID_PATTERN.test(id) ? await options.titleSrc(id) : undefined;
  app.get('/v1/titles/:id/media-url', options.auth, async (c) => {
    const id = c.req.param('id');
    const src = await srcOf(id);
    if (src === undefined) return c.json(errorBody('not-found', `No title with id ${id}`), 404);
    if (isUrlSource(src)) return c.json(notFile(src), 422);
    c.header('Cache-Control', 'no-store');
    const url = signedMediaPath(options.adminKey as string, id, Date.now() / 1000);
    return c.json({ url, expiresIn: MEDIA_URL_TTL_S }, 200);
  });
  app.on(['GET', 'HEAD'], '/v1/titles/:id/media', async (c) => {
    const id = c.req.param('id');
    const { exp, sig } = c.req.query();
    if (
      !options.adminKey ||
      !verifyMediaSignature(options.adminKey, id, exp, sig, Date.now() / 1000)
    ) {
      return c.json(
        errorBody(
          'forbidden',
          'This media address is wrong or has expired',
          'Ask GET /v1/titles/:id/media-url (admin) for a new one.',
        ),
        403,
      );
    }
    const src = await srcOf(id);
    if (src === undefined) return c.json(errorBody('not-found', `No title with id ${id}`), 404);
    if (isUrlSource(src)) return c.json(notFile(src), 422);
    try {
      return await serveMediaFile(c, await resolveMediaPath(src, options.policy.mediaRoots));
    } catch (error) {
      if (!isEndcueError(error)) throw error;
      return c.json({ error: error.toJSON() }, 422);
    }
  });
}
