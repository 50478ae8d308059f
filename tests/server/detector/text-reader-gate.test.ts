import { describe, expect, it } from 'vitest';
import type { OcrWord } from '../../../server/detector/text-cues.js';
import { readFrameText, type TextReader } from '../../../server/detector/text-reader.js';

/** A reader whose English look reads unsure fragments (what English makes of CJK). */
function unsureReader(): TextReader & { scriptReads: number } {
  const unsure: OcrWord[] = ['ab', 'c', 'de', 'f'].map((text) => ({ text, confidence: 20 }));
  return {
    concurrency: 1,
    scriptReads: 0,
    read: async () => unsure,
    async readScript() {
      this.scriptReads++;
      return [];
    },
    dispose: async () => undefined,
  };
}

/** A reader that reads nothing but where only bright text is left (brightTextImage's look). */
function brightOnlyReader(line: string): TextReader & { looks: number } {
  return {
    concurrency: 1,
    looks: 0,
    async read(frame) {
      this.looks++;
      // brightTextImage blacks out the grey ground: only then are the words there.
      const grey = frame.data.some((v) => v > 0 && v < 160);
      return grey ? [] : line.split(' ').map((text) => ({ text, confidence: 90 }));
    },
    dispose: async () => undefined,
  };
}

describe('readFrameText: the bright-text look', () => {
  // A grey ground (120) with a few white pixels: subtitles over grain, as a reader sees them.
  const frame = { data: new Uint8Array(8 * 8 * 3).fill(120), width: 8, height: 8 };
  frame.data.fill(250, 0, 12);

  it('reads a frame that looks like credits a third time, bright text alone', async () => {
    const reader = brightOnlyReader('Directed by Jane Doe');
    const reading = await readFrameText(reader, frame);
    expect(reader.looks).toBe(3);
    expect(reading.credits).toEqual(['directed by']);
  });

  it('does not when the frame does not look like credits', async () => {
    const reader = brightOnlyReader('Directed by Jane Doe');
    const reading = await readFrameText(reader, frame, { likelyCredits: false });
    expect(reader.looks).toBe(2);
    expect(reading.cue).toBe(0);
  });
});

describe('readFrameText and other scripts', () => {
  const frame = { data: new Uint8Array(8 * 8 * 3), width: 8, height: 8 };

  it('reads an unreadable frame in other scripts by default', async () => {
    const reader = unsureReader();
    await readFrameText(reader, frame);
    expect(reader.scriptReads).toBeGreaterThan(0);
  });

  it('leaves other scripts alone when told to (a frame that does not look like credits)', async () => {
    const reader = unsureReader();
    const reading = await readFrameText(reader, frame, { likelyCredits: false });
    expect(reader.scriptReads).toBe(0);
    expect(reading.cue).toBe(0);
  });
});
