import { gzipSync } from 'node:zlib';
import { type OutputOptions, type RollupOptions, rollup } from 'rollup';
import { describe, expect, it } from 'vitest';

/** Issue 6: <= 12 KB min+gzip JS, video.js and hls.js excluded. */
const BUDGET_BYTES = 12 * 1024;

describe('plugin bundle', () => {
  it('stays within the size budget and keeps video.js external', async () => {
    // The project's own rollup config (a .mjs without types, so imported by URL).
    const config = new URL('../../rollup.config.mjs', import.meta.url).href;
    const { default: configs } = (await import(config)) as { default: RollupOptions[] };
    const main = configs[0] as RollupOptions;
    const outputs = main.output as OutputOptions[];
    const minified = outputs.find((o) => String(o.file).endsWith('.min.js'));
    expect(minified).toBeDefined();
    const bundle = await rollup(main);
    try {
      const { output } = await bundle.generate(minified as OutputOptions);
      const chunk = output.find((o) => o.type === 'chunk');
      if (chunk?.type !== 'chunk') throw new Error('no JS chunk');
      const gzipped = gzipSync(chunk.code, { level: 9 }).length;
      expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
      // The UMD wrapper takes video.js from the page; its code is not inside.
      expect(chunk.imports).toContain('video.js');
      expect(chunk.code).not.toMatch(/Video\.js contributors|class Hls\b/);
      expect(output.some((o) => o.fileName === 'endcue.css')).toBe(true);
    } finally {
      await bundle.close();
    }
  });
});
