import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  brightTextImage,
  createTextReader,
  englishModelDir,
  isPictureAbove,
  readFrameText,
  toPpm,
  whiteTextImage,
} from '../../../server/detector/text-reader.js';
import { fontFile } from '../../fixtures/fonts.js';
import { renderFrame } from '../../fixtures/render-frame.js';

describe('toPpm', () => {
  it('wraps rgb24 bytes in a binary PPM header', () => {
    const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const ppm = toPpm({ data, width: 2, height: 1 });
    expect(new TextDecoder().decode(ppm.subarray(0, 11))).toBe('P6\n2 1\n255\n');
    expect([...ppm.subarray(11)]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects a frame whose size does not match', () => {
    expect(() => toPpm({ data: new Uint8Array(5), width: 2, height: 1 })).toThrow(/expected 6/);
  });
});

describe('createTextReader', { timeout: 60_000 }, () => {
  it('uses the English model shipped in node_modules (no download)', () => {
    expect(existsSync(path.join(englishModelDir(), 'eng.traineddata.gz'))).toBe(true);
  });

  it('reads nothing on a blank frame and can be disposed', async () => {
    const reader = await createTextReader({ workers: 2 });
    expect(reader.concurrency).toBe(2);
    const blank = { data: new Uint8Array(64 * 36 * 3), width: 64, height: 36 };
    const [a, b] = await Promise.all([reader.read(blank), reader.read(blank)]);
    expect(a).toEqual([]);
    expect(b).toEqual([]);
    await reader.dispose();
    await expect(reader.read(blank)).rejects.toThrow(/disposed/);
  });
});

describe('brightTextImage', () => {
  it('keeps near-white pixels as their channel minimum and blacks out the rest', () => {
    const frame = {
      data: new Uint8Array([250, 255, 252, 140, 150, 145, 255, 200, 90]),
      width: 3,
      height: 1,
    };
    expect([...brightTextImage(frame).data]).toEqual([250, 250, 250, 0, 0, 0, 0, 0, 0]);
  });
});

describe('whiteTextImage', () => {
  it("keeps each pixel as grey at its channels' minimum: white stays, colours darken", () => {
    const frame = {
      data: Uint8Array.from([255, 255, 250, 47, 127, 138, 0, 0, 0]),
      width: 3,
      height: 1,
    };
    expect([...whiteTextImage(frame).data]).toEqual([250, 250, 250, 47, 47, 47, 0, 0, 0]);
    expect([...frame.data.subarray(0, 3)]).toEqual([255, 255, 250]); // input untouched
  });
});

describe('isPictureAbove', () => {
  it('tells a scene from a plain ground above the caption band', () => {
    expect(isPictureAbove(renderFrame('testsrc2', 'null'), 0.62)).toBe(true);
    expect(isPictureAbove(renderFrame('color=black', 'null'), 0.62)).toBe(false);
    expect(isPictureAbove(renderFrame('color=0x2f7f8a', 'null'), 0.62)).toBe(false);
  });
});

describe('readFrameText', { timeout: 60_000 }, () => {
  it('reads a line of dialogue under a scene as a caption, and the same line on black not', async () => {
    const font = fontFile('dejavu-sans', 700);
    const line = `drawtext=fontfile=${font}:text='Okay. Lets go home now':fontcolor=white:fontsize=40:borderw=3:x=(w-text_w)/2:y=h-90`;
    const reader = await createTextReader();
    try {
      const caption = await readFrameText(reader, renderFrame('testsrc2', line));
      expect(caption.cue).toBe(-1);
      expect(caption.other).toContain('caption');
      const card = await readFrameText(reader, renderFrame('color=black', line));
      expect(card.other).not.toContain('caption');
    } finally {
      await reader.dispose();
    }
  });

  it('reads white text on a coloured banner, which the first look misses', async () => {
    // A closing banner: white words in a teal box on black (a talk's or an animation's last card).
    const font = fontFile('dejavu-sans', 400);
    const filter = `drawbox=x=150:y=60:w=660:h=70:color=0x2f7f8a:t=fill,drawtext=fontfile=${font}:text='THANK YOU FOR YOUR ATTENTION':fontcolor=white:fontsize=36:x=170:y=78`;
    const frame = renderFrame('color=black', filter);
    const reader = await createTextReader();
    try {
      expect(await reader.read(frame)).toEqual([]);
      const reading = await readFrameText(reader, frame);
      expect(reading.cue).toBe(1);
      expect(reading.credits).toEqual(['thank you for your attention']);
    } finally {
      await reader.dispose();
    }
  });
});
