/**
 * Exporting a library from the store (`endcue export`): nothing is analysed; titles not
 * analysed, failed or on URLs are reported; `--embed` writes the chapters into the file and
 * moves the stored result to the file's new fingerprint, so it is not analysed again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ExportEntry,
  exportSidecars,
  formatExportReport,
} from '../../../server/export/library.js';
import { sidecarPath } from '../../../server/export/sidecars.js';
import { storedAnswer } from '../../../server/export/stored.js';
import { resolveFfmpeg } from '../../../server/media/ffmpeg.js';
import { resolveSource, type SourcePolicy } from '../../../server/media/sources.js';
import { seasonKey } from '../../../server/series/season-key.js';
import { SqliteCreditsStore } from '../../../server/store/sqlite.js';
import type { StoredResult } from '../../../server/store/types.js';
import { makeTinyVideo } from './tiny-video.js';

let root = '';
let policy: SourcePolicy;
let store: SqliteCreditsStore;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'endcue-export-lib-'));
  policy = { mediaRoots: [root], allowedHosts: [], allowPrivateNetworks: false };
  for (const name of ['done', 'never', 'bad']) makeTinyVideo(path.join(root, `${name}.mp4`));
  store = new SqliteCreditsStore(':memory:');
  for (const id of ['done', 'never', 'bad'])
    await store.putTitle({ id, src: `${id}.mp4` }, 'admin');
  await store.putTitle({ id: 'remote', src: 'https://cdn.example.com/a.mp4' }, 'admin');
  const done = await resolveSource('done.mp4', policy);
  await store.putResult({
    titleId: 'done',
    fingerprint: done.fingerprint,
    modelVersion: 'm1',
    createdAt: 1,
    result: {
      file: done.input,
      duration: 6,
      fps: 10,
      creditsStart: 4,
      creditsEnd: 6,
      frame: 40,
      confidence: 0.9,
      segments: [{ kind: 'credits', start: 4, end: 6 }],
      modelVersion: 'm1',
      backend: 'cpu',
      elapsedMs: 1,
    },
  });
  const bad = await resolveSource('bad.mp4', policy);
  await store.putFailure({
    titleId: 'bad',
    fingerprint: bad.fingerprint,
    createdAt: 1,
    error: { code: 'corrupt-media', message: 'bad.mp4 is truncated', retryable: false },
  });
});
afterAll(async () => {
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

describe('exportSidecars', () => {
  it('exports what is stored and says why the others have nothing', async () => {
    const titles = await store.listTitles();
    const entries = await exportSidecars({ titles, store, policy });
    const byId = Object.fromEntries(entries.map((e) => [e.titleId, e]));
    expect(byId.done?.outcome).toBe('exported');
    expect(byId.never).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/not analysed yet/),
    });
    expect(byId.bad).toMatchObject({
      outcome: 'failed',
      reason: 'corrupt-media: bad.mp4 is truncated',
    });
    expect(byId.remote).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/URL/) });
    expect(formatExportReport(entries)).toMatch(/^sidecars: exported 1, skipped 2, failed 1\n/);
  });

  it('--min-confidence: a start less sure than asked marks no credits, and the report says so', async () => {
    const title = (await store.getTitle('done')) as { id: string; src: string };
    const video = path.join(root, 'done.mp4');
    const [unsure] = await exportSidecars({ titles: [title], store, policy, minConfidence: 0.95 });
    expect(unsure).toMatchObject({
      outcome: 'exported',
      leftOut: { creditsStart: 4, confidence: 0.9 },
    });
    expect(existsSync(sidecarPath(video, 'edl'))).toBe(false); // Kodi skips nothing
    expect(readFileSync(sidecarPath(video, 'vtt'), 'utf8')).not.toMatch(/Credits/);
    expect(formatExportReport([unsure as ExportEntry])).toMatch(
      /no credits marked for done: its start at 4\.0 s has confidence 0\.90, below --min-confidence/,
    );
    const [sure] = await exportSidecars({ titles: [title], store, policy, minConfidence: 0.9 });
    expect(sure?.leftOut).toBeUndefined();
    expect(readFileSync(sidecarPath(video, 'edl'), 'utf8')).toMatch(/^4\.000?\s+6/m);
  });

  it('--embed: chapters in the file, and the result follows it to its new fingerprint', async () => {
    const title = (await store.getTitle('done')) as { id: string; src: string };
    const { ffmpeg, ffprobe } = resolveFfmpeg();
    const before = (await resolveSource('done.mp4', policy)).fingerprint;
    const [entry] = await exportSidecars({
      titles: [title],
      store,
      policy,
      embed: { tools: { ffmpeg, ffprobe } },
    });
    expect(entry?.embedded).toMatchObject({ outcome: 'embedded' });
    const after = (await resolveSource('done.mp4', policy)).fingerprint;
    expect(after).not.toBe(before);
    // Still analysed: a scan or a player's request finds the result for the new file.
    expect((await storedAnswer(store, title, policy)).status).toBe('ready');
    expect(await store.getResult('done', after)).toMatchObject({ modelVersion: 'm1' });
  });
});

describe("a season's intro in the exports (issue 22)", () => {
  it('goes into the sidecars and the embedded chapters, and follows the file to its new fingerprint', async () => {
    makeTinyVideo(path.join(root, 'ep1.mp4'));
    const title = { id: 'ep1', src: 'ep1.mp4', series: 'Show', season: 1 };
    await store.putTitle(title, 'admin');
    const media = await resolveSource('ep1.mp4', policy);
    const stored = (await store.getResult(
      'done',
      (
        await resolveSource('done.mp4', policy)
      ).fingerprint,
    )) as StoredResult;
    await store.putResult({ ...stored, titleId: 'ep1', fingerprint: media.fingerprint });
    const intro = { start: 1, end: 3, confidence: 1 };
    await store.putIntros([
      {
        titleId: 'ep1',
        fingerprint: media.fingerprint,
        seasonKey: seasonKey([title]),
        intro,
        reason: null,
        createdAt: 1,
      },
    ]);
    const lookup = await storedAnswer(store, title, policy);
    expect(lookup.status === 'ready' && lookup.answer.intro).toEqual(intro);

    const { ffmpeg, ffprobe } = resolveFfmpeg();
    const [entry] = await exportSidecars({
      titles: [title],
      store,
      policy,
      embed: { tools: { ffmpeg, ffprobe } },
    });
    expect(entry?.embedded).toMatchObject({ outcome: 'embedded' });
    expect(readFileSync(path.join(root, 'ep1.chapters.vtt'), 'utf8')).toContain(
      '00:00:01.000 --> 00:00:03.000\nIntro\n',
    );
    expect(readFileSync(path.join(root, 'ep1.edl'), 'utf8')).toBe(
      '1.000\t3.000\t3\n4.000\t6.000\t3\n',
    );
    const probed = spawnSync(
      ffprobe,
      ['-v', 'error', '-show_chapters', '-of', 'json', path.join(root, 'ep1.mp4')],
      { encoding: 'utf8' },
    );
    const chapters = (
      JSON.parse(probed.stdout) as { chapters: Array<{ tags?: { title?: string } }> }
    ).chapters;
    expect(chapters.map((c) => c.tags?.title)).toEqual([
      'Programme',
      'Intro',
      'Programme',
      'Credits',
    ]);
    // The file's fingerprint changed with its chapters; its intro still holds.
    const after = await storedAnswer(store, title, policy);
    expect(after.status === 'ready' && after.answer.intro).toEqual(intro);
  });
});
