import { afterEach, describe, expect, it } from 'vitest';
import {
  errorFromWorker,
  type ThreadedDetector,
  threadedDetector,
} from '../../../server/detector/thread.js';
import { EndcueError } from '../../../server/errors.js';

const FAKE = new URL('./fake-detector-worker.mjs', import.meta.url);
let detector: ThreadedDetector | undefined;

afterEach(async () => {
  await detector?.close();
  detector = undefined;
});

describe('threadedDetector', () => {
  it('returns the worker result and forwards progress', async () => {
    detector = threadedDetector(FAKE);
    const progress: number[] = [];
    const result = await detector('ok.mp4', { onProgress: (p) => progress.push(p.fraction) });
    expect(result).toMatchObject({ file: 'ok.mp4', creditsStart: 50 });
    expect(progress).toEqual([0.5]);
  });

  it('tells the thread whether to read text (ENDCUE_TEXT_CHECK)', async () => {
    detector = threadedDetector(FAKE);
    await expect(detector('ok.mp4')).resolves.toMatchObject({ readText: true });
    await detector.close();
    detector = threadedDetector(FAKE, { readText: false });
    await expect(detector('ok.mp4')).resolves.toMatchObject({ readText: false });
  });

  it("hands the thread the egress proxy that ffmpeg's URL reads go through", async () => {
    detector = threadedDetector(FAKE);
    await expect(detector('ok.mp4')).resolves.toMatchObject({ httpProxy: undefined });
    await detector.close();
    detector = threadedDetector(FAKE, { httpProxy: 'http://127.0.0.1:9' });
    await expect(detector('ok.mp4')).resolves.toMatchObject({ httpProxy: 'http://127.0.0.1:9' });
  });

  it('hands the thread the bound the credits may not start before (notBefore, issue 22)', async () => {
    detector = threadedDetector(FAKE);
    await expect(detector('ok.mp4')).resolves.toMatchObject({ notBefore: undefined });
    await expect(detector('ok.mp4', { notBefore: 77 })).resolves.toMatchObject({ notBefore: 77 });
  });

  it('rebuilds EndcueErrors with their code, hint and retryable flag', async () => {
    detector = threadedDetector(FAKE);
    const error = await detector('bad.mp4').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndcueError);
    expect(error).toMatchObject({ code: 'corrupt-media', hint: 'Re-encode it.', retryable: false });
  });

  it('fails pending analyses as retryable when the thread dies, then starts a new one', async () => {
    detector = threadedDetector(FAKE);
    const error = await detector('crash.mp4').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndcueError);
    expect(error).toMatchObject({ code: 'internal', retryable: true });
    await expect(detector('ok.mp4')).resolves.toMatchObject({ file: 'ok.mp4' });
  });

  it('refuses an already aborted analysis without starting the thread', async () => {
    detector = threadedDetector(new URL('./missing-worker.mjs', import.meta.url));
    const abort = new AbortController();
    abort.abort(new Error('stop'));
    await expect(detector('ok.mp4', { signal: abort.signal })).rejects.toThrow('stop');
  });
});

describe('errorFromWorker', () => {
  it('keeps plain errors plain, with the stack from the thread', () => {
    const error = errorFromWorker({ endcue: false, message: 'boom', stack: 'Error: boom\n  at x' });
    expect(error).not.toBeInstanceOf(EndcueError);
    expect(error.message).toBe('boom');
    expect(error.stack).toContain('at x');
  });
});
