/**
 * The evaluation set: generated titles with exact ground truth (fixture generator), story-only
 * cuts of them (no credits), generated text screens (text-heavy titles without credits, and
 * stories full of text before credits: tests/fixtures/text-screens.ts), the real labelled
 * clips in ../shared/data (when present), and "story then real credits" joins of a real
 * negative clip and a real credits-only clip.
 * Everything derived is cached under .cache/eval/.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeFrameSize } from '../model/train/ffmpeg-frames.js';
import { resolveFfmpeg } from '../server/media/ffmpeg.js';
import type { CreditsStyle } from '../tests/fixtures/credits.js';
import { type FixtureOptions, generateFixture } from '../tests/fixtures/generate.js';
import { MODEL_TEST_TITLES } from '../tests/fixtures/model-titles.js';
import {
  generateTextScreen,
  TEXT_SCREEN_SET,
  textScreenName,
} from '../tests/fixtures/text-screens.js';
import { partOf, SPLIT, type SplitPart } from './eval-split.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const EVAL_CACHE = path.join(ROOT, '.cache', 'eval');
export const SHARED_DATA = path.resolve(ROOT, '..', 'shared', 'data');

export type TitleKind =
  | 'generated'
  | 'generated-negative'
  | 'real'
  | 'real-join'
  | 'real-join-extra';

export interface EvalTitle {
  name: string;
  path: string;
  kind: TitleKind;
  /** Truth: seconds, or null for "no closing credits". */
  creditsStart: number | null;
  creditsEnd: number | null;
  duration: number;
  /** A second start a careful labeller could choose (the data set's credits_start_alt_s). */
  creditsStartAlt?: number;
  /** Real titles: which side of the fixed split (bench/eval-split.json) they are on. */
  part?: SplitPart;
  /** Labelled ambiguous by the data set: reported, not counted. */
  ambiguous?: boolean;
  /** Generated titles of a set reported on a summary row of its own. */
  set?: 'text-screens' | 'test-fixtures';
  note?: string;
}

/** 21 generated titles: every credits style at several lengths, sizes and options. */
export async function generatedTitles(
  log: (line: string) => void = () => undefined,
): Promise<EvalTitle[]> {
  const styles: CreditsStyle[] = ['roll', 'cards', 'over-picture'];
  const durations = [40, 60, 90, 120, 180, 240, 360];
  const titles: EvalTitle[] = [];
  let seed = 100;
  for (const duration of durations) {
    for (const style of styles) {
      seed++;
      const large = seed % 4 === 0;
      const spec = {
        duration,
        style,
        seed,
        width: large ? 640 : 320,
        height: large ? 360 : 180,
        postCredits: seed % 3 === 0 ? Math.round(duration * 0.08) : 0,
        fadeOut: seed % 5 !== 0,
        titleCard: seed % 2 === 0,
        creditsDuration: Math.max(6, Math.round(duration * (0.1 + (seed % 4) * 0.04))),
      };
      log(`generating ${style} ${duration}s (seed ${seed})`);
      const f = await generateFixture(spec);
      titles.push({
        name: `gen-${style}-${duration}s-s${seed}`,
        path: f.path,
        kind: 'generated',
        creditsStart: f.creditsStart,
        creditsEnd: f.creditsEnd,
        duration: f.duration,
        note: `${spec.width}x${spec.height}${spec.postCredits ? `, post-credits ${spec.postCredits}s` : ''}${spec.fadeOut ? '' : ', hard cut'}`,
      });
    }
  }
  return titles;
}

/**
 * The titles the test suite runs the shipped model on (tests/fixtures/model-titles.ts): a
 * model that misses one fails `npm test` on a clean clone, so the eval judges a candidate
 * model on them before CI does. Session 16's retrained model scored 21/21 on the generated
 * set above and still missed the 40 s cards title with 6 s of picture after it.
 */
export async function testFixtureTitles(
  log: (line: string) => void = () => undefined,
): Promise<EvalTitle[]> {
  const titles: EvalTitle[] = [];
  for (const spec of Object.values(MODEL_TEST_TITLES) as FixtureOptions[]) {
    const name = `fixture-${spec.style}-${spec.duration}s-s${spec.seed}${
      spec.postCredits ? `-post${spec.postCredits}` : ''
    }${spec.titleCard === false ? '-notitle' : ''}`;
    log(`generating test fixture ${name}`);
    const f = await generateFixture(spec);
    titles.push({
      name,
      path: f.path,
      kind: 'generated',
      creditsStart: f.creditsStart,
      creditsEnd: f.creditsEnd,
      duration: f.duration,
      set: 'test-fixtures',
      note: `${f.width}x${f.height}, as in tests/`,
    });
  }
  return titles;
}

/**
 * 37 generated text screens (tests/fixtures/text-screens.ts): lyric captions, post slideshows,
 * epilogue prose, kinetic type, news tickers, game dialogue boxes, multi-script subtitles
 * (Japanese, Cyrillic, Chinese), an
 * end title card, a game's title menu, a short's logo end card and a web page scrolling with
 * no credits (truth: none), and a captioned vlog, subtitled cutscenes, an end title card, a
 * visual novel's roll between art panels and a game's role cards between sprites before
 * credits in Latin, Cyrillic, Japanese, Korean and Chinese (truth: the first credits frame).
 */
export async function textScreenTitles(
  log: (line: string) => void = () => undefined,
): Promise<EvalTitle[]> {
  const titles: EvalTitle[] = [];
  for (const spec of TEXT_SCREEN_SET) {
    log(`generating text screen ${spec.kind} (seed ${spec.seed})`);
    const t = await generateTextScreen(spec);
    titles.push({
      name: textScreenName(t.spec),
      path: t.path,
      kind: t.negative ? 'generated-negative' : 'generated',
      creditsStart: t.creditsStart,
      creditsEnd: t.creditsEnd,
      duration: t.duration,
      set: 'text-screens',
      note: t.note,
    });
  }
  return titles;
}

/** Story-only titles: generated titles cut just before their credits (stream copy). */
export function storyOnlyCuts(titles: EvalTitle[], count = 5): EvalTitle[] {
  const dir = path.join(EVAL_CACHE, 'story-only');
  mkdirSync(dir, { recursive: true });
  const picked = titles.filter((t) => t.kind === 'generated').filter((_, i) => i % 4 === 1);
  return picked.slice(0, count).map((t) => {
    const out = path.join(dir, `${t.name}-story.mp4`);
    // Cut 1.5 s before the credits (the fade to black stays out, too).
    const cutAt = Math.max(2, (t.creditsStart ?? t.duration) - 1.5);
    if (!existsSync(out)) {
      ffmpeg(['-i', t.path, '-t', cutAt.toFixed(3), '-c', 'copy', '-movflags', '+faststart'], out);
    }
    return {
      name: `${t.name}-story-only`,
      path: out,
      kind: 'generated-negative' as const,
      creditsStart: null,
      creditsEnd: null,
      duration: probeDuration(out),
      note: 'story cut before the credits',
    };
  });
}

interface Label {
  file: string;
  duration_s: number;
  credits_start_s: number | null;
  credits_start_alt_s?: number | null;
  credits_end_s: number | null;
  notes?: string;
}

/** Clips the data set calls ambiguous end cards ("don't tune to them"). */
const AMBIGUOUS = new Set([
  'touhou_pelolep_ending.mp4',
  'storybot_credits.mp4',
  'marshmallow_credits.mp4',
]);

/** The labelled real clips, when ../shared/data is there. */
export function realTitles(): EvalTitle[] {
  const titles: EvalTitle[] = [];
  const folders = existsSync(SHARED_DATA)
    ? readdirSync(SHARED_DATA)
        .filter((f) => f.startsWith('clips'))
        .sort()
    : [];
  for (const folder of folders) {
    const labelsFile = path.join(SHARED_DATA, folder, 'labels.json');
    if (!existsSync(labelsFile)) continue;
    const labels = JSON.parse(readFileSync(labelsFile, 'utf8')) as Label[];
    for (const label of labels) {
      const file = path.join(SHARED_DATA, folder, label.file);
      if (!existsSync(file)) continue;
      titles.push({
        name: label.file,
        path: file,
        kind: 'real',
        creditsStart: label.credits_start_s,
        creditsEnd: label.credits_end_s,
        duration: label.duration_s,
        part: partOf(folder, label.file),
        ...(typeof label.credits_start_alt_s === 'number'
          ? { creditsStartAlt: label.credits_start_alt_s }
          : {}),
        ...(AMBIGUOUS.has(label.file) ? { ambiguous: true } : {}),
      });
    }
  }
  return titles;
}

/**
 * Story (a real negative clip) then real credits (a credits-only clip): real endings. The
 * fixed joins of each part (bench/eval-split.json) are counted with that part.
 */
export function joinedTitles(real: EvalTitle[]): EvalTitle[] {
  const byPath = new Map(real.map((t) => [t.path, t]));
  // A fixed join counts with the part that lists it.
  const pairs = (['tuning', 'held-out'] as const).flatMap((part) =>
    SPLIT[part].joins.map(
      ([story, credits]) =>
        [
          byPath.get(path.join(SHARED_DATA, story)),
          byPath.get(path.join(SHARED_DATA, credits)),
          part,
        ] as const,
    ),
  );
  return joinTitles(pairs, 'real-join');
}

/**
 * Every clip without credits followed by every clip with credits of the same part (ambiguous
 * end cards left out, no join across parts), the fixed joins excluded: a wider check that
 * the fixed joins are not special. Reported on rows of their own (`npm run eval -- --all-joins`).
 */
export function allJoinedTitles(real: EvalTitle[]): EvalTitle[] {
  const fixed = new Set(
    [...SPLIT.tuning.joins, ...SPLIT['held-out'].joins].map(
      ([a, b]) => `${path.join(SHARED_DATA, a)}|${path.join(SHARED_DATA, b)}`,
    ),
  );
  const stories = real.filter((t) => t.creditsStart === null && !t.ambiguous);
  const credits = real.filter((t) => t.creditsStart !== null && !t.ambiguous);
  const pairs = stories.flatMap((s) =>
    credits
      .filter((c) => c.part === s.part && !fixed.has(`${s.path}|${c.path}`))
      .map((c) => [s, c, c.part] as const),
  );
  return joinTitles(pairs, 'real-join-extra');
}

function joinTitles(
  pairs: ReadonlyArray<readonly [EvalTitle | undefined, EvalTitle | undefined, SplitPart?]>,
  kind: 'real-join' | 'real-join-extra',
): EvalTitle[] {
  const dir = path.join(EVAL_CACHE, 'joins');
  mkdirSync(dir, { recursive: true });
  const titles: EvalTitle[] = [];
  for (const [story, credits, part] of pairs) {
    if (!story || !credits || credits.creditsStart === null) continue;
    // Both parts at the credits clip's own size: the credits are what is measured, and a
    // real title does not shrink its credits (at 640x360, small credits text was unreadable).
    const size = evenSize(credits.path);
    const a = normalised(story.path, dir, size);
    const b = normalised(credits.path, dir, size);
    const name = `${path.parse(story.name).name}+${path.parse(credits.name).name}`;
    const out = path.join(dir, `${name}.${size.width}x${size.height}.mp4`);
    if (!existsSync(out)) {
      const list = path.join(dir, `${name}.${size.width}x${size.height}.txt`);
      const listText = `file '${a}'\nfile '${b}'\n`;
      writeFileSync(list, listText);
      ffmpeg(
        ['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart'],
        out,
      );
    }
    const offset = probeDuration(a);
    titles.push({
      name,
      path: out,
      kind,
      creditsStart: round3(offset + credits.creditsStart),
      creditsEnd: credits.creditsEnd === null ? null : round3(offset + credits.creditsEnd),
      ...(credits.creditsStartAlt !== undefined
        ? { creditsStartAlt: round3(offset + credits.creditsStartAlt) }
        : {}),
      ...(part ? { part } : {}),
      duration: probeDuration(out),
      note: `${story.name} then ${credits.name}`,
    });
  }
  return titles;
}

/** Same size, rate and codec for every part, so parts join by stream copy. */
function normalised(file: string, dir: string, size: { width: number; height: number }): string {
  const { width: w, height: h } = size;
  const out = path.join(dir, `${path.parse(file).name}.${w}x${h}.norm.mp4`);
  if (!existsSync(out)) {
    ffmpeg(
      [
        '-i',
        file,
        '-vf',
        `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=24`,
        '-an',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        '20',
        '-g',
        '48',
        '-pix_fmt',
        'yuv420p',
      ],
      out,
    );
  }
  return out;
}

function ffmpeg(args: string[], out: string): void {
  const temp = `${out}.tmp${path.extname(out)}`;
  const run = spawnSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', ...args, temp], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`ffmpeg failed making ${out}: ${run.stderr}`);
  renameSync(temp, out);
}

/** A video's frame size rounded down to even numbers (what yuv420p needs). */
function evenSize(file: string): { width: number; height: number } {
  const size = probeFrameSize(file);
  if (!size) throw new Error(`cannot read the frame size of ${file}`);
  return { width: size.width - (size.width % 2), height: size.height - (size.height % 2) };
}

export function probeDuration(file: string): number {
  const run = spawnSync(
    resolveFfmpeg().ffprobe,
    ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file],
    { encoding: 'utf8' },
  );
  const d = Number(run.stdout.trim());
  if (!Number.isFinite(d) || d <= 0) throw new Error(`cannot read the duration of ${file}`);
  return round3(d);
}

export function fileSize(file: string): number {
  return statSync(file).size;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
