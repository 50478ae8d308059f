/**
 * The demo's routes on the EndCue server's own Hono app (same origin as the API, so the
 * plugin needs no CORS): the page at /, its state at /demo/state, and the files it loads:
 * video.js, hls.js, the built plugin, the page's script and the generated media.
 */
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { PROJECT_ROOT } from '../server/config.js';
import { renderPage } from './page.js';
import type { DemoSeries } from './series.js';
import { type EpisodeView, episodeView } from './state.js';

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** URL prefix -> folder. */
export function staticMounts(mediaDir: string): Record<string, string> {
  return {
    '/vendor/video/': path.join(PROJECT_ROOT, 'node_modules/video.js/dist'),
    '/vendor/hls/': path.join(PROJECT_ROOT, 'node_modules/hls.js/dist'),
    '/plugin/': path.join(PROJECT_ROOT, 'dist/plugin'),
    '/demo/assets/': path.join(PROJECT_ROOT, 'demo/public'),
    '/media/': path.resolve(mediaDir),
  };
}

/** The state of every episode, read through the product's public credits route. */
export async function seriesState(app: OpenAPIHono, series: DemoSeries): Promise<EpisodeView[]> {
  return Promise.all(
    series.episodes.map(async (episode) => {
      const res = await app.request(`/v1/titles/${encodeURIComponent(episode.id)}/credits`);
      const body: unknown = await res.json().catch(() => null);
      return episodeView(episode, res.status, body);
    }),
  );
}

/**
 * The page loads only its own files. video.js sets inline styles, VHS and hls.js play
 * through blob: URLs and run blob: workers, video.js's icon font is a data: URL.
 */
export const DEMO_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function mountDemo(app: OpenAPIHono, series: DemoSeries): void {
  app.get('/', (c) => {
    c.header('Content-Security-Policy', DEMO_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    return c.html(renderPage(series));
  });
  app.get('/demo/state', async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ episodes: await seriesState(app, series) });
  });
  for (const [prefix, root] of Object.entries(staticMounts(series.mediaDir))) {
    app.use(`${prefix}*`, async (c, next) => {
      await next();
      const type = CONTENT_TYPES[c.req.path.split('.').pop() ?? ''];
      if (type && c.res.ok) c.res.headers.set('content-type', type);
    });
    app.use(
      `${prefix}*`,
      serveStatic({ root, rewriteRequestPath: (p) => p.slice(prefix.length - 1) }),
    );
  }
}
