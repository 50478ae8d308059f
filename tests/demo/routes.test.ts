import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { DEMO_CSP, mountDemo, seriesState } from '../../demo/routes.js';
import type { DemoSeries } from '../../demo/series.js';

const series: DemoSeries = {
  mediaDir: '/tmp/demo',
  episodes: ['a', 'b'].map((id, i) => ({
    id,
    episode: i + 1,
    title: id,
    style: 'roll',
    mp4: `${id}.mp4`,
    hls: `${id}.hls/index.m3u8`,
    duration: 60,
    truth: {
      creditsStart: 50,
      creditsEnd: 60,
      postCreditsStart: null,
      intro: { start: 4, end: 24 },
    },
  })),
};

describe('seriesState', () => {
  it("reads every episode through the app's credits route", async () => {
    const app = new OpenAPIHono();
    const asked: string[] = [];
    app.get('/v1/titles/:id/credits', (c) => {
      const id = c.req.param('id');
      asked.push(id);
      if (id === 'a')
        return c.json({ creditsStart: 49, confidence: 0.9, duration: 60, segments: [] }, 200);
      return c.json({ status: 'running', progress: 0.5, retryAfter: 2 }, 202);
    });
    const views = await seriesState(app, series);
    expect(asked.sort()).toEqual(['a', 'b']);
    expect(views.map((v) => [v.id, v.state, v.label])).toEqual([
      ['a', 'done', 'credits at 00:49 · confidence 0.90'],
      ['b', 'running', 'analysing… 50 %'],
    ]);
  });
});

describe('mountDemo', () => {
  it('serves the page with a content security policy that allows only its own scripts', async () => {
    const app = new OpenAPIHono();
    mountDemo(app, series);
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(DEMO_CSP);
    expect(DEMO_CSP).toContain("script-src 'self'");
    expect(DEMO_CSP).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
