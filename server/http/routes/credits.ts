/**
 * The read path the player uses: credits JSON, WebVTT chapters, and the same as Kodi's EDL
 * and ffmpeg metadata chapters. Web standards only (no Node APIs): everything goes through
 * the ReadService interface.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { trustedAnswer } from '../../export/confidence.js';
import { toKodiEdl } from '../../export/edl.js';
import { toFfmetadata } from '../../export/ffmetadata.js';
import type { RouteContext } from '../context.js';
import { errorBody } from '../errors.js';
import { etagOf, matchesEtag } from '../etag.js';
import { CreditsSchema, errorResponse, FailedSchema, IdParams, PendingSchema } from '../schemas.js';
import type { CreditsAnswer, CreditsLookup } from '../service.js';
import { creditsToVtt } from '../vtt.js';

const pendingResponses = {
  202: {
    content: { 'application/json': { schema: PendingSchema } },
    description: 'Being analysed (the first ask enqueues it); ask again after Retry-After seconds',
  },
  304: { description: 'Not modified (If-None-Match)' },
  400: errorResponse('Invalid title id'),
  404: errorResponse('Unknown title'),
  422: {
    content: { 'application/json': { schema: FailedSchema } },
    description: "Analysis failed: the detector's error",
  },
  429: errorResponse('Too many new analyses started by this client'),
  503: errorResponse(
    'storage-unavailable / queue-unavailable: PostgreSQL or Redis is unreachable (production mode); ask again after Retry-After seconds',
  ),
};

const creditsRoute = createRoute({
  method: 'get',
  path: '/v1/titles/{id}/credits',
  tags: ['credits'],
  summary: 'When the closing credits start',
  request: { params: IdParams },
  responses: {
    200: {
      content: { 'application/json': { schema: CreditsSchema } },
      description: 'Known credits (detected or manual)',
    },
    ...pendingResponses,
  },
});

/** The credits as a file: WebVTT chapters, Kodi's EDL, ffmpeg metadata chapters. */
type FileKind = 'vtt' | 'edl' | 'ffmeta';

const FILES: Record<
  FileKind,
  { contentType: string; summary: string; body(a: CreditsAnswer): string }
> = {
  vtt: {
    contentType: 'text/vtt; charset=utf-8',
    summary: 'Credits as WebVTT chapters',
    body: creditsToVtt,
  },
  edl: {
    contentType: 'text/plain; charset=utf-8',
    summary:
      "Credits as Kodi's EDL (a commercial break, action 3; empty when there are no credits)",
    body: toKodiEdl,
  },
  ffmeta: {
    contentType: 'text/plain; charset=utf-8',
    summary: 'Credits as ffmpeg metadata chapters (ffmpeg -map_chapters, mpv --chapters-file)',
    body: (answer) => toFfmetadata(answer),
  },
};

/**
 * `?minConfidence=0.8`: a detected start less sure than this is left out of the file (no
 * credits chapter, an empty EDL), as `endcue export --min-confidence` leaves it out of the
 * sidecars: for players that read the file and cannot weigh the confidence themselves.
 */
const FileQuery = z.object({
  minConfidence: z.coerce
    .number()
    .min(0)
    .max(1)
    .optional()
    .openapi({ description: 'Leave out a detected start less sure than this (0 to 1)' }),
});

const fileRoute = (kind: FileKind) =>
  createRoute({
    method: 'get',
    path: `/v1/titles/{id}/credits.${kind}`,
    tags: ['credits'],
    summary: FILES[kind].summary,
    request: { params: IdParams, query: FileQuery },
    responses: {
      200: {
        content: { [FILES[kind].contentType.split(';')[0] as string]: { schema: z.string() } },
        description: FILES[kind].summary,
      },
      ...pendingResponses,
    },
  });

/** Non-200 outcomes are the same for JSON and VTT. */
function notReady(
  c: Context,
  lookup: Exclude<CreditsLookup, { status: 'ready' }>,
  id: string,
): Response {
  c.header('Cache-Control', 'no-store');
  switch (lookup.status) {
    case 'unknown-title':
      return c.json(
        errorBody(
          'not-found',
          `No title with id ${id}`,
          'Register it (PUT /v1/titles/:id) or add it to the catalog.',
        ),
        404,
      );
    case 'failed':
      return c.json({ status: 'failed' as const, error: lookup.error }, 422);
    case 'throttled':
      c.header('Retry-After', String(lookup.retryAfter));
      return c.json(
        errorBody(
          'rate-limited',
          'Too many new analyses requested',
          `Retry after ${lookup.retryAfter} s.`,
        ),
        429,
      );
    default:
      c.header('Retry-After', String(lookup.retryAfter));
      return c.json(
        { status: lookup.status, progress: lookup.progress, retryAfter: lookup.retryAfter },
        202,
      );
  }
}

/** Serialised bodies per answer object: memoised answers are served without re-encoding. */
const encoded = new WeakMap<object, Partial<Record<'json' | FileKind, [string, string]>>>();

function encode(credits: CreditsAnswer, kind: 'json' | FileKind): [string, string] {
  let entry = encoded.get(credits);
  if (!entry) {
    entry = {};
    encoded.set(credits, entry);
  }
  let pair = entry[kind];
  if (!pair) {
    const body = kind === 'json' ? JSON.stringify(credits) : FILES[kind].body(credits);
    pair = [body, etagOf(body)];
    entry[kind] = pair;
  }
  return pair;
}

/**
 * 200 with ETag + Cache-Control, or 304 when the client has it. An answer whose season is
 * still being compared (`introReason: 'pending'`) changes within seconds: caches must
 * revalidate it, or a player polling for its intro would be served the stale answer for
 * `max-age` seconds.
 */
function cacheable(
  c: Context,
  ctx: RouteContext,
  credits: CreditsAnswer,
  [body, etag]: [string, string],
  contentType: string,
): Response {
  c.header('ETag', etag);
  c.header(
    'Cache-Control',
    credits.introReason === 'pending' ? 'no-cache' : `public, max-age=${ctx.resultMaxAgeS}`,
  );
  if (matchesEtag(c.req.header('if-none-match'), etag)) return c.body(null, 304);
  c.header('Content-Type', contentType);
  return c.body(body, 200);
}

export function registerCreditsRoutes(app: OpenAPIHono, ctx: RouteContext): void {
  const lookup = (c: Context, id: string) =>
    ctx.service.credits(id, {
      mayEnqueue: () => ctx.enqueueLimiter.take(ctx.clientKey(c)).ok,
    });

  app.openapi(creditsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const result = await lookup(c, id);
    if (result.status !== 'ready') return notReady(c, result, id) as never;
    return cacheable(
      c,
      ctx,
      result.credits,
      encode(result.credits, 'json'),
      'application/json; charset=utf-8',
    ) as never;
  });

  for (const kind of ['vtt', 'edl', 'ffmeta'] as const) {
    app.openapi(fileRoute(kind), async (c) => {
      const { id } = c.req.valid('param');
      const { minConfidence } = c.req.valid('query');
      const result = await lookup(c, id);
      if (result.status !== 'ready') return notReady(c, result, id) as never;
      const credits = trustedAnswer(result.credits, minConfidence ?? 0).answer;
      return cacheable(c, ctx, credits, encode(credits, kind), FILES[kind].contentType) as never;
    });
  }
}
