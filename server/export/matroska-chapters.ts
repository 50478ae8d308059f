/** Matroska chapters XML (what mkvpropedit and mkvmerge take with --chapters). PURE. */
import type { Chapter } from './chapters.js';

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** "HH:MM:SS.nnnnnnnnn" from seconds (to the millisecond). */
export function matroskaTime(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(
    Math.floor(ms / 1000) % 60,
  )}.${pad(ms % 1000, 3)}000000`;
}

export function chaptersToMatroskaXml(chapters: readonly Chapter[]): string {
  const atoms = chapters.map((c) =>
    [
      '    <ChapterAtom>',
      `      <ChapterTimeStart>${matroskaTime(c.start)}</ChapterTimeStart>`,
      `      <ChapterTimeEnd>${matroskaTime(c.end)}</ChapterTimeEnd>`,
      '      <ChapterDisplay>',
      `        <ChapterString>${escapeXml(c.label)}</ChapterString>`,
      '        <ChapterLanguage>eng</ChapterLanguage>',
      '      </ChapterDisplay>',
      '    </ChapterAtom>',
    ].join('\n'),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE Chapters SYSTEM "matroskachapters.dtd">',
    '<Chapters>',
    '  <EditionEntry>',
    '    <EditionFlagDefault>1</EditionFlagDefault>',
    ...atoms,
    '  </EditionEntry>',
    '</Chapters>',
    '',
  ].join('\n');
}
