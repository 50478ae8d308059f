/**
 * ffmpeg's metadata file (`;FFMETADATA1`) with the chapters: ffmpeg writes them into a file
 * (`-i video -i x.ffmeta -map_chapters 1 -c copy out.mkv`), and mpv reads it as
 * `--chapters-file`. Times in milliseconds. PURE.
 */
import { type Chapter, type ChapterSource, creditsChapters } from './chapters.js';

/** ffmetadata escapes '=', ';', '#', '\' and newlines with a backslash. */
export function escapeFfmetadata(value: string): string {
  return value.replace(/[=;#\\\n]/g, (c) => `\\${c}`);
}

export function chaptersToFfmetadata(chapters: readonly Chapter[], comment?: string): string {
  const lines = [';FFMETADATA1'];
  if (comment) lines.push(`; ${comment.replace(/\n/g, ' ')}`);
  for (const chapter of chapters) {
    lines.push(
      '',
      '[CHAPTER]',
      'TIMEBASE=1/1000',
      `START=${Math.round(chapter.start * 1000)}`,
      `END=${Math.round(chapter.end * 1000)}`,
      `title=${escapeFfmetadata(chapter.label)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function toFfmetadata(source: ChapterSource, comment?: string): string {
  return chaptersToFfmetadata(creditsChapters(source), comment);
}
