/**
 * The detector's pipeline (probe, coarse pass, fine pass, decision) on generated videos,
 * with a stand-in classifier so these tests check the sampling and the decision, not the
 * model: "credits" = a mostly black frame with some bright pixels (the generator's credits
 * are light text on black; its story is colourful).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FrameClassifier } from '../../../server/detector/classify.js';
import {
  createDetector,
  runDetection as runDetectionAlone,
} from '../../../server/detector/detect.js';
import { coarseGap } from '../../../server/detector/sampler.js';
import { createTextReader, type TextReader } from '../../../server/detector/text-reader.js';
import type { DetectProgress } from '../../../server/detector/types.js';
import { isEndcueError } from '../../../server/errors.js';
import { startEgressProxy } from '../../../server/media/egress-proxy.js';
import { fontFile } from '../../fixtures/fonts.js';
import { generateFixture } from '../../fixtures/generate.js';
import { makeHls } from '../../fixtures/hls.js';
import { binaries, runFfmpeg } from '../../fixtures/run.js';
import { serveDir } from '../../reliability/http-fixtures.js';

const SIZE = 64;

// One OCR reader for the file, as a Detector keeps one for all its titles: starting the OCR
// engines for every test cost more than most tests' own work. A test that brings its own
// reader (or none) still gets it.
let sharedReader: Promise<TextReader> | undefined;
const textReader = () => (sharedReader ??= createTextReader({ workers: 2 }));
afterAll(async () => {
  await (await sharedReader)?.dispose();
});

const runDetection: typeof runDetectionAlone = (source, options = {}) =>
  runDetectionAlone(source, { textReader, ...options });

function textOnBlack(frame: Uint8Array): number {
  let dark = 0;
  let bright = 0;
  for (let i = 0; i < frame.length; i += 3) {
    const y = ((frame[i] as number) + (frame[i + 1] as number) + (frame[i + 2] as number)) / 3;
    if (y < 24) dark++;
    if (y > 60) bright++;
  }
  return dark / (frame.length / 3) > 0.8 && bright > 0 ? 0.95 : 0.05;
}

function fakeClassifier(): FrameClassifier & { calls: number; frames: number } {
  return {
    inputSize: SIZE,
    modelVersion: 'fake-1',
    backend: 'fake',
    calls: 0,
    frames: 0,
    async classify(frames) {
      this.calls++;
      this.frames += frames.length;
      return Float32Array.from(frames, textOnBlack);
    },
    dispose() {},
  };
}

/** A stand-in that scores every frame as story: only the text can find credits. */
function storyOnlyClassifier(): FrameClassifier {
  return {
    ...fakeClassifier(),
    classify: async (frames) => new Float32Array(frames.length).fill(0.05),
  };
}

/** 48 s, keyframes every 2 s: story, 10 s of name cards, an 8 s post-credits scene. */
const CARDS_WITH_POST_CREDITS = {
  duration: 48,
  style: 'cards',
  postCredits: 8,
  creditsDuration: 10,
  seed: 5,
} as const;

describe('runDetection', { timeout: 120_000 }, () => {
  it('finds the credits of a short title sampled at a fixed rate', async () => {
    const fixture = await generateFixture({ duration: 30, style: 'cards', seed: 3 });
    const classifier = fakeClassifier();
    const { result, stats } = await runDetection(fixture.path, { classifier });
    expect(stats.coarseMode).toBe('rate');
    expect(result.creditsStart).not.toBeNull();
    expect(Math.abs((result.creditsStart as number) - fixture.creditsStart)).toBeLessThanOrEqual(
      0.5,
    );
    expect(result.frame).toBe(Math.round((result.creditsStart as number) * fixture.fps));
    expect(result.duration).toBeCloseTo(fixture.duration, 1);
    expect(result.fps).toBe(fixture.fps);
    expect(result.modelVersion).toBe('fake-1');
    expect(result.backend).toBe('fake');
    expect(result.file).toBe(fixture.path);
    expect(stats.framesClassified).toBe(classifier.frames);
  });

  it('reads a URL source only through the egress proxy it is given', async () => {
    const fixture = await generateFixture({ duration: 30, style: 'cards', seed: 3 });
    const hls = await serveDir(path.dirname(await makeHls(fixture.path, { segmentSec: 2 })));
    const checked: string[] = [];
    // media.test resolves nowhere: every read has to go through the proxy, which sends it
    // to the local server.
    const proxy = await startEgressProxy(
      { mediaRoots: [], allowedHosts: [], allowPrivateNetworks: true },
      {
        checkTarget: async (url) => {
          checked.push(new URL(url).pathname);
          return { address: '127.0.0.1' };
        },
      },
    );
    try {
      const source = `${hls.url.replace('127.0.0.1', 'media.test')}/index.m3u8`;
      const { result } = await runDetection(source, {
        classifier: fakeClassifier(),
        readText: false,
        httpProxy: proxy.url,
      });
      expect(Math.abs((result.creditsStart as number) - fixture.creditsStart)).toBeLessThanOrEqual(
        0.5,
      );
      expect(checked.filter((p) => p === '/index.m3u8').length).toBeGreaterThanOrEqual(2);
      expect(checked.some((p) => p.endsWith('.ts'))).toBe(true);
    } finally {
      await proxy.close();
      await hls.close();
    }
  });

  it('samples keyframes, then refines the start to 0.5 s with a fine pass', async () => {
    const fixture = await generateFixture(CARDS_WITH_POST_CREDITS);
    const classifier = fakeClassifier();
    // A tiny "short title" limit forces the keyframe path on this small fixture.
    const { result, stats, decision } = await runDetection(fixture.path, {
      classifier,
      shortTail: 5,
      tail: { fraction: 1 },
    });
    expect(stats.coarseMode).toBe('keyframes');
    expect(stats.fineFrames).toBeGreaterThan(0);
    // Keyframes every 2 s: the coarse pass decodes far fewer frames than the title has.
    expect(stats.framesDecoded).toBeLessThan(fixture.frameCount / 10);
    expect(Math.abs((result.creditsStart as number) - fixture.creditsStart)).toBeLessThanOrEqual(
      0.5,
    );
    const bracket = decision.startBracket;
    expect(bracket).not.toBeNull();
    expect((bracket?.after as number) - (bracket?.before as number)).toBeLessThanOrEqual(0.5);
    const post = result.segments.find((s) => s.kind === 'post-credits');
    expect(post).toBeDefined();
    expect(
      Math.abs((post?.start as number) - (fixture.postCreditsStart as number)),
    ).toBeLessThanOrEqual(2.5);
  });

  it('spaces classified keyframes densely on short tails and sparsely on long ones', () => {
    expect(coarseGap(240, 240)).toBe(1);
    expect(coarseGap(360, 240)).toBe(1.5);
    expect(coarseGap(900, 240)).toBe(7.5);
    expect(coarseGap(1800, 240)).toBe(7.5);
    expect(coarseGap(3600, 240)).toBe(15);
    const middle = coarseGap(630, 240);
    expect(middle).toBeGreaterThan(1.5);
    expect(middle).toBeLessThan(7.5);
    expect(coarseGap(100, 240, { coarseSpacing: 6, denseTail: 5, sparseTail: 10 })).toBe(6);
  });

  it('classifies one keyframe per coarseSpacing and refines from the keyframes it decoded', async () => {
    const fixture = await generateFixture(CARDS_WITH_POST_CREDITS);
    const { result, stats, samples } = await runDetection(fixture.path, {
      classifier: fakeClassifier(),
      shortTail: 5,
      tail: { fraction: 1 },
      coarseSpacing: 6,
      denseTail: 5,
      sparseTail: 10,
    });
    expect(stats.coarseMode).toBe('keyframes');
    // Keyframes every 2 s, one classified per 6 s.
    expect(stats.coarseFrames).toBeLessThanOrEqual(9);
    expect(stats.framesDecoded).toBeGreaterThanOrEqual(22);
    // Keyframes the coarse pass skipped were scored later (fine seeks land between them).
    const onKeyframes = samples.filter((x) => Math.abs(x.t / 2 - Math.round(x.t / 2)) < 1e-3);
    expect(onKeyframes.length).toBeGreaterThan(stats.coarseFrames);
    expect(Math.abs((result.creditsStart as number) - fixture.creditsStart)).toBeLessThanOrEqual(
      0.5,
    );
    expect(stats.timings.total).toBeGreaterThanOrEqual(stats.timings.coarse + stats.timings.fine);
    expect(stats.timings.load).toBe(0); // the classifier was given, not loaded
  });

  it('analyses only the tail, and extends it backwards when the credits start before it', async () => {
    const fixture = await generateFixture({
      duration: 40,
      style: 'cards',
      creditsDuration: 14,
      seed: 8,
    });
    const { result, stats } = await runDetection(fixture.path, {
      classifier: fakeClassifier(),
      tail: { seconds: 6 },
    });
    expect(stats.analysedFrom).toBeLessThan(fixture.creditsStart);
    expect(Math.abs((result.creditsStart as number) - fixture.creditsStart)).toBeLessThanOrEqual(
      0.5,
    );
  });

  it('never places the start before notBefore, nor extends the tail or reads text there', async () => {
    const fixture = await generateFixture({
      duration: 40,
      style: 'cards',
      creditsDuration: 14,
      seed: 8,
    });
    // The bound lies inside the roll (as the shared end music's start can): the start moves to it.
    const notBefore = fixture.creditsStart + 3;
    const { result, stats } = await runDetection(fixture.path, {
      classifier: fakeClassifier(),
      tail: { seconds: 6 },
      notBefore,
    });
    expect(stats.analysedFrom).toBeGreaterThanOrEqual(notBefore);
    expect(result.creditsStart as number).toBeGreaterThanOrEqual(notBefore);
    expect(result.creditsStart as number).toBeLessThanOrEqual(notBefore + 0.5);
    expect(stats.textReads.length).toBeGreaterThan(0);
    for (const read of stats.textReads) expect(read.t).toBeGreaterThanOrEqual(notBefore);
    // A bound before the roll changes nothing.
    const early = await runDetection(fixture.path, {
      classifier: fakeClassifier(),
      readText: false,
      notBefore: fixture.creditsStart - 5,
    });
    expect(
      Math.abs((early.result.creditsStart as number) - fixture.creditsStart),
    ).toBeLessThanOrEqual(0.5);
  });

  it('reports progress that only grows and ends at 1', async () => {
    const fixture = await generateFixture({ duration: 30, style: 'cards', seed: 3 });
    const seen: DetectProgress[] = [];
    await runDetection(fixture.path, {
      classifier: fakeClassifier(),
      onProgress: (p) => seen.push(p),
    });
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]?.fraction as number).toBeGreaterThanOrEqual(seen[i - 1]?.fraction as number);
    }
    expect(seen.at(-1)).toEqual({ phase: 'done', fraction: 1 });
    expect(seen.some((p) => p.phase === 'coarse')).toBe(true);
  });

  it('stops with the abort reason when aborted', async () => {
    const fixture = await generateFixture({ duration: 30, style: 'cards', seed: 3 });
    const controller = new AbortController();
    const reason = new Error('job cancelled');
    const classifier = fakeClassifier();
    const original = classifier.classify.bind(classifier);
    classifier.classify = async (frames) => {
      controller.abort(reason);
      return original(frames);
    };
    await expect(
      runDetection(fixture.path, { classifier, signal: controller.signal }),
    ).rejects.toBe(reason);
  });

  it('rejects bad input with an EndcueError before loading any model', async () => {
    const error = await runDetection('/nonexistent/movie.mp4', {
      classifier: fakeClassifier(),
    }).catch((e) => e);
    expect(isEndcueError(error)).toBe(true);
    expect(error.code).toBe('not-found');
  });
});

/** A line of a card: its text, and when it shows (seconds into the card; it fades out over its last second). */
interface CardLine {
  text: string;
  from: number;
  to: number;
}

/**
 * 8 s of colourful story, then `seconds` of white-on-black text: `lines` (one card, or lines
 * each shown from..to).
 */
async function storyThenCard(lines: (string | CardLine)[], seconds = 6): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'endcue-card-'));
  const out = path.join(dir, 'title.mp4');
  const font = fontFile('dejavu-sans', 700);
  const text = lines
    .map((line, i) => {
      const draw = `drawtext=fontfile=${font}:fontcolor=white:fontsize=40:x=(w-text_w)/2:y=120+${i * 60}`;
      if (typeof line === 'string') return `${draw}:text='${line}'`;
      const { from, to } = line;
      const alpha = `if(lt(t\\,${to - 1})\\,1\\,max(0\\,${to}-t))`;
      return `${draw}:text='${line.text}':enable='between(t,${from},${to})':alpha='${alpha}'`;
    })
    .join(',');
  await runFfmpeg(binaries(), [
    ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=8'],
    ...['-f', 'lavfi', '-i', `color=black:size=640x360:rate=25:duration=${seconds}`],
    ...['-filter_complex', `[1:v]${text}[card];[0:v][card]concat=n=2:v=1[v]`],
    ...['-map', '[v]', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '25', out],
  ]);
  return out;
}

describe('runDetection reading text', { timeout: 120_000 }, () => {
  it('overrules credit-like frames whose text reads as a trailer card', async () => {
    const title = await storyThenCard(['COMING SOON']);
    const unread = await runDetection(title, { classifier: fakeClassifier(), readText: false });
    expect(unread.result.creditsStart).toBeCloseTo(8, 0);
    expect(unread.stats.textReads).toEqual([]);

    const { result, stats } = await runDetection(title, { classifier: fakeClassifier() });
    expect(result.creditsStart).toBeNull();
    expect(stats.textReads.length).toBeGreaterThan(0);
    const onCard = stats.textReads.filter((r) => r.t >= 8);
    expect(onCard.length).toBeGreaterThan(0);
    expect(onCard.every((r) => r.cue === -1)).toBe(true);
  });

  it('falls back to the frame scores when OCR fails', async () => {
    const title = await storyThenCard(['COMING SOON']);
    let disposed = false;
    const broken = {
      concurrency: 1,
      read: () => Promise.reject(new Error('OCR thread exited (code 1)')),
      dispose: async () => {
        disposed = true;
      },
    };
    const { result, stats } = await runDetection(title, {
      classifier: fakeClassifier(),
      textReader: broken,
    });
    expect(result.creditsStart).toBeCloseTo(8, 0);
    expect(stats.textUnavailable).toMatch(/OCR thread exited/);
    expect(disposed).toBe(false); // a reader that was given is the caller's to dispose
  });

  it("starts the credits after the story's fading title card, not on it", async () => {
    // A one-word title card (8-12 s, fading out over its last second), black, then the
    // billing block from 13.5 s: the frame scores see credits from 8 s.
    const title = await storyThenCard(
      [
        { text: 'HARBOUR', from: 0, to: 4 },
        { text: 'Directed by', from: 5.5, to: 12 },
        { text: 'Jane Doe', from: 5.5, to: 12 },
      ],
      12,
    );
    const { result, stats } = await runDetection(title, { classifier: fakeClassifier() });
    expect(stats.textReads.some((r) => r.t < 12 && r.terms?.join(' ') === 'harbour')).toBe(true);
    expect(result.creditsStart).not.toBeNull();
    expect(Math.abs((result.creditsStart as number) - 13.5)).toBeLessThanOrEqual(1);
  });

  it('reads the end of a title whose frame scores found no credits, and finds credits there by their text', async () => {
    const title = await storyThenCard(['Directed by', 'Jane Doe'], 10);
    const unread = await runDetection(title, {
      classifier: storyOnlyClassifier(),
      readText: false,
    });
    expect(unread.result.creditsStart).toBeNull();

    const { result, stats } = await runDetection(title, { classifier: storyOnlyClassifier() });
    expect(stats.textReads.some((r) => r.t >= 8 && r.cue === 1)).toBe(true);
    expect(result.creditsStart).not.toBeNull();
    expect(Math.abs((result.creditsStart as number) - 8)).toBeLessThanOrEqual(1);
  });

  it('keeps "no credits" when the end of such a title reads as something else', async () => {
    const title = await storyThenCard(['She closed the door', 'and walked into the rain'], 10);
    const { result, stats } = await runDetection(title, { classifier: storyOnlyClassifier() });
    expect(stats.textReads.some((r) => r.t >= 8)).toBe(true); // the end was read
    expect(result.creditsStart).toBeNull();
  });

  it('keeps credits whose text reads as credits', async () => {
    const title = await storyThenCard(['Directed by', 'Jane Doe']);
    const { result, stats } = await runDetection(title, { classifier: fakeClassifier() });
    expect(result.creditsStart).toBeCloseTo(8, 0);
    expect(stats.textReads.some((r) => r.cue === 1)).toBe(true);
    expect(stats.timings.text).toBeGreaterThan(0);
  });
});

/** The fixture with chapters added (stream copy): [start, end, title] each, seconds. */
async function withChapters(video: string, chapters: [number, number, string][]): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'endcue-chapters-'));
  const meta = path.join(dir, 'chapters.txt');
  const lines = [';FFMETADATA1'];
  for (const [start, end, title] of chapters) {
    lines.push('[CHAPTER]', 'TIMEBASE=1/1000', `START=${start * 1000}`, `END=${end * 1000}`);
    lines.push(`title=${title}`);
  }
  writeFileSync(meta, `${lines.join('\n')}\n`);
  const out = path.join(dir, 'title.mp4');
  await runFfmpeg(
    binaries(),
    ['-i', video, '-i', meta, '-map', '0', '-map_chapters', '1'].concat(['-c', 'copy', out]),
  );
  return out;
}

describe('runDetection with chapter marks', { timeout: 120_000 }, () => {
  it('moves the start to a credits chapter the frames confirm', async () => {
    const fixture = await generateFixture({ duration: 30, style: 'cards', seed: 3 });
    // A mark 1 s into the credits: exact, where frame sampling is only within 0.5 s.
    const mark = fixture.creditsStart + 1;
    const title = await withChapters(fixture.path, [
      [0, mark, 'Story'],
      [mark, fixture.duration, 'End Credits'],
    ]);
    const { result, stats } = await runDetection(title, { classifier: fakeClassifier() });
    expect(result.creditsStart).toBeCloseTo(mark, 2);
    expect(result.confidence).toBeGreaterThanOrEqual(0.95);
    expect(stats.creditsChapter?.title).toBe('End Credits');
    expect(result.creditsSource).toBe('chapter');
  });

  it('ignores a credits chapter whose frames are story', async () => {
    const fixture = await generateFixture({ duration: 30, style: 'cards', seed: 3 });
    const mark = fixture.creditsStart - 6;
    const title = await withChapters(fixture.path, [
      [0, mark, 'Story'],
      [mark, fixture.duration, 'Credits'],
    ]);
    const { result, stats } = await runDetection(title, { classifier: fakeClassifier() });
    expect(Math.abs((result.creditsStart as number) - fixture.creditsStart)).toBeLessThanOrEqual(
      0.5,
    );
    expect(stats.creditsChapter).toBeNull();
    expect(result.creditsSource).toBe('frames');
  });
});

describe('createDetector', { timeout: 120_000 }, () => {
  it('is a Detector that reuses one classifier across titles', async () => {
    const fixture = await generateFixture({ duration: 30, style: 'cards', seed: 3 });
    const classifier = fakeClassifier();
    const detector = createDetector({ classifier });
    const [a, b] = await Promise.all([detector(fixture.path), detector(fixture.path)]);
    expect(a.creditsStart).toBe(b.creditsStart);
    expect(a.creditsStart).not.toBeNull();
    expect(classifier.calls).toBeGreaterThan(1);
    detector.dispose();
  });
});
