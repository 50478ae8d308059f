import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTextReader, englishModelDir, toPpm } from '../../../server/detector/text-reader.js';

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
