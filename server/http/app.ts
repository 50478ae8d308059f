/**
 * The Hono app: composes the routes over an EndcueService. No Node APIs here or in the
 * routes, so the same app can serve reads from an edge runtime; the Node wiring
 * (SQLite, local queue, sockets) is in start.ts.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { CorsConfig } from '../config.js';
import { type EndcueError, isUnavailable } from '../errors.js';
import type { RouteContext } from './context.js';
import { errorBody } from './errors.js';
import { EndcueMetrics, labelKey } from './metrics.js';
import { adminAuth } from './middleware/auth.js';
import { corsHeaders } from './middleware/cors.js';
import { RateLimiter } from './middleware/rate-limit.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerCreditsRoutes } from './routes/credits.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerTitleRoutes } from './routes/titles.js';
import type { EndcueService } from './service.js';

export interface AppLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AppOptions {
  service: EndcueService;
  /** undefined = admin routes answer 403. */
  adminKey?: string;
  cors?: CorsConfig;
  maxBodyBytes?: number;
  enqueueRatePerMinute?: number;
  resultMaxAgeS?: number;
  metrics?: EndcueMetrics;
  /** Client identity for rate limits; default: first X-Forwarded-For hop is NOT trusted, so 'anonymous'. */
  clientKey?: (c: Context) => string;
  logger?: AppLogger;
  /** Extra routes on the same app (the demo page, static media...). */
  configure?: (app: OpenAPIHono) => void;
}

export function createApp(options: AppOptions): OpenAPIHono {
  const metrics = options.metrics ?? new EndcueMetrics();
  const enqueueLimiter = new RateLimiter(options.enqueueRatePerMinute ?? 60);
  const ctx: RouteContext = {
    service: options.service,
    metrics,
    enqueueLimiter,
    clientKey: options.clientKey ?? (() => 'anonymous'),
    resultMaxAgeS: options.resultMaxAgeS ?? 60,
  };

  const app = new OpenAPIHono({
    // Validation failures (bad id, bad body) share the API's error shape.
    defaultHook: (result, c) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue?.path.join('.') || 'request';
        return c.json(errorBody('invalid-input', `Invalid ${where}: ${issue?.message}`), 400);
      }
    },
  });

  const labelKeys = new Map<string, string>();
  app.use('*', async (c, next) => {
    // Headers are set before next(): setting one on a finished response makes
    // @hono/node-server rebuild it as a stream (several times slower).
    c.header('X-Content-Type-Options', 'nosniff');
    await next();
    const route = c.req.routePath;
    const memoKey = `${route} ${c.req.method} ${c.res.status}`;
    let key = labelKeys.get(memoKey);
    if (key === undefined) {
      key = labelKey({ route, method: c.req.method, status: String(c.res.status) });
      if (labelKeys.size < 10_000) labelKeys.set(memoKey, key);
    }
    metrics.httpRequests.incKey(key);
  });

  const origins = options.cors?.origins ?? '*';
  if (origins === '*' || origins.length > 0) app.use('/v1/*', corsHeaders(origins));

  const limitBody = bodyLimit({
    maxSize: options.maxBodyBytes ?? 64 * 1024,
    onError: (c) =>
      c.json(
        errorBody(
          'payload-too-large',
          'Request body too large',
          `At most ${options.maxBodyBytes ?? 65536} bytes.`,
        ),
        413,
      ),
  });
  // Reads skip it: looking at a GET's body makes @hono/node-server build a full Request.
  app.use('/v1/*', (c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next),
  );

  const enqueueLimit = async (c: Context, next: () => Promise<void>) => {
    const decision = enqueueLimiter.take(ctx.clientKey(c));
    if (!decision.ok) {
      c.header('Retry-After', String(decision.retryAfter));
      return c.json(
        errorBody(
          'rate-limited',
          'Too many analyses requested',
          `Retry after ${decision.retryAfter} s.`,
        ),
        429,
      );
    }
    await next();
  };

  registerCreditsRoutes(app, ctx);
  registerTitleRoutes(app, ctx);
  registerAdminRoutes(app, ctx, adminAuth(options.adminKey), enqueueLimit);
  registerOpsRoutes(app, ctx);
  options.configure?.(app);

  app.notFound((c) =>
    c.json(errorBody('not-found', `No route ${c.req.method} ${c.req.path}`), 404),
  );
  app.onError((error, c) => {
    if (isUnavailable(error)) {
      const { code } = error as EndcueError;
      // PostgreSQL or Redis is unreachable: logged once when the outage starts and ends
      // (server/dependencies.ts), not per request.
      c.header('Retry-After', String(DEPENDENCY_RETRY_AFTER_S));
      c.header('Cache-Control', 'no-store');
      return c.json(
        errorBody(
          code,
          code === 'queue-unavailable'
            ? 'The job queue (Redis) is unavailable'
            : 'The data store (PostgreSQL) is unavailable',
          `Retry after ${DEPENDENCY_RETRY_AFTER_S} s; operators: check ${code === 'queue-unavailable' ? 'REDIS_URL' : 'DATABASE_URL'}'s server.`,
        ),
        503,
      );
    }
    options.logger?.error({ err: error, path: c.req.path }, 'request failed');
    if (isStorageFault(error)) {
      // Disk full, read-only or failing data dir: say so, and that it is worth retrying.
      c.header('Retry-After', '30');
      c.header('Cache-Control', 'no-store');
      return c.json(
        errorBody(
          'storage-unavailable',
          'The server cannot write its data store (disk full or failing)',
          'Retry later; operators: free space in ENDCUE_DATA_DIR or check the disk.',
        ),
        503,
      );
    }
    return c.json(errorBody('internal', 'Internal server error', 'See the server log.'), 500);
  });
  return app;
}

/** Seconds a client is asked to wait while PostgreSQL or Redis is unreachable. */
export const DEPENDENCY_RETRY_AFTER_S = 2;

/** SQLite / file system errors that mean the data dir can't take writes (not a bug). */
export function isStorageFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    /^(SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)|ENOSPC|EROFS|EDQUOT|EIO)/.test(code)
  );
}
