/**
 * A season's intro through the server (issue 22): the real season analysis (ffmpeg's
 * chromaprint muxer) on a generated season, run by the queue's season job after each
 * episode's own (fake) analysis, and answered by GET /v1/titles/:id/credits and its exports.
 * Skipped with the reason where ffmpeg has no chromaprint muxer.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../../server/http/start.js';
import type { FfmpegBinaries } from '../../../server/media/ffmpeg.js';
import { chromaprintFfmpeg } from '../../fixtures/chromaprint-ffmpeg.js';
import { type GeneratedEpisode, generateEpisode } from '../fingerprint/generated-season.js';
import { fakeDetector, type TempMedia, tempMedia } from './fakes.js';

const installed = chromaprintFfmpeg("the server's season test");
const available = installed !== undefined;

const KEY = 'intro-key';
const plans: Record<string, GeneratedEpisode> = {
  e1: { seed: 1, introAt: 0, themeSeconds: 20, seconds: 70 },
  e2: { seed: 2, introAt: 12, themeSeconds: 20, seconds: 70, bitrate: '96k' },
  e3: { seed: 3, introAt: 25.5, themeSeconds: 20, seconds: 75, bitrate: '64k' },
};

describe.skipIf(!available)("a season's intro through the API", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'endcue-intro-'));
  let media: TempMedia;
  let server: RunningServer;

  beforeAll(async () => {
    for (const [id, plan] of Object.entries(plans)) {
      generateEpisode((installed as FfmpegBinaries).ffmpeg, path.join(scratch, `${id}.mkv`), plan);
    }
    media = tempMedia();
    for (const id of ['e1', 'e2']) {
      copyFileSync(path.join(scratch, `${id}.mkv`), path.join(media.root, `${id}.mkv`));
    }
    server = await startServer({
      port: 0,
      dataDir: media.dataDir,
      mediaRoots: [media.root],
      logger: false,
      adminKey: KEY,
      fingerprintTtlMs: 0,
      detector: fakeDetector({ creditsStart: 60, duration: 70 }),
      // 70 s episodes: the default 25% window (17.5 s) would not hold a 20 s theme.
      seasonWindows: { openingShare: 0.8 },
      titles: [
        { id: 'e1', src: 'e1.mkv', series: 'show', season: 1, episode: 1 },
        { id: 'e2', src: 'e2.mkv', series: 'show', season: 1, episode: 2 },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    media?.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  const get = (url: string, init?: RequestInit) => server.app.request(url, init);
  const admin = (method: string, body: unknown): RequestInit => ({
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  async function settled(id: string) {
    for (let i = 0; i < 600; i++) {
      const response = await get(`/v1/titles/${id}/credits`);
      if (response.status === 200) {
        await server.queue.idle(20);
        return (await (await get(`/v1/titles/${id}/credits`)).json()) as Record<string, unknown>;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${id} never answered`);
  }
  /** `within`: 1 s; a season of two has only one pair, whose run may end ~1.2 s late. */
  const expectIntro = (answer: Record<string, unknown>, plan: GeneratedEpisode, within = 1) => {
    const intro = answer.intro as { start: number; end: number; confidence: number };
    expect(Math.abs(intro.start - plan.introAt)).toBeLessThan(within);
    expect(Math.abs(intro.end - (plan.introAt + plan.themeSeconds))).toBeLessThan(within);
    expect(answer.introReason).toBeNull();
    expect((answer.segments as Array<{ kind: string }>)[0]).toEqual({
      kind: 'intro',
      start: intro.start,
      end: intro.end,
    });
    return intro;
  };

  it('answers each episode its intro once the season job has run (two episodes: within 1.5 s)', async () => {
    await settled('e2');
    const e1 = await settled('e1');
    expectIntro(e1, plans.e1 as GeneratedEpisode, 1.5);
    const e2 = await settled('e2');
    expect(expectIntro(e2, plans.e2 as GeneratedEpisode, 1.5).confidence).toBe(1);
    expect(e1).toMatchObject({ creditsStart: 60, source: 'detected' });
  }, 180_000);

  it('puts it in the WebVTT chapters and the EDL, and keeps it under an override', async () => {
    const vtt = await (await get('/v1/titles/e2/credits.vtt')).text();
    expect(vtt).toMatch(/\nProgramme\n\n2\n00:00:1\d\.\d{3} --> 00:00:3\d\.\d{3}\nIntro\n/);
    const edl = await (await get('/v1/titles/e2/credits.edl')).text();
    expect(edl.trim().split('\n')).toHaveLength(2); // the intro, then the credits
    const put = await get(
      '/v1/titles/e2/credits',
      admin('PUT', { creditsStart: 58, creditsEnd: null, note: 'by hand' }),
    );
    expect(put.status).toBeLessThan(300);
    const answer = (await (await get('/v1/titles/e2/credits')).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ source: 'manual', creditsStart: 58 });
    expectIntro(answer, plans.e2 as GeneratedEpisode, 1.5);
  }, 60_000);

  it("a new episode makes the season 'pending', then all three within 1 s, fingerprints kept in the store", async () => {
    copyFileSync(path.join(scratch, 'e3.mkv'), path.join(media.root, 'e3.mkv'));
    const added = await get(
      '/v1/titles/e3',
      admin('PUT', { src: 'e3.mkv', series: 'show', season: 1, episode: 3 }),
    );
    expect(added.status).toBe(201);
    const pending = await get('/v1/titles/e1/credits');
    // A browser must not keep serving "pending" to a player polling for the intro.
    expect(pending.headers.get('cache-control')).toBe('no-cache');
    const before = (await pending.json()) as Record<string, unknown>;
    expect(before).toMatchObject({ intro: null, introReason: 'pending' });
    const e3 = await settled('e3');
    expectIntro(e3, plans.e3 as GeneratedEpisode);
    expectIntro(await settled('e1'), plans.e1 as GeneratedEpisode);
    const done = await get('/v1/titles/e1/credits');
    expect(done.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    // One stored fingerprint row per episode (analyzeSeason's own test shows none is decoded twice).
    const rows = (
      server.store as unknown as { db: { prepare(sql: string): { get(): unknown } } }
    ).db
      .prepare('SELECT COUNT(*) AS n FROM audio_fingerprints')
      .get();
    expect(rows).toEqual({ n: 3 });
  }, 180_000);
});
