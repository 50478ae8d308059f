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

describe('readFrameText and other scripts', () => {
  const frame = { data: new Uint8Array(8 * 8 * 3), width: 8, height: 8 };

  it('reads an unreadable frame in other scripts by default', async () => {
    const reader = unsureReader();
    await readFrameText(reader, frame);
    expect(reader.scriptReads).toBeGreaterThan(0);
  });

  it('leaves other scripts alone when told to (a frame that does not look like credits)', async () => {
    const reader = unsureReader();
    const reading = await readFrameText(reader, frame, { otherScripts: false });
    expect(reader.scriptReads).toBe(0);
    expect(reading.cue).toBe(0);
  });
});
