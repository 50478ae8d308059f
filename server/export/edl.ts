/**
 * Kodi's EDL (`<video>.edl`): one "start end action" line per edit, times in seconds.
 * Action 3 is a commercial break: Kodi skips it once, automatically, with a notice. The
 * season's intro (issue 22) and the credits are listed: a scene after them is something to
 * watch. PURE.
 * Kodi's reader has no comment syntax (a stray line is an error), so the file holds edits
 * only; an empty string means "no file" (no credits to skip).
 */
import type { ChapterSource } from './chapters.js';

export const KODI_COMMERCIAL_BREAK = 3;

export function toKodiEdl(source: ChapterSource): string {
  return source.segments
    .filter((s) => (s.kind === 'intro' || s.kind === 'credits') && s.end > s.start)
    .sort((a, b) => a.start - b.start)
    .map((s) => `${s.start.toFixed(3)}\t${s.end.toFixed(3)}\t${KODI_COMMERCIAL_BREAK}\n`)
    .join('');
}
