import { describe, expect, it } from 'vitest';
import { renderPage, scriptJson } from '../../demo/page.js';
import type { DemoSeries } from '../../demo/series.js';

describe('demo page', () => {
  it('embeds JSON that cannot close its script element', () => {
    const json = scriptJson({ title: '</script><!-- & more' });
    expect(json).not.toContain('</script>');
    expect(json).not.toContain('<!--');
    expect(JSON.parse(json)).toEqual({ title: '</script><!-- & more' });
  });

  it('lists the episodes with their media URLs and loads player, plugin and hls.js', () => {
    const series: DemoSeries = {
      mediaDir: '/tmp/x',
      episodes: [
        {
          id: 'demo-s1e1',
          episode: 1,
          title: 'The Signal',
          style: 'roll',
          mp4: 'roll.mp4',
          hls: 'roll.hls/index.m3u8',
          duration: 72,
          truth: {
            creditsStart: 58,
            creditsEnd: 72,
            postCreditsStart: null,
            intro: { start: 8, end: 28 },
          },
        },
      ],
    };
    const html = renderPage(series);
    const data = /<script id="series" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1];
    expect(JSON.parse(data ?? 'null').episodes).toEqual([
      {
        id: 'demo-s1e1',
        episode: 1,
        title: 'The Signal',
        style: 'roll',
        duration: 72,
        mp4: '/media/roll.mp4',
        hls: '/media/roll.hls/index.m3u8',
      },
    ]);
    // The ground truth stays on the server (the page only gets it through /demo/state).
    expect(html).not.toContain('"creditsStart"');
    for (const src of [
      '/vendor/video/video.min.js',
      '/vendor/hls/hls.min.js',
      '/plugin/endcue.umd.min.js',
      '/demo/assets/demo.js',
    ]) {
      expect(html).toContain(`<script src="${src}">`);
    }
    for (const value of ['mp4', 'vhs', 'hlsjs']) expect(html).toContain(`value="${value}"`);
  });
});
