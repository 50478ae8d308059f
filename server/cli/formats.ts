/**
 * How `endcue detect` prints a result (PURE): a human line, one JSON object, a WebVTT
 * chapters track, a Kodi EDL, ffmpeg metadata chapters, or Jellyfin Media Segments.
 */
import type { DetectionResult } from '../detector/types.js';
import { toKodiEdl } from '../export/edl.js';
import { toFfmetadata } from '../export/ffmetadata.js';
import { creditsToVtt } from '../export/webvtt.js';

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

/** Jellyfin Media Segments: ticks are 100 ns. */
export function toJellyfin(
  r: DetectionResult,
): Array<{ Type: 'Outro'; StartTicks: number; EndTicks: number }> {
  const ticks = (seconds: number) => Math.round(seconds * 10_000_000);
  return r.segments
    .filter((s) => s.kind === 'credits')
    .map((s) => ({ Type: 'Outro' as const, StartTicks: ticks(s.start), EndTicks: ticks(s.end) }));
}
