/** Health, Prometheus metrics and the OpenAPI document. Web standards only. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { RouteContext } from '../context.js';

export function registerOpsRoutes(app: OpenAPIHono, ctx: RouteContext): void {
  app.get('/healthz', async (c) => {
    const report = await ctx.service.health();
    c.header('Cache-Control', 'no-store');
    return c.json(
      { status: report.ok ? 'ok' : 'error', checks: report.checks },
      report.ok ? 200 : 503,
    );
  });

  app.get('/metrics', async (c) => {
    const extra = (await ctx.service.metricsText?.()) ?? '';
    c.header('Cache-Control', 'no-store');
    c.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return c.body(ctx.metrics.render(extra));
  });

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'EndCue API',
      version: '1',
      description:
        'Where the closing credits of a title start. Reads are public; admin routes need `Authorization: Bearer <ENDCUE_ADMIN_KEY>`.',
    },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminKey', {
    type: 'http',
    scheme: 'bearer',
  });
}
