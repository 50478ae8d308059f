import { afterEach, describe, expect, it } from 'vitest';
import { fileFingerprint } from '../../../server/media/sources.js';
import { createAnalysisHandler } from '../../../server/queue/analyze.js';
import type { JobSnapshot } from '../../../server/queue/types.js';
import { SqliteCreditsStore } from '../../../server/store/sqlite.js';
import { type TempMedia, tempMedia } from '../http/fakes.js';
import { detection } from '../store/contract.js';

let media: TempMedia | undefined;
afterEach(() => {
  media?.cleanup();
  media = undefined;
});

const job: JobSnapshot = {
  id: '1',
  titleId: 'a',
  state: 'running',
  attempts: 1,
  progress: 0,
  phase: null,
  error: null,
  force: false,
  createdAt: 0,
  updatedAt: 0,
  runAfter: 0,
  startedAt: 0,
  finishedAt: null,
};

/**
 * The analysis of title `a` by a run whose job was taken over while it ran (`owned` false),
 * with `meanwhile` happening while the detector runs (the new owner's doings).
 */
async function lostRun(meanwhile: (store: SqliteCreditsStore, file: string) => Promise<void>) {
  media = tempMedia();
  const file = media.write('a.mp4', 'first version');
  const store = new SqliteCreditsStore(':memory:');
  await store.putTitle({ id: 'a', src: 'a.mp4' }, 'admin');
  const measured = await fileFingerprint(file);
  const handler = createAnalysisHandler({
    store,
    policy: { mediaRoots: [media.root], allowedHosts: [], allowPrivateNetworks: false },
    modelVersion: () => 'm1',
    detector: async () => {
      await meanwhile(store, file);
      return detection(42, 'm1');
    },
  });
  await handler.run(job, {
    signal: new AbortController().signal,
    progress: () => {},
    owned: () => false,
  });
  return { store, measured, file };
}

describe('the analysis job, when its run lost the job to another process', () => {
  it('still stores its result when the media is unchanged (it serves sooner)', async () => {
    const { store, measured } = await lostRun(async () => {});
    expect((await store.getResult('a', measured, 'm1'))?.result.creditsStart).toBe(42);
    await store.close();
  });

  it("does not store it when the media changed: the new owner's result stays", async () => {
    const { store, measured, file } = await lostRun(async (shared, file) => {
      media?.write('a.mp4', 'a longer, re-encoded second version');
      await shared.putResult({
        titleId: 'a',
        fingerprint: await fileFingerprint(file),
        modelVersion: 'm1',
        result: detection(77, 'm1'),
        createdAt: 2,
      });
    });
    expect(await store.getResult('a', measured, 'm1')).toBeUndefined();
    const current = await fileFingerprint(file);
    expect(current).not.toBe(measured);
    expect((await store.getResult('a', current, 'm1'))?.result.creditsStart).toBe(77);
    await store.close();
  });
});
