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
import type { SourceDeps, SourcePolicy } from '../media/sources.js';
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
  return { cache };
}
