/** WebVTT chapters (a `kind="chapters"` track for any HTML5 player, mpv, VLC). PURE. */
import { type Chapter, type ChapterSource, creditsChapters } from './chapters.js';

export function vttTime(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

export interface VttOptions {
  /** Text after "WEBVTT " on the first line. */
  title?: string;
  /** A NOTE block before the cues (no blank line or "-->" allowed in it). */
  note?: string;
}

export function chaptersToVtt(chapters: readonly Chapter[], options: VttOptions = {}): string {
  const head = options.title ? `WEBVTT - ${options.title}` : 'WEBVTT';
  const note = options.note ? `NOTE ${options.note.replace(/-->|\n\s*\n/g, ' ')}\n\n` : '';
  const cues = chapters.map(
    (chapter, index) =>
      `${index + 1}\n${vttTime(chapter.start)} --> ${vttTime(chapter.end)}\n${chapter.label}`,
  );
  return `${head}\n\n${note}${cues.join('\n\n')}${cues.length ? '\n' : ''}`;
}

export function creditsToVtt(source: ChapterSource, options: VttOptions = {}): string {
  return chaptersToVtt(creditsChapters(source), options);
}
