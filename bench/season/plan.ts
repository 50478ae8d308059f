/**
 * The generated test season's plan and truth (issue 22). Pure: a seed in, every episode's
 * timeline, encoding and the truth to score against out; render.ts turns it into files.
 *
 * An episode: a cold open of story (0-90 s), the theme under a title card (the intro), story,
 * the end music starting over the last scene, the credits roll over the end music, and on
 * some episodes a post-credits scene. One episode has no intro; the finale has other end
 * music. Episodes differ in container, audio codec, bitrate, channel layout and loudness.
 */
import { createRng } from '../../tests/fixtures/random.js';

export interface SeasonOptions {
  seed: number;
  /** 'full': 10 episodes of 9 min, story from the real clips; 'short': 4 of 2.5 min, generated only. */
  size: 'full' | 'short';
}

export interface AudioEncoding {
  container: 'mp4' | 'mkv';
  codec: 'aac' | 'libopus' | 'ac3' | 'libmp3lame';
  bitrate: string;
  channels: 2 | 6;
  /** Loudness change of the whole mix, dB. */
  gainDb: number;
  /** Output sample rate (Opus is 48 kHz). */
  sampleRate: number;
  /** x264 CRF of the picture. */
  crf: number;
}

/** A stretch of an episode, seconds from its start. */
export interface Span {
  start: number;
  end: number;
}

export interface EpisodePlan {
  /** 1-based. */
  number: number;
  /** File name inside the season folder, e.g. "S01E03.mkv". */
  file: string;
  seconds: number;
  /** Seed of the episode's story (clip order, speech bed, noise). */
  storySeed: number;
  /** Semitones the story's clip audio is shifted, so clips reused across episodes do not match. */
  storyPitch: number;
  /** The theme (null: this episode has none). */
  intro: Span | null;
  /** The end music, from over the last scene to the end of the roll. */
  endMusic: Span & { song: 'season' | 'finale' };
  /** The credits roll: its start is the truth for "credits start". */
  credits: Span;
  postCredits: Span | null;
  encoding: AudioEncoding;
}

export interface SeasonPlan {
  seed: number;
  size: SeasonOptions['size'];
  themeSeconds: number;
  episodes: EpisodePlan[];
}

/** Encodings cycled through the episodes: containers, codecs, bitrates, layouts, loudness. */
const ENCODINGS: readonly AudioEncoding[] = [
  {
    container: 'mp4',
    codec: 'aac',
    bitrate: '160k',
    channels: 2,
    gainDb: 0,
    sampleRate: 44100,
    crf: 24,
  },
  {
    container: 'mkv',
    codec: 'aac',
    bitrate: '96k',
    channels: 6,
    gainDb: -9,
    sampleRate: 44100,
    crf: 30,
  },
  {
    container: 'mp4',
    codec: 'aac',
    bitrate: '64k',
    channels: 2,
    gainDb: 3,
    sampleRate: 44100,
    crf: 28,
  },
  {
    container: 'mkv',
    codec: 'libopus',
    bitrate: '64k',
    channels: 2,
    gainDb: -4,
    sampleRate: 48000,
    crf: 26,
  },
  {
    container: 'mkv',
    codec: 'ac3',
    bitrate: '384k',
    channels: 6,
    gainDb: 0,
    sampleRate: 48000,
    crf: 32,
  },
  {
    container: 'mp4',
    codec: 'aac',
    bitrate: '128k',
    channels: 6,
    gainDb: -6,
    sampleRate: 48000,
    crf: 23,
  },
  {
    container: 'mkv',
    codec: 'libmp3lame',
    bitrate: '128k',
    channels: 2,
    gainDb: 2,
    sampleRate: 44100,
    crf: 27,
  },
  {
    container: 'mp4',
    codec: 'aac',
    bitrate: '96k',
    channels: 2,
    gainDb: -12,
    sampleRate: 44100,
    crf: 29,
  },
  {
    container: 'mkv',
    codec: 'libopus',
    bitrate: '96k',
    channels: 6,
    gainDb: 0,
    sampleRate: 48000,
    crf: 25,
  },
  {
    container: 'mp4',
    codec: 'aac',
    bitrate: '192k',
    channels: 2,
    gainDb: -2,
    sampleRate: 48000,
    crf: 22,
  },
];

interface SizeShape {
  episodes: number;
  seconds: number;
  themeSeconds: number;
  /** Cold opens, one per episode (seconds of story before the theme). */
  coldOpens: readonly number[];
  /** Which episode (1-based) has no intro. */
  noIntro: number;
  roll: [number, number];
  lead: [number, number];
  post: [number, number];
}

const SHAPES: Record<SeasonOptions['size'], SizeShape> = {
  // 9-minute episodes: the first 25% (135 s) holds a 90 s cold open and a 32 s theme.
  full: {
    episodes: 10,
    seconds: 540,
    themeSeconds: 32,
    coldOpens: [0, 90, 12, 47, 3, 66, 25, 78, 8, 36],
    noIntro: 7,
    roll: [40, 55],
    lead: [3, 12],
    post: [12, 20],
  },
  // 150 s episodes: a 37.5 s opening window holds a cold open of up to 14 s and an 18 s theme.
  short: {
    episodes: 4,
    seconds: 150,
    themeSeconds: 18,
    coldOpens: [0, 14, 6, 9],
    noIntro: 3,
    roll: [18, 22],
    lead: [3, 6],
    post: [6, 8],
  },
};

export function planSeason(options: SeasonOptions): SeasonPlan {
  const shape = SHAPES[options.size];
  const rng = createRng(`season/${options.seed}/${options.size}`);
  // Distinct pitch shifts (semitones), so no two episodes' stories share a fingerprint; none
  // an octave apart, as chroma does not tell octaves apart (-6 and +6 once shared 2.5 s).
  const pitches = shuffle([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 0, -6], rng.next);
  const episodes = Array.from({ length: shape.episodes }, (_, i): EpisodePlan => {
    const number = i + 1;
    const encoding = ENCODINGS[i % ENCODINGS.length] as AudioEncoding;
    const coldOpen = shape.coldOpens[i % shape.coldOpens.length] ?? 0;
    const finale = number === shape.episodes;
    const post = number % 2 === 0 || finale ? rng.range(...shape.post) : 0;
    const roll = rng.range(...shape.roll);
    const lead = rng.range(...shape.lead);
    const creditsEnd = shape.seconds - post;
    const creditsStart = round(creditsEnd - roll);
    return {
      number,
      file: `S01E${String(number).padStart(2, '0')}.${encoding.container}`,
      seconds: shape.seconds,
      storySeed: options.seed * 100 + number,
      storyPitch: pitches[i % pitches.length] ?? 0,
      intro:
        number === shape.noIntro ? null : { start: coldOpen, end: coldOpen + shape.themeSeconds },
      endMusic: {
        start: round(creditsStart - lead),
        end: round(creditsEnd),
        song: finale ? 'finale' : 'season',
      },
      credits: { start: creditsStart, end: round(creditsEnd) },
      postCredits: post > 0 ? { start: round(creditsEnd), end: shape.seconds } : null,
      encoding,
    };
  });
  return { seed: options.seed, size: options.size, themeSeconds: shape.themeSeconds, episodes };
}

/** Tenths of a second: the truth is written as it is rendered. */
function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
