/**
 * Renders the generated test season (plan.ts) with ffmpeg and writes its truth (issue 22).
 * Cached: a season's folder under .cache/season/ is keyed by its plan and the renderer's
 * version, and an episode already there is not rendered again.
 *
 * Story comes from the real clips in ../shared/data (size 'full'; their audio is real, each
 * episode's shifted by its own number of semitones so clips reused across episodes are not
 * shared audio) or from lavfi sources only (size 'short', for tests). A speech-like bed and a
 * brown-noise bed run under the story; the theme and the end music (synth.ts) do not.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FfmpegBinaries } from '../../server/media/ffmpeg.js';
import { drawtext, TextFiles } from '../../tests/fixtures/filters.js';
import { fontFile } from '../../tests/fixtures/fonts.js';
import { createRng, type Rng } from '../../tests/fixtures/random.js';
import {
  commit,
  filterScriptArgs,
  hashKey,
  REPO_ROOT,
  binaries as resolveBinaries,
  runFfmpeg,
  tempBeside,
  writeJsonAtomic,
} from '../../tests/fixtures/run.js';
import type { EpisodePlan, SeasonOptions, SeasonPlan, Span } from './plan.js';
import { planSeason } from './plan.js';
import { SAMPLE_RATE, synthSong, synthSpeech, wavBytes } from './synth.js';

/** Bump when the rendered files change, so cached seasons rebuild. */
export const SEASON_RENDER_VERSION = 2;
/** Bump when only the short season's generated story changes (the full season's cache stays). */
const GENERATED_STORY_VERSION = 2;

const WIDTH = 640;
const HEIGHT = 360;
/** 10 fps: every planned time (tenths of a second) falls on a frame. */
const FPS = 10;

/** Non-credits clips of ../shared/data with audio: the story's picture and sound. */
const STORY_CLIPS = [
  'clips/bbb_first_minute.mp4',
  'clips/sintel_trailer_204p.mp4',
  'clips/sintel_trailer_opening_720p.mp4',
  'clips/bbb_trailer_480p.mkv',
  'clips-more/ddp_trailer.mp4',
  'clips-more/debris_bg.mp4',
  'clips-more/oxyfender_inicio.mp4',
  'clips-set3/darkdungeons_defeat_es.mp4',
  'clips-set3/darkdungeons_victory_es.mp4',
  'clips-set3/neg_googoogrief_opening_menu.mp4',
  'clips-set3/neg_reminiscence_warning_logos.mp4',
];

export const SHARED_DATA = path.resolve(REPO_ROOT, '..', 'shared', 'data');

/** One rendered episode: its plan (the truth) and where the file is. */
export interface SeasonEpisodeFile extends EpisodePlan {
  path: string;
}

export interface RenderedSeason {
  dir: string;
  plan: SeasonPlan;
  episodes: SeasonEpisodeFile[];
}

export interface RenderOptions extends SeasonOptions {
  /** Where seasons are cached (default .cache/season, or ENDCUE_SEASON_CACHE). */
  cacheDir?: string;
  binaries?: FfmpegBinaries;
  /** Called before each episode is rendered (not for cached ones). */
  onEpisode?: (episode: EpisodePlan) => void;
}

/** Renders (or finds cached) the season and writes `season.json` (the truth) beside it. */
export async function renderSeason(options: RenderOptions): Promise<RenderedSeason> {
  const plan = planSeason(options);
  const bins = resolveBinaries(options.binaries);
  const root =
    options.cacheDir ?? process.env.ENDCUE_SEASON_CACHE ?? path.join(REPO_ROOT, '.cache', 'season');
  const dir = path.join(root, `${plan.size}-seed${plan.seed}-${hashKey(cacheKey(plan))}`);
  mkdirSync(dir, { recursive: true });
  const clips = plan.size === 'full' ? storyClips(bins) : [];
  const music = {
    theme: writeWav(dir, 'theme.wav', synthSong(`${plan.seed}/theme`, plan.themeSeconds, 120)),
    season: writeWav(dir, 'end-season.wav', synthSong(`${plan.seed}/end`, 80, 96)),
    finale: writeWav(dir, 'end-finale.wav', synthSong(`${plan.seed}/finale`, 80, 84)),
  };
  const episodes: SeasonEpisodeFile[] = [];
  for (const episode of plan.episodes) {
    const target = path.join(dir, episode.file);
    if (!existsSync(target) || statSync(target).size === 0) {
      options.onEpisode?.(episode);
      const temp = `${tempBeside(target)}.${episode.encoding.container}`;
      await renderEpisode(bins, dir, episode, clips, music, temp);
      commit(temp, target);
    }
    episodes.push({ ...episode, path: target });
  }
  writeJsonAtomic(path.join(dir, 'season.json'), { ...plan, episodes });
  return { dir, plan, episodes };
}

function cacheKey(plan: SeasonPlan): object {
  const key = { plan, v: SEASON_RENDER_VERSION };
  return plan.size === 'short' ? { ...key, story: GENERATED_STORY_VERSION } : key;
}

interface Clip {
  file: string;
  seconds: number;
  /** Seconds before the clip's own credits (labels.json), the part story may use. */
  usable: number;
}

/** Where a clip's own credits start, from its folder's labels.json (null: none). */
function creditsStartOf(file: string): number | null {
  const labels = path.join(path.dirname(file), 'labels.json');
  if (!existsSync(labels)) return null;
  const data = JSON.parse(readFileSync(labels, 'utf8')) as unknown;
  const entries = (Array.isArray(data) ? data : Object.values(data as object)) as {
    file?: string;
    credits_start_s?: number | null;
  }[];
  return entries.find((e) => e.file === path.basename(file))?.credits_start_s ?? null;
}

function storyClips(bins: FfmpegBinaries): Clip[] {
  const missing = STORY_CLIPS.filter((name) => !existsSync(path.join(SHARED_DATA, name)));
  if (missing.length > 0) {
    throw new Error(
      `the full season's story comes from the real clips in ${SHARED_DATA}, and ${missing.join(', ')} ` +
        'is not there: run it where ../shared/data exists, or use the short season (--short), which is generated only',
    );
  }
  return STORY_CLIPS.map((name) => {
    const file = path.join(SHARED_DATA, name);
    const probe = spawnSync(
      bins.ffprobe,
      ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file],
      { encoding: 'utf8' },
    );
    const seconds = Number(probe.stdout.trim());
    const credits = creditsStartOf(file);
    return { file, seconds, usable: credits === null ? seconds : Math.max(1, credits - 0.5) };
  });
}

function writeWav(dir: string, name: string, samples: Float32Array): string {
  const file = path.join(dir, name);
  if (!existsSync(file)) writeFileSync(file, wavBytes(samples));
  return file;
}

/** One part of the picture-and-story-sound timeline, concatenated in order. */
interface Part {
  seconds: number;
  /** ffmpeg input args for the part's picture (and sound, for clips). */
  inputs: string[][];
  /** Filter from the inputs (by their index from `first`) to [v{n}][a{n}]. */
  filter: (first: number, n: number) => string;
}

async function renderEpisode(
  bins: FfmpegBinaries,
  dir: string,
  episode: EpisodePlan,
  clips: Clip[],
  music: { theme: string; season: string; finale: string },
  output: string,
): Promise<void> {
  const rng = createRng(`story/${episode.storySeed}`);
  const textDir = path.join(dir, `text-${episode.number}`);
  mkdirSync(textDir, { recursive: true });
  const texts = new TextFiles(textDir);
  const parts: Part[] = [];
  const story: Span[] = [];
  const addStory = (start: number, end: number) => {
    if (end - start < 0.05) return;
    story.push({ start, end });
    parts.push(...storyParts(end - start, episode, clips, rng));
  };
  const intro = episode.intro;
  if (intro) {
    addStory(0, intro.start);
    parts.push(titleCard(intro.end - intro.start, texts));
  }
  addStory(intro ? intro.end : 0, episode.credits.start);
  parts.push(roll(episode.credits.end - episode.credits.start, texts, rng));
  if (episode.postCredits) addStory(episode.postCredits.start, episode.postCredits.end);

  const args: string[] = [];
  const filters: string[] = [];
  let next = 0;
  parts.forEach((part, n) => {
    for (const input of part.inputs) args.push(...input);
    filters.push(part.filter(next, n));
    next += part.inputs.length;
  });
  const joined = parts.map((_, n) => `[v${n}][a${n}]`).join('');
  filters.push(`${joined}concat=n=${parts.length}:v=1:a=1[vcat][storyaudio]`);

  // Theme, end music, speech bed and noise bed, each placed on the episode's timeline.
  const gate = story.map((s) => `between(t,${s.start},${s.end})`).join('+') || '0';
  const song = episode.endMusic.song === 'finale' ? music.finale : music.season;
  const musicSeconds = episode.endMusic.end - episode.endMusic.start;
  // Written for this render only (a 9-min bed is 48 MB): removed when the episode is done.
  const speech = writeWav(
    dir,
    `speech-${episode.storySeed}.wav`,
    synthSpeech(episode.storySeed, episode.seconds),
  );
  const overlays: string[] = ['[storyaudio]'];
  if (intro) {
    args.push('-i', music.theme);
    filters.push(`[${next}:a]${stereo()},adelay=${ms(intro.start)}:all=1[theme]`);
    overlays.push('[theme]');
    next++;
  }
  args.push('-i', song);
  filters.push(
    `[${next}:a]${stereo()},atrim=0:${musicSeconds},afade=t=out:st=${musicSeconds - 2}:d=2,` +
      `adelay=${ms(episode.endMusic.start)}:all=1[endmusic]`,
  );
  overlays.push('[endmusic]');
  next++;
  args.push('-i', speech);
  filters.push(`[${next}:a]${stereo()},volume=eval=frame:volume='0.45*gte(${gate},1)'[speech]`);
  overlays.push('[speech]');
  next++;
  args.push(
    ...['-f', 'lavfi', '-t', String(episode.seconds), '-i'],
    `anoisesrc=c=brown:seed=${episode.storySeed}:a=0.08:r=${SAMPLE_RATE}`,
  );
  filters.push(`[${next}:a]${stereo()},volume=eval=frame:volume='gte(${gate},1)'[noise]`);
  overlays.push('[noise]');
  next++;

  const e = episode.encoding;
  filters.push(
    `${overlays.join('')}amix=inputs=${overlays.length}:normalize=0:duration=first,` +
      `volume=${e.gainDb}dB,aresample=${e.sampleRate},${layout(e.channels)}[aout]`,
  );
  const script = path.join(dir, `graph-${episode.number}.txt`);
  writeFileSync(script, filters.join(';\n'));
  try {
    await runFfmpeg(bins, [
      ...args,
      ...filterScriptArgs(bins, script),
      ...['-map', '[vcat]', '-map', '[aout]', '-t', String(episode.seconds)],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(e.crf), '-g', String(FPS * 2)],
      ...['-c:a', e.codec, '-b:a', e.bitrate, '-ac', String(e.channels)],
      ...(e.container === 'mp4' ? ['-movflags', '+faststart'] : []),
      output,
    ]);
  } finally {
    rmSync(speech, { force: true });
  }
}

/** The story for `seconds`: segments of real clips, or (no clips) one generated picture. */
function storyParts(seconds: number, episode: EpisodePlan, clips: Clip[], rng: Rng): Part[] {
  if (clips.length === 0) return [generatedStory(seconds, rng)];
  const parts: Part[] = [];
  let left = seconds;
  while (left > 0.05) {
    const clip = rng.pick(clips);
    const length = Math.min(left, rng.range(8, 24), clip.seconds - 1);
    const drawn = rng.range(0, Math.max(0, clip.seconds - length - 0.5));
    const d = round(left - length < 3 ? left : length);
    // Never into the clip's own credits (the Sintel trailer's card, the Dark Dungeons
    // endings' roll): moved before them, and read only up to them (the rest held/padded).
    const from = drawn + d > clip.usable ? Math.max(0, clip.usable - d) : drawn;
    const read = from + d + 1 > clip.usable ? clip.usable - from : d + 1;
    parts.push(clipPart(clip, from, d, read, episode.storyPitch));
    left = round(left - d);
  }
  return parts;
}

function clipPart(clip: Clip, from: number, seconds: number, read: number, pitch: number): Part {
  const ratio = 2 ** (pitch / 12);
  return {
    seconds,
    inputs: [['-ss', from.toFixed(2), '-t', String(round(read)), '-i', clip.file]],
    filter: (i, n) =>
      `[${i}:v]${picture(seconds)}[v${n}];` +
      `[${i}:a]${stereo()},asetrate=${Math.round(SAMPLE_RATE * ratio)},aresample=${SAMPLE_RATE},` +
      `atempo=${(1 / ratio).toFixed(5)},apad,atrim=0:${seconds},asetpts=N/SR/TB[a${n}]`,
  };
}

/**
 * Generated story: a moving test picture and a seeded melody that never repeats (lavfi only).
 * Each note's pitch comes from a hash of its index and the seed (semitones over two octaves):
 * a periodic melody of a few notes let two episodes' stories share 40 s of chroma once the
 * opening window grew to 90 s.
 */
function generatedStory(seconds: number, rng: Rng): Part {
  const base = Math.round(rng.range(140, 280));
  const seed = rng.range(1, 1000).toFixed(3);
  const hash = `(sin(floor(t*2.3)*12.9898+${seed})*43758.5453)`;
  const note = `floor(24*(${hash}-floor(${hash})))`;
  const tones = `0.12*sin(2*PI*t*${base}*pow(2,${note}/12))`;
  return {
    seconds,
    inputs: [
      ['-f', 'lavfi', '-t', String(seconds), '-i', `testsrc2=s=${WIDTH}x${HEIGHT}:r=${FPS}`],
      ['-f', 'lavfi', '-t', String(seconds), '-i', `aevalsrc='${tones}':s=${SAMPLE_RATE}`],
    ],
    filter: (i, n) =>
      `[${i}:v]hue=h=${rng.int(0, 359)},${picture(seconds)}[v${n}];` +
      `[${i + 1}:a]${stereo()},atrim=0:${seconds},asetpts=N/SR/TB[a${n}]`,
  };
}

/** The intro's picture: the show's title on a slowly shifting colour. Silent here. */
function titleCard(seconds: number, texts: TextFiles): Part {
  const title = drawtext(texts, {
    text: 'THE LIGHTHOUSE KEEPERS',
    font: fontFile('oswald', 700),
    size: 44,
    x: '(w-tw)/2',
    y: '(h-th)/2',
    shadow: 2,
  });
  return {
    seconds,
    inputs: [
      [
        '-f',
        'lavfi',
        '-t',
        String(seconds),
        '-i',
        `color=c=0x1d3557:s=${WIDTH}x${HEIGHT}:r=${FPS}`,
      ],
    ],
    filter: (i, n) =>
      `[${i}:v]hue=h=20*t,${title},${picture(seconds)}[v${n}];${silence(seconds)}[a${n}]`,
  };
}

const ROLES = [
  'Directed by',
  'Written by',
  'Producer',
  'Director of Photography',
  'Editor',
  'Music by',
  'Production Designer',
  'Costume Designer',
  'Sound Mixer',
  'Casting',
  'Script Supervisor',
  'Gaffer',
  'Key Grip',
  'Colorist',
  'Visual Effects',
  'Stunt Coordinator',
];
const NAMES = [
  'Ada Whitfield',
  'Tomas Berg',
  'Keiko Arai',
  'Rafael Ortiz',
  'Mina Haddad',
  'Owen Price',
  'Lena Novak',
  'Samuel Okafor',
  'Ines Duarte',
  'Piotr Kowal',
  'Grace Liu',
  'Hugo Marchetti',
  'Nadia Petrova',
  'Jonas Eklund',
  'Priya Raman',
  'Felix Braun',
];

/** The credits: white names rolling up over black, the whole list within the roll's length. */
function roll(seconds: number, texts: TextFiles, rng: Rng): Part {
  const lines = Array.from({ length: 40 }, (_, k) =>
    k % 3 === 2 ? '' : `${rng.pick(ROLES)}    ${rng.pick(NAMES)}`,
  );
  const text = drawtext(texts, {
    text: lines.join('\n'),
    font: fontFile('dejavu-sans'),
    size: 20,
    x: '(w-tw)/2',
    y: `h-t*(h+th)/${seconds}`,
  });
  return {
    seconds,
    inputs: [
      ['-f', 'lavfi', '-t', String(seconds), '-i', `color=c=black:s=${WIDTH}x${HEIGHT}:r=${FPS}`],
    ],
    filter: (i, n) => `[${i}:v]${text},${picture(seconds)}[v${n}];${silence(seconds)}[a${n}]`,
  };
}

/** Any picture to the season's size, rate and exact length. */
function picture(seconds: number): string {
  return (
    `scale=${WIDTH}:${HEIGHT}:force_original_aspect_ratio=decrease,` +
    `pad=${WIDTH}:${HEIGHT}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${FPS},format=yuv420p,` +
    `tpad=stop_mode=clone:stop_duration=${seconds},trim=duration=${seconds},setpts=PTS-STARTPTS`
  );
}

function silence(seconds: number): string {
  return `anullsrc=r=${SAMPLE_RATE}:cl=stereo,atrim=0:${seconds}`;
}

function stereo(): string {
  return `aformat=sample_fmts=fltp:sample_rates=${SAMPLE_RATE}:channel_layouts=stereo`;
}

/** Stereo as it is, or spread over 5.1 (centre and surrounds from the front pair). */
function layout(channels: 2 | 6): string {
  if (channels === 2) return 'aformat=channel_layouts=stereo';
  return 'pan=5.1|FL=FL|FR=FR|FC=0.5*FL+0.5*FR|LFE=0.1*FL+0.1*FR|BL=0.6*FL|BR=0.6*FR';
}

function ms(seconds: number): number {
  return Math.round(seconds * 1000);
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
