/**
 * CORS for the API. Hono's cors() edits `c.res.headers` before the handler runs, which
 * makes @hono/node-server turn every response into a stream (several times slower on the
 * hot read path); this one only uses c.header() before next(), which is merged for free.
 */
import type { MiddlewareHandler } from 'hono';

const ALLOW_METHODS = 'GET, HEAD, PUT, POST, DELETE, OPTIONS';
const ALLOW_HEADERS = 'Authorization, Content-Type, If-None-Match';
const EXPOSE_HEADERS = 'ETag, Retry-After';

/** `'*'` allows any origin; a list allows exactly those; an empty list sends no CORS headers. */
export function corsHeaders(origins: '*' | readonly string[], maxAgeS = 600): MiddlewareHandler {
  const allowed = origins === '*' ? null : new Set(origins);
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allow = allowed === null ? '*' : origin && allowed.has(origin) ? origin : undefined;
    if (allowed !== null) c.header('Vary', 'Origin');
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      if (allow) {
        c.header('Access-Control-Allow-Origin', allow);
        c.header('Access-Control-Allow-Methods', ALLOW_METHODS);
        c.header('Access-Control-Allow-Headers', ALLOW_HEADERS);
        c.header('Access-Control-Max-Age', String(maxAgeS));
      }
      return c.body(null, 204);
    }
    if (allow) {
      c.header('Access-Control-Allow-Origin', allow);
      c.header('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    }
    await next();
  };
}
