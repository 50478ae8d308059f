/**
 * Chapter marks named like closing credits (PURE). Media servers already trust a chapter
 * called "Credits" or "Outro"; EndCue takes one as strong evidence of where the credits
 * start, and still asks the frames to confirm it (a chapter list can be wrong or generic).
 */
import { CHAPTER_NAMES } from '../export/chapters.js';
import type { Chapter } from '../media/probe.js';
import type { Segment } from './types.js';

/**
 * Whole chapter titles that name closing credits, folded (lower case, accents removed,
 * numbering and punctuation dropped). "Opening credits" and "OP" are not among them.
 */
const CREDITS_CHAPTER_TITLES: readonly RegExp[] = [
  /^(end|ending|closing|final)? ?credits?( roll)?$/,
  /^end ?titles?$/,
  /^outro$/,
  /^ed$/,
  /^ending( (theme|song|credits))?$/,
  // fr, es/pt, it, de, nl, sv/da/no, pl, ru/uk, zh, ja, ko
  /^generique( de fin)?$/,
  /^creditos( finales| finais)?$/,
  /^titoli di coda$/,
  /^(abspann|nachspann)$/,
  /^aftiteling$/,
  /^(eftertexter|rulletekster|rulletekst|sluttekster)$/,
  /^napisy( koncowe)?$/,
  /^(титры|заключительные титры|финальные титры)$/,
  /^(片尾|片尾曲|演职员表|エンディング|スタッフロール|엔딩|엔딩 크레딧|크레딧)$/,
];

/** A chapter title as matched: folded, its "Chapter 12 -" style numbering dropped. */
export function foldChapterTitle(title: string): string {
  return (
    title
      .normalize('NFD')
      // Latin accents only: kana voicing marks and Hangul jamo recompose below.
      .replace(/[\u0300-\u036f]/g, '')
      .normalize('NFC')
      .toLowerCase()
      .replace(/^\s*(chapter|chapitre|capitulo|kapitel)?\s*\d+\s*[-:.)]?\s*/u, '')
      .replace(/[^\p{L}\p{N} ]+/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** Does this chapter title name closing credits? */
export function isCreditsChapterTitle(title: string): boolean {
  const folded = foldChapterTitle(title);
  return folded.length > 0 && CREDITS_CHAPTER_TITLES.some((p) => p.test(folded));
}

/**
 * Chapters EndCue wrote itself (`endcue export --embed`): a "Programme" chapter from 0 and a
 * "Credits" one. Their credits mark is EndCue's own earlier answer, not a person's: taking it
 * as evidence would have a re-analysis confirm whatever it said before.
 */
export function isEndcueChapterList(chapters: readonly Chapter[]): boolean {
  return (
    chapters.some((c) => c.title === CHAPTER_NAMES.programme && c.start < 0.5) &&
    chapters.some((c) => c.title === CHAPTER_NAMES.credits)
  );
}

/**
 * The chapter where the closing credits start: the last one named like credits that starts
 * in the second half of the title (a "Credits" chapter near the start is opening credits).
 * None in a chapter list EndCue wrote itself (isEndcueChapterList).
 */
export function creditsChapter(chapters: readonly Chapter[], duration: number): Chapter | null {
  if (isEndcueChapterList(chapters)) return null;
  let found: Chapter | null = null;
  for (const chapter of chapters) {
    if (chapter.start >= duration / 2 && isCreditsChapterTitle(chapter.title)) found = chapter;
  }
  return found;
}

export interface ScoredTime {
  /** Seconds. */
  t: number;
  /** The classifier's credits score, 0..1. */
  score: number;
}

export interface ChapterCheck {
  /** Seconds after the chapter's start whose frames are looked at (default 30). */
  window?: number;
  /** The mean score those frames need (default 0.5). */
  minMeanScore?: number;
  /** Frames needed in the window to judge at all (default 2). */
  minFrames?: number;
}

/**
 * Do the frames confirm a credits chapter? True when the frames sampled in its first
 * seconds score as credits on average; null when too few frames fall there to tell.
 */
export function framesConfirmChapter(
  chapter: Chapter,
  samples: readonly ScoredTime[],
  options: ChapterCheck = {},
): boolean | null {
  const window = Math.min(options.window ?? 30, chapter.end - chapter.start);
  const inside = samples.filter((s) => s.t >= chapter.start && s.t <= chapter.start + window);
  if (inside.length < (options.minFrames ?? 2)) return null;
  const mean = inside.reduce((acc, s) => acc + s.score, 0) / inside.length;
  return mean >= (options.minMeanScore ?? 0.5);
}

export interface ChapterDecision {
  creditsStart: number | null;
  creditsEnd: number | null;
  confidence: number;
  segments?: Segment[];
}

/** Confidence of a start that a credits chapter and the frames agree on. */
export const CHAPTER_CONFIDENCE = 0.95;

/**
 * The decision with a confirmed credits chapter applied: the chapter's start (chapter marks
 * are exact, frame sampling is not), and at least CHAPTER_CONFIDENCE. The credits end where
 * the frames say if that lies inside the chapter, else with it; a post-credits segment the
 * frames found after that is kept. A chapter the frames do not confirm changes nothing.
 */
export function applyCreditsChapter<D extends ChapterDecision>(
  decision: D,
  chapter: Chapter | null,
  confirmed: boolean | null,
): D & { chapter: Chapter | null } {
  if (!chapter || confirmed !== true) return { ...decision, chapter: null };
  const end =
    decision.creditsEnd !== null && decision.creditsEnd > chapter.start
      ? Math.min(decision.creditsEnd, chapter.end)
      : chapter.end;
  const applied = {
    ...decision,
    creditsStart: chapter.start,
    creditsEnd: end,
    confidence: Math.max(decision.confidence, CHAPTER_CONFIDENCE),
    chapter,
  };
  if (decision.segments) {
    const after = decision.segments.filter((s) => s.kind === 'post-credits' && s.start >= end);
    applied.segments = [{ kind: 'credits', start: chapter.start, end }, ...after];
  }
  return applied;
}
