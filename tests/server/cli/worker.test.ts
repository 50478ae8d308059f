import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { detectorFromModule, startWorker, workerCommand } from '../../../server/cli/worker.js';
import { loadConfig } from '../../../server/config.js';

const FAKE = path.resolve(import.meta.dirname, '../../scale/fake-detector.ts');

describe('endcue worker', () => {
  it('needs REDIS_URL, and says what to do without it', async () => {
    await expect(
      startWorker({ config: loadConfig({}, {}), logger: pino({ level: 'silent' }) }),
    ).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringMatching(/REDIS_URL/),
      hint: expect.stringMatching(/endcue serve/),
    });
  });

  it('loads a stand-in detector module (test hook), refusing one without detect()', async () => {
    const loaded = await detectorFromModule(FAKE);
    expect(loaded.modelVersion?.()).toBe('fake-scale-1');
    expect(typeof loaded.detector).toBe('function');
    await expect(
      detectorFromModule(path.resolve(import.meta.dirname, '../../../server/errors.ts')),
    ).rejects.toThrow(/exports no detect\(\)/);
  });

  it('shares the serve flags it needs, and has no admin key flag', () => {
    const longs = workerCommand().options.map((option) => option.long);
    expect(longs).toEqual(expect.arrayContaining(['--concurrency', '--media-root', '--data-dir']));
    expect(longs).not.toContain('--admin-key');
  });
});
