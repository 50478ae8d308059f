/** Public title metadata, with the next title of its series. Web standards only. */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { RouteContext } from '../context.js';
import { errorBody } from '../errors.js';
import { errorResponse, IdParams, TitleSchema } from '../schemas.js';

const titleRoute = createRoute({
  method: 'get',
  path: '/v1/titles/{id}',
  tags: ['titles'],
  summary: 'A title and the one that plays after it',
  request: { params: IdParams },
  responses: {
    200: { content: { 'application/json': { schema: TitleSchema } }, description: 'The title' },
    400: errorResponse('Invalid title id'),
    404: errorResponse('Unknown title'),
  },
});

export function registerTitleRoutes(app: OpenAPIHono, ctx: RouteContext): void {
  app.openapi(titleRoute, async (c) => {
    const { id } = c.req.valid('param');
    const title = await ctx.service.title(id);
    if (!title) return c.json(errorBody('not-found', `No title with id ${id}`), 404);
    c.header('Cache-Control', `public, max-age=${ctx.resultMaxAgeS}`);
    return c.json(title, 200);
  });
}
