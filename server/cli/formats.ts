/**
 * How `endcue detect` prints a result (PURE): a human line, one JSON object, a WebVTT
 * chapters track, a Kodi EDL, ffmpeg metadata chapters, or Jellyfin Media Segments.
 */
import type { DetectionResult } from '../detector/types.js';
import type { EndcueError } from '../errors.js';
import { toKodiEdl } from '../export/edl.js';
import { toFfmetadata } from '../export/ffmetadata.js';
import { creditsToVtt } from '../export/webvtt.js';
import type { MusicEvidence } from '../series/closing.js';
import type { Intro, IntroReason } from '../series/intro.js';
import type { ClosingMusic } from '../series/season.js';

export const FORMATS = ['text', 'json', 'vtt', 'edl', 'ffmetadata', 'jellyfin'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export function formatResult(result: DetectionResult, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(toJson(result))}\n`;
    case 'vtt':
      return toVtt(result);
    case 'edl':
      return toEdl(result);
    case 'ffmetadata':
      return toFfmetadata(result);
    case 'jellyfin':
      return `${JSON.stringify(toJellyfin(result))}\n`;
    default:
      return toText(result);
  }
}

/** Exactly the documented keys, in order (times in seconds, null where unknown). */
export function toJson(r: DetectionResult): Record<string, unknown> {
  return {
    file: r.file,
    duration: r.duration,
    fps: r.fps,
    creditsStart: r.creditsStart,
    creditsEnd: r.creditsEnd,
    frame: r.frame,
    confidence: r.confidence,
    segments: r.segments.map((s) => ({ kind: s.kind, start: s.start, end: s.end })),
    modelVersion: r.modelVersion,
    backend: r.backend,
    elapsedMs: r.elapsedMs,
  };
}

/** "00:12:24.0": hours, minutes, seconds to a tenth. */
export function clockTime(seconds: number): string {
  const tenths = Math.max(0, Math.round(seconds * 10));
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor(tenths / 600) % 60;
  const s = Math.floor(tenths / 10) % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${tenths % 10}`;
}

export function toText(r: DetectionResult): string {
  const confidence = r.confidence.toFixed(2);
  if (r.creditsStart === null) {
    return `No closing credits found in ${r.file}, confidence ${confidence}\n`;
  }
  const frame = r.frame === null ? '' : ` (frame ${r.frame})`;
  let out = `Credits start at ${clockTime(r.creditsStart)}${frame}, confidence ${confidence}\n`;
  const post = r.segments.find((s) => s.kind === 'post-credits');
  if (r.creditsEnd !== null && r.creditsEnd < r.duration - 0.05) {
    out += `Credits end at ${clockTime(r.creditsEnd)}`;
    out += post ? `; a scene follows (${clockTime(post.start)}-${clockTime(post.end)})\n` : '\n';
  }
  return out;
}

/** A chapters track: the programme, the credits, and any scene after them. */
export function toVtt(r: DetectionResult): string {
  return creditsToVtt(r);
}

/**
 * Kodi EDL: "start end action" per line, action 3 = commercial break (Kodi offers to skip
 * it). Only the credits are listed: a post-credits scene is something to watch.
 */
export function toEdl(r: DetectionResult): string {
  return toKodiEdl(r);
}

/** Jellyfin Media Segments: ticks are 100 ns; a season's intro (issue 22) is an Intro. */
export function toJellyfin(
  r: Pick<DetectionResult, 'segments'>,
): Array<{ Type: 'Intro' | 'Outro'; StartTicks: number; EndTicks: number }> {
  const ticks = (seconds: number) => Math.round(seconds * 10_000_000);
  return r.segments
    .filter((s) => s.kind === 'intro' || s.kind === 'credits')
    .map((s) => ({
      Type: s.kind === 'intro' ? ('Intro' as const) : ('Outro' as const),
      StartTicks: ticks(s.start),
      EndTicks: ticks(s.end),
    }));
}

/** One file of `detect --series`: its detection (or why it failed), intro and shared end music. */
export type SeasonFileAnswer = {
  file: string;
  intro: Intro | null;
  introReason: IntroReason | null;
  endMusic: ClosingMusic | null;
} & (
  | {
      /** With 'bounded-by-music': the re-run bounded by the shared end music (closing.ts). */
      result: DetectionResult;
      /** The single-title start (the result's, unless the end music bounded it); default: the result's. */
      singleCreditsStart?: number | null;
      /** The credits confidence weighed by the end music (closing.ts). */
      seriesConfidence: number;
      endMusicEvidence: MusicEvidence;
    }
  | { error: ReturnType<EndcueError['toJSON']> }
);

/** `detect --series` output: a JSON array, one object per file in order, or text lines. */
export function formatSeason(
  answers: readonly SeasonFileAnswer[],
  format: 'text' | 'json',
): string {
  if (format === 'json') return `${JSON.stringify(answers.map(seasonFileJson))}\n`;
  return answers.map(seasonFileText).join('');
}

/**
 * Today's detect --json keys, with the intro in `segments` (first: it comes first) and the
 * series' keys after them; a failed file: `file`, `error` and the series' keys.
 */
export function seasonFileJson(a: SeasonFileAnswer): Record<string, unknown> {
  const series = {
    intro: a.intro && { start: a.intro.start, end: a.intro.end, confidence: a.intro.confidence },
    introReason: a.introReason,
    endMusic: a.endMusic && {
      start: a.endMusic.start,
      end: a.endMusic.end,
      confidence: a.endMusic.confidence,
    },
  };
  if ('error' in a) return { file: a.file, error: a.error, ...series };
  const json = toJson(a.result);
  const intro = a.intro ? [{ kind: 'intro', start: a.intro.start, end: a.intro.end }] : [];
  return {
    ...json,
    segments: [...intro, ...(json.segments as unknown[])],
    ...series,
    endMusicEvidence: a.endMusicEvidence,
    seriesConfidence: a.seriesConfidence,
    singleCreditsStart:
      a.singleCreditsStart === undefined ? a.result.creditsStart : a.singleCreditsStart,
  };
}

/** "<file>: <the credits line>", then indented: more credits lines, the intro, the end music. */
export function seasonFileText(a: SeasonFileAnswer): string {
  const head =
    'error' in a
      ? [`${a.error.message}${a.error.hint ? ` (${a.error.hint})` : ''}`]
      : toText(a.result).trimEnd().split('\n');
  const first = head[0] ?? '';
  // An error's message names its input already.
  const named = 'error' in a && first.includes(a.file) ? first : `${a.file}: ${first}`;
  const lines = [named, ...head.slice(1).map((line) => `  ${line}`)];
  lines.push(
    a.intro
      ? `  Intro ${clockTime(a.intro.start)}–${clockTime(a.intro.end)}, confidence ${a.intro.confidence.toFixed(2)}`
      : `  No intro (${a.introReason ?? 'unknown'})`,
  );
  if (a.endMusic && !('error' in a)) {
    const single = a.singleCreditsStart;
    const evidence =
      a.endMusicEvidence === 'bounded-by-music' && typeof single === 'number'
        ? `bounded-by-music: the single-title start ${clockTime(single)} lay before it`
        : a.endMusicEvidence;
    lines.push(
      `  End music shared from ${clockTime(a.endMusic.start)} (${evidence}), series confidence ${a.seriesConfidence.toFixed(2)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
