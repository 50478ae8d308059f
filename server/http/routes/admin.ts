/**
 * Admin API (Bearer key): register and list titles, force re-analysis, manual overrides,
 * queue state.
 * Web standards only; storage and queue behind the AdminService interface.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { isEndcueError, isUnavailable } from '../../errors.js';
import type { RouteContext } from '../context.js';
import { errorBody } from '../errors.js';
import {
  bearerSecurity,
  errorResponse,
  IdParams,
  JobSchema,
  JobsSchema,
  OverrideBodySchema,
  OverrideSchema,
  TitleBodySchema,
  TitleListQuerySchema,
  TitleListSchema,
  TitleSchema,
} from '../schemas.js';

const authResponses = {
  401: errorResponse('Missing admin key'),
  403: errorResponse('Wrong admin key, or admin disabled (no ENDCUE_ADMIN_KEY)'),
};

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export function registerAdminRoutes(
  app: OpenAPIHono,
  ctx: RouteContext,
  auth: MiddlewareHandler,
  enqueueLimit: MiddlewareHandler,
): void {
  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/titles/{id}',
      tags: ['admin'],
      summary: 'Register or update a title',
      security: bearerSecurity,
      middleware: [auth] as const,
      request: {
        params: IdParams,
        body: { content: { 'application/json': { schema: TitleBodySchema } }, required: true },
      },
      responses: {
        200: json(TitleSchema, 'Updated'),
        201: json(TitleSchema, 'Created'),
        400: errorResponse('Invalid body, or a source outside the media roots / allow-list'),
        413: errorResponse('Body too large'),
        ...authResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      try {
        const { title, created } = await ctx.service.putTitle(id, body);
        return c.json(title, created ? 201 : 200);
      } catch (error) {
        if (isEndcueError(error) && !isUnavailable(error))
          return c.json({ error: error.toJSON() }, 400);
        throw error;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/titles/{id}',
      tags: ['admin'],
      summary: 'Remove a title',
      security: bearerSecurity,
      middleware: [auth] as const,
      request: { params: IdParams },
      responses: {
        204: { description: 'Removed' },
        400: errorResponse('Invalid title id'),
        404: errorResponse('Unknown title'),
        ...authResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await ctx.service.deleteTitle(id)))
        return c.json(errorBody('not-found', `No title with id ${id}`), 404);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/titles/{id}/analyze',
      tags: ['admin'],
      summary: 'Force a re-analysis',
      security: bearerSecurity,
      middleware: [auth, enqueueLimit] as const,
      request: { params: IdParams },
      responses: {
        202: json(z.object({ job: JobSchema, created: z.boolean() }), 'Queued (or already queued)'),
        400: errorResponse('Invalid title id'),
        404: errorResponse('Unknown title'),
        429: errorResponse('Too many analyses requested'),
        ...authResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const queued = await ctx.service.analyze(id);
      if (!queued) return c.json(errorBody('not-found', `No title with id ${id}`), 404);
      return c.json(queued, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/titles/{id}/credits',
      tags: ['admin'],
      summary: 'Manual override: wins over detection and survives re-analysis',
      security: bearerSecurity,
      middleware: [auth] as const,
      request: {
        params: IdParams,
        body: { content: { 'application/json': { schema: OverrideBodySchema } }, required: true },
      },
      responses: {
        200: json(OverrideSchema, 'Stored'),
        400: errorResponse('Invalid body'),
        404: errorResponse('Unknown title'),
        413: errorResponse('Body too large'),
        ...authResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const override = await ctx.service.putOverride(id, {
        creditsStart: body.creditsStart,
        creditsEnd: body.creditsEnd ?? null,
        duration: body.duration ?? null,
        note: body.note ?? null,
        postCredits: body.postCredits ?? null,
      });
      if (!override) return c.json(errorBody('not-found', `No title with id ${id}`), 404);
      return c.json(override, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/titles/{id}/credits',
      tags: ['admin'],
      summary: 'Remove the manual override (detection answers again)',
      security: bearerSecurity,
      middleware: [auth] as const,
      request: { params: IdParams },
      responses: {
        204: { description: 'Removed' },
        400: errorResponse('Invalid title id'),
        404: errorResponse('Unknown title, or no override'),
        ...authResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const removed = await ctx.service.deleteOverride(id);
      if (removed === undefined)
        return c.json(errorBody('not-found', `No title with id ${id}`), 404);
      if (!removed)
        return c.json(errorBody('not-found', `Title ${id} has no manual override`), 404);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/jobs',
      tags: ['admin'],
      summary: 'Queue state: counts and recent jobs',
      security: bearerSecurity,
      middleware: [auth] as const,
      request: {
        query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() }),
      },
      responses: {
        200: json(JobsSchema, 'Queue state'),
        400: errorResponse('Invalid query'),
        ...authResponses,
      },
    }),
    async (c) => {
      const { limit } = c.req.valid('query');
      c.header('Cache-Control', 'no-store');
      return c.json(await ctx.service.jobs(limit ?? 100), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/titles',
      tags: ['admin'],
      summary: 'Titles with their status and stored answer, filtered, sorted and paged',
      security: bearerSecurity,
      middleware: [auth] as const,
      request: { query: TitleListQuerySchema },
      responses: {
        200: json(TitleListSchema, 'One page of titles'),
        400: errorResponse('Invalid query'),
        ...authResponses,
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      c.header('Cache-Control', 'no-store');
      const page = await ctx.service.listTitles({
        ...(query.series !== undefined ? { series: query.series } : {}),
        ...(query.status !== undefined ? { status: query.status } : {}),
        ...(query.sort !== undefined ? { sort: query.sort } : {}),
        ...(query.order !== undefined ? { order: query.order } : {}),
        limit: query.limit ?? 100,
        offset: query.offset ?? 0,
      });
      return c.json(page, 200);
    },
  );
}
