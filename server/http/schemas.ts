/** Request/response schemas, shared by validation and the OpenAPI document. */
import { z } from '@hono/zod-openapi';
import { TITLE_ID_PATTERN } from '../catalog/title.js';
import { TITLE_STATUSES } from './service.js';

export const IdParams = z.object({
  id: z
    .string()
    .regex(TITLE_ID_PATTERN, { message: 'must match ^[A-Za-z0-9._-]{1,128}$' })
    .openapi({ param: { name: 'id', in: 'path' }, example: 'demo-s01e01' }),
});

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not-found' }),
      message: z.string(),
      hint: z.string().optional(),
      retryable: z.boolean().optional(),
    }),
  })
  .openapi('Error');

export const SegmentSchema = z
  .object({
    kind: z.enum(['intro', 'credits', 'post-credits']),
    start: z.number(),
    end: z.number(),
  })
  .openapi('Segment');

export const IntroSchema = z
  .object({
    start: z.number().openapi({ description: 'Seconds', example: 12.4 }),
    end: z.number().openapi({ example: 41.9 }),
    confidence: z
      .number()
      .openapi({ description: 'Share of the siblings (with audio) that share it, 0..1' }),
  })
  .openapi('Intro');

export const NextTitleSchema = z
  .object({ titleId: z.string(), src: z.string(), title: z.string().optional() })
  .openapi('NextTitle');

export const CreditsSchema = z
  .object({
    titleId: z.string(),
    creditsStart: z.number().nullable().openapi({ description: 'Seconds; null = no credits' }),
    creditsEnd: z.number().nullable(),
    segments: z.array(SegmentSchema),
    confidence: z.number(),
    duration: z.number().nullable(),
    modelVersion: z.string().nullable(),
    source: z.enum(['detected', 'chapter', 'manual']).openapi({
      description:
        'detected: from the frames and their text; chapter: a chapter named like credits that the frames confirmed; manual: an admin override',
    }),
    intro: IntroSchema.nullable().openapi({
      description:
        "The opening theme the title's season shares (found from the episodes' audio); null: none, see introReason",
    }),
    introReason: z
      .enum([
        'not-a-series',
        'pending',
        'no-siblings',
        'no-audio',
        'nothing-shared',
        'ffmpeg-missing',
        'unreadable',
      ])
      .nullable()
      .openapi({
        description:
          "Why intro is null: not-a-series (no series in the catalog); pending (the season's analysis has not run since it last changed: ask again later); no-siblings (alone in its season); no-audio; nothing-shared (no opening audio shared with its siblings); ffmpeg-missing (ffmpeg without Chromaprint); unreadable (its audio could not be read)",
      }),
    endMusic: IntroSchema.nullable().optional().openapi({
      description:
        "The end music the title's season shares (once the season is analysed; not under an override)",
    }),
    endMusicEvidence: z
      .enum(['agrees', 'disagrees', 'music-without-credits', 'none', 'bounded-by-music'])
      .optional()
      .openapi({
        description:
          'How the shared end music bears on the detected start: agrees, disagrees, music-without-credits, none, or bounded-by-music (the start lay before the music; the credits start is a re-run of the detector bounded by it, singleCreditsStart the one it replaced)',
      }),
    singleCreditsStart: z.number().nullable().optional().openapi({
      description:
        "With endMusicEvidence bounded-by-music: the title's own detected start, before the music bounded it",
    }),
    seriesConfidence: z
      .number()
      .optional()
      .openapi({ description: 'confidence weighed by the shared end music, 0..1' }),
    next: NextTitleSchema.optional(),
  })
  .openapi('Credits');

export const PendingSchema = z
  .object({
    status: z.enum(['queued', 'running']),
    progress: z.number().openapi({ description: '0..1' }),
    retryAfter: z.number().openapi({ description: 'Seconds before asking again' }),
  })
  .openapi('Pending');

export const FailedSchema = z
  .object({
    status: z.literal('failed'),
    error: z.object({
      code: z.string(),
      message: z.string(),
      hint: z.string().optional(),
      retryable: z.boolean(),
    }),
  })
  .openapi('AnalysisFailed');

export const TitleBodySchema = z
  .object({
    src: z.string().min(1).max(4096).openapi({
      description: 'A path relative to a media root, or an http(s) URL on an allowed host',
      example: 'series/s01e01.mp4',
    }),
    title: z.string().max(512).optional(),
    series: z.string().min(1).max(128).optional(),
    season: z.number().int().min(0).max(100_000).optional(),
    episode: z.number().int().min(0).max(100_000).optional(),
  })
  .strict()
  .openapi('TitleInput');

export const TitleSchema = TitleBodySchema.extend({
  id: z.string(),
  next: NextTitleSchema.optional(),
}).openapi('Title');

export const OverrideBodySchema = z
  .object({
    creditsStart: z
      .number()
      .min(0)
      .nullable()
      .openapi({ description: 'Seconds; null = no credits' }),
    creditsEnd: z.number().min(0).nullable().optional(),
    duration: z.number().positive().nullable().optional(),
    note: z.string().max(1000).nullable().optional(),
    postCredits: z
      .object({ start: z.number().min(0), end: z.number().min(0) })
      .strict()
      .nullable()
      .optional()
      .openapi({ description: 'The scene after the credits (seconds), to watch; null = none' }),
  })
  .strict()
  .refine(
    (body) =>
      body.creditsStart === null ||
      body.creditsEnd === undefined ||
      body.creditsEnd === null ||
      body.creditsEnd >= body.creditsStart,
    { message: 'creditsEnd must not be before creditsStart', path: ['creditsEnd'] },
  )
  .refine((body) => !body.postCredits || body.postCredits.end > body.postCredits.start, {
    message: 'postCredits.end must be after postCredits.start',
    path: ['postCredits'],
  })
  .refine(
    (body) =>
      !body.postCredits ||
      (body.creditsStart !== null &&
        body.postCredits.start >= (body.creditsEnd ?? body.creditsStart)),
    {
      message:
        'postCredits must come after the credits (and there must be credits: creditsStart null means none)',
      path: ['postCredits'],
    },
  )
  .openapi('OverrideInput');

export const OverrideSchema = z
  .object({
    titleId: z.string(),
    creditsStart: z.number().nullable(),
    creditsEnd: z.number().nullable(),
    duration: z.number().nullable(),
    note: z.string().nullable(),
    postCredits: z.object({ start: z.number(), end: z.number() }).nullable().optional(),
    updatedAt: z.number(),
  })
  .openapi('Override');

export const JobSchema = z
  .object({
    id: z.string(),
    titleId: z.string(),
    state: z.enum(['queued', 'running', 'done', 'failed']),
    attempts: z.number(),
    progress: z.number(),
    phase: z.string().nullable(),
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        hint: z.string().optional(),
        retryable: z.boolean(),
      })
      .nullable(),
    force: z.boolean(),
    createdAt: z.number(),
    updatedAt: z.number(),
    runAfter: z.number(),
    startedAt: z.number().nullable(),
    finishedAt: z.number().nullable(),
  })
  .openapi('Job');

export const JobsSchema = z
  .object({
    counts: z.object({
      queued: z.number(),
      running: z.number(),
      done: z.number(),
      failed: z.number(),
    }),
    jobs: z.array(JobSchema),
  })
  .openapi('Jobs');

export const TitleListQuerySchema = z.object({
  series: z.string().min(1).max(256).optional(),
  status: z.enum(TITLE_STATUSES).optional(),
  sort: z
    .enum(['id', 'confidence'])
    .optional()
    .openapi({ description: 'confidence: least sure first (order=desc: surest first)' }),
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .openapi({ description: 'Default 100' }),
  offset: z.coerce.number().int().min(0).optional(),
});

export const TitleListItemSchema = z
  .object({
    id: z.string(),
    src: z.string(),
    title: z.string().optional(),
    series: z.string().optional(),
    season: z.number().optional(),
    episode: z.number().optional(),
    status: z.enum(TITLE_STATUSES),
    creditsStart: z.number().nullable(),
    creditsEnd: z.number().nullable(),
    postCredits: z.object({ start: z.number(), end: z.number() }).nullable(),
    confidence: z.number().nullable(),
    source: z.enum(['detected', 'chapter', 'manual']).nullable(),
    modelVersion: z.string().nullable(),
    updatedAt: z.number().nullable().openapi({ description: 'ms since the epoch' }),
    error: FailedSchema.shape.error.optional(),
  })
  .openapi('TitleListItem');

export const TitleListSchema = z
  .object({
    total: z.number(),
    limit: z.number(),
    offset: z.number(),
    items: z.array(TitleListItemSchema),
  })
  .openapi('TitleList');

export const errorResponse = (description: string) => ({
  content: { 'application/json': { schema: ErrorSchema } },
  description,
});

export const bearerSecurity = [{ adminKey: [] as string[] }];
