/**
 * Builds the labelled frame sets (rgb24, inputSize^2 x 3) from the shared data + synthetic
 * frames, each cached under .cache/ so a rerun (or a resumed run) skips finished parts.
 *
 * Splits (fixed, by name, never by chance at run time):
 * - stills: every 5th by name hash is TEST (held out), the rest train;
 * - clips: only the tuning part of the eval split (bench/eval-split.json) is ever trained on;
 *   the held-out part (clips-set3, and any folder added later) never is. By default
 *   TEST_CLIPS are left out too (eval:frames reports on them), and so are clips moved to the
 *   tuning part by name after the shipped model was trained (see trainingClips).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { partOf, SPLIT } from '../../bench/eval-split.js';
import { ffmpegScaleFilter, frameBytes } from '../../server/detector/preprocess.js';
import { ffmpegRawFrames, mapLimit, probeFrameSize, RAW_OUT } from './ffmpeg-frames.js';
import { between, createRng, hashString, type Rng } from './rng.js';
import {
  EXTRA_MAKERS,
  type Label,
  MAKERS,
  OVER_PICTURE_MAKERS,
  type SynthSpec,
  synthSpecs,
} from './synth.js';
import { onWordCard } from './word-cards.js';

export type { Label };
export const CLASSES: Label[] = ['other', 'credits', 'blank'];

export interface FrameItem {
  id: string;
  /** What it came from, for grouping (clip file, 'stills', 'synth'). */
  group: string;
  kind: string;
  label: Label;
  /** Seconds into the clip, for clip frames. */
  time?: number;
  rgb: Uint8Array;
}

/** Real clips held out from training and model selection; `eval:frames` reports on them. */
export const TEST_CLIPS = new Set([
  // data/clips (Blender, all four)
  'sintel_trailer_204p.mp4',
  'bbb_first_minute.mp4',
  'bbb_trailer_480p.mkv',
  'sintel_trailer_opening_720p.mp4',
  // data/clips-more: one of each kind the product meets
  'fairplay_credits.mp4',
  'truthstrail_credits.mp4',
  'treasurehunt_credits.mp4',
  'manim_credits.mp4',
  'trh_credits.mp4',
  'licencetokill_end.mp4',
  'ddp_trailer.mp4',
  'snow_ending.mp4',
]);

export interface ClipLabel {
  file: string;
  duration_s: number;
  credits_start_s: number | null;
  credits_end_s: number | null;
}

export interface ClipInfo extends ClipLabel {
  path: string;
  /** The shared data folder it is in (`clips`, `clips-more`, ...). */
  folder: string;
}

/** Every labelled clip under DATA/clips*. */
export function listClips(dataDir: string): ClipInfo[] {
  const out: ClipInfo[] = [];
  for (const dir of readdirSync(dataDir)
    .filter((d) => d.startsWith('clips'))
    .sort()) {
    const labels = path.join(dataDir, dir, 'labels.json');
    if (!existsSync(labels)) continue;
    for (const c of JSON.parse(readFileSync(labels, 'utf8')) as ClipLabel[]) {
      out.push({ ...c, path: path.join(dataDir, dir, c.file), folder: dir });
    }
  }
  return out;
}

/**
 * Which clips to train on. 'folders' (the shipped model's): the tuning folders less
 * TEST_CLIPS. 'tuning': every clip of the tuning part, TEST_CLIPS and clips moved from the
 * held-out folder included. Never a held-out clip: the eval's headline stays blind.
 */
export type ClipScope = 'folders' | 'tuning';

export function trainingClips(clips: readonly ClipInfo[], scope: ClipScope): ClipInfo[] {
  return clips.filter(
    (c) =>
      partOf(c.folder, c.file) === 'tuning' &&
      (scope === 'tuning' || (SPLIT.tuning.folders.includes(c.folder) && !TEST_CLIPS.has(c.file))),
  );
}

/** Ground truth for a frame at time t: null when within `margin` s of a boundary (skipped). */
export function clipLabelAt(clip: ClipLabel, t: number, margin = 0.5): 'credits' | 'other' | null {
  const { credits_start_s: s, credits_end_s: e } = clip;
  if (s === null || e === null) return 'other';
  if (Math.abs(t - s) < margin || Math.abs(t - e) < margin) return null;
  return t > s && t < e ? 'credits' : 'other';
}

/** Near-black or flat frames: neither credits nor story (fades, cuts to black). */
export function isBlankFrame(rgb: Uint8Array): boolean {
  let sum = 0;
  let sumSq = 0;
  let bright = 0;
  const n = rgb.length / 3;
  for (let i = 0; i < rgb.length; i += 3) {
    const y =
      0.299 * (rgb[i] as number) + 0.587 * (rgb[i + 1] as number) + 0.114 * (rgb[i + 2] as number);
    sum += y;
    sumSq += y * y;
    if (y > 70) bright++;
  }
  const mean = sum / n;
  const std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  return std < 3 || (mean < 14 && bright / n < 0.001);
}

/** Extracts frames of a clip at `fps` (times i/fps), scaled with the shared filter. */
export async function clipFrames(
  clipPath: string,
  inputSize: number,
  fps: number,
  offset = 0,
): Promise<{ time: number; rgb: Uint8Array }[]> {
  const frames = await ffmpegRawFrames(
    [
      '-ss',
      String(offset),
      '-i',
      clipPath,
      '-an',
      '-vf',
      `fps=${fps}:round=down,${ffmpegScaleFilter(inputSize)}`,
      ...RAW_OUT,
    ],
    inputSize,
  );
  return frames.map((rgb, i) => ({ time: offset + i / fps, rgb }));
}

interface CacheIndexEntry {
  id: string;
  group: string;
  kind: string;
  label: Label;
  time?: number;
}

/** Loads a cached item set or builds and saves it. */
export async function cachedItems(
  cacheDir: string,
  key: string,
  inputSize: number,
  build: () => Promise<FrameItem[]>,
): Promise<FrameItem[]> {
  const base = path.join(cacheDir, key);
  const bytes = frameBytes(inputSize);
  if (existsSync(`${base}.json`) && existsSync(`${base}.rgb`)) {
    const index = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as CacheIndexEntry[];
    const data = readFileSync(`${base}.rgb`);
    return index.map((e, i) => ({
      ...e,
      rgb: new Uint8Array(data.buffer, data.byteOffset + i * bytes, bytes),
    }));
  }
  const items = await build();
  mkdirSync(path.dirname(base), { recursive: true });
  writeFileSync(`${base}.rgb`, Buffer.concat(items.map((it) => it.rgb)));
  writeFileSync(`${base}.json`, JSON.stringify(items.map(({ rgb: _rgb, ...meta }) => meta)));
  return items;
}

function listImages(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
    .sort();
}

/** Held-out stills: every 5th by name hash. */
export function isTestStill(file: string): boolean {
  return hashString(file) % 5 === 0;
}

function stillChains(rng: Rng, file: string, w: number, h: number, augment: boolean): string[][] {
  const chains: string[][] = [[]];
  if (h / w > 1.6) {
    // Tall credit scrolls: windows of 16:9 down the page, like frames of a roll.
    const win = Math.round((w * 9) / 16);
    const steps = Math.min(8, Math.floor(h / win));
    for (let k = 0; k < steps; k++) {
      const y = Math.round(((h - win) * k) / Math.max(1, steps - 1));
      chains.push([`crop=${w}:${win}:0:${y}`]);
    }
  }
  if (augment) {
    const s = between(rng, 0.78, 0.95);
    const cw = Math.round(w * s);
    const ch = Math.round(h * s);
    chains.push([
      `crop=${cw}:${ch}:${Math.round(between(rng, 0, w - cw))}:${Math.round(between(rng, 0, h - ch))}`,
      `eq=brightness=${between(rng, -0.08, 0.08).toFixed(2)}:contrast=${between(rng, 0.85, 1.15).toFixed(2)}`,
    ]);
  }
  void file;
  return chains;
}

/** Stills of one split as frames (train split gets crop/brightness augmentation). */
export async function stillItems(
  dataDir: string,
  inputSize: number,
  split: 'train' | 'test',
  seed: number,
  onProgress?: () => void,
): Promise<FrameItem[]> {
  const rng = createRng(seed + (split === 'train' ? 11 : 13));
  const jobs: { file: string; label: Label; chain: string[]; id: string }[] = [];
  for (const [sub, label] of [
    ['credits', 'credits'],
    ['content', 'other'],
  ] as const) {
    const dir = path.join(dataDir, 'stills', sub);
    for (const f of listImages(dir)) {
      if (isTestStill(f) !== (split === 'test')) continue;
      const file = path.join(dir, f);
      const size = probeFrameSize(file);
      const [w, h] = [size?.width ?? 1, size?.height ?? 1];
      stillChains(rng, f, w, h, split === 'train').forEach((chain, k) => {
        jobs.push({ file, label, chain, id: `still-${sub}-${f}-${k}` });
      });
    }
  }
  const frames = await mapLimit(
    jobs,
    2,
    (j) =>
      ffmpegRawFrames(
        [
          '-i',
          j.file,
          '-frames:v',
          '1',
          '-vf',
          [...j.chain, ffmpegScaleFilter(inputSize)].join(','),
          ...RAW_OUT,
        ],
        inputSize,
      ),
    onProgress,
  );
  return jobs.map((j, i) => ({
    id: j.id,
    group: 'stills',
    kind: `still-${j.label}`,
    label: j.label,
    rgb: frames[i]?.[0] ?? new Uint8Array(frameBytes(inputSize)),
  }));
}

/** Training content stills (backgrounds for synthetic frames). */
export function trainPictures(dataDir: string): string[] {
  const dir = path.join(dataDir, 'stills', 'content');
  return listImages(dir)
    .filter((f) => !isTestStill(f))
    .map((f) => path.join(dir, f));
}

/**
 * The synthetic frame sets (see synth.ts), each with its own text folder and random stream so
 * adding a set leaves the others' frames (and caches) as they were.
 */
const SYNTH_SETS = {
  base: { makers: MAKERS, folder: 'synth-text', seedOffset: 17 },
  extra: { makers: EXTRA_MAKERS, folder: 'synth-extra-text', seedOffset: 23 },
  'over-picture': {
    makers: OVER_PICTURE_MAKERS,
    folder: 'synth-over-picture-text',
    seedOffset: 29,
  },
} as const;
export type SynthSet = keyof typeof SYNTH_SETS;

/** Synthetic frames (see synth.ts). */
export async function synthItems(
  dataDir: string,
  cacheDir: string,
  inputSize: number,
  count: number,
  seed: number,
  onProgress?: () => void,
  set: SynthSet = 'base',
): Promise<FrameItem[]> {
  const { makers, folder, seedOffset } = SYNTH_SETS[set];
  const specs: SynthSpec[] = synthSpecs(
    { workDir: path.join(cacheDir, folder), pictures: trainPictures(dataDir), inputSize },
    createRng(seed + seedOffset),
    count,
    makers,
  );
  const frames = await mapLimit(specs, 2, (s) => ffmpegRawFrames(s.args, inputSize), onProgress);
  return specs.map((s, i) => ({
    id: s.id,
    group: 'synth',
    kind: s.kind,
    label: s.label,
    rgb: frames[i]?.[0] ?? new Uint8Array(frameBytes(inputSize)),
  }));
}

/**
 * Labelled frames of real clips; near-black frames become 'blank'. With `skipWordCards`,
 * frames on a card of words outside the credits (word-cards.ts) are left out.
 */
export async function clipItems(
  clips: ClipInfo[],
  inputSize: number,
  fps: number,
  onProgress?: () => void,
  skipWordCards = false,
): Promise<FrameItem[]> {
  const out: FrameItem[] = [];
  for (const clip of clips) {
    const frames = await clipFrames(clip.path, inputSize, fps);
    for (const f of frames) {
      const truth = clipLabelAt(clip, f.time);
      if (truth === null) continue;
      if (skipWordCards && truth === 'other' && onWordCard(clip.file, f.time)) continue;
      out.push({
        id: `${clip.file}@${f.time.toFixed(2)}`,
        group: clip.file,
        kind: `clip-${truth}`,
        label: isBlankFrame(f.rgb) ? 'blank' : truth,
        time: f.time,
        rgb: f.rgb,
      });
    }
    onProgress?.();
  }
  return out;
}
