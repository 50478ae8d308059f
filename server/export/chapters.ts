/**
 * The chapters every export shares (WebVTT, ffmetadata, embedded chapters): the programme,
 * the credits, and any scene after them. PURE.
 *
 * The names are chosen for the media servers that type chapters by name (issue 21):
 * Jellyfin's Chapter Segments Provider and intro-skipper's chapter analyzer make an Outro of
 * "Credits", an Intro of "Intro" (issue 22: the season's shared theme) and nothing of
 * "Programme" or "Epilogue". A name with "credits" in it ("After the
 * credits") would have the scene after the credits typed Outro and skipped with them.
 */
import type { Segment } from '../detector/types.js';

export const CHAPTER_NAMES = {
  programme: 'Programme',
  intro: 'Intro',
  credits: 'Credits',
  postCredits: 'Epilogue',
} as const;

/** What a chapter list is made from: a credits answer or a detection result. */
export interface ChapterSource {
  creditsStart: number | null;
  creditsEnd: number | null;
  segments: readonly Segment[];
  duration: number | null;
}

export interface Chapter {
  start: number;
  end: number;
  label: string;
}

export function creditsChapters(source: ChapterSource): Chapter[] {
  const { creditsStart, duration } = source;
  const intro = introOf(source);
  if (creditsStart === null) {
    return duration ? programme(0, duration, intro) : [];
  }
  const chapters: Chapter[] = creditsStart > 0 ? programme(0, creditsStart, intro) : [];
  const postCredits = source.segments
    .filter((segment) => segment.kind === 'post-credits' && segment.start >= creditsStart)
    .sort((a, b) => a.start - b.start);
  const creditsEnd = source.creditsEnd ?? postCredits[0]?.start ?? duration ?? creditsStart + 1;
  chapters.push({
    start: creditsStart,
    end: Math.max(creditsEnd, creditsStart),
    label: CHAPTER_NAMES.credits,
  });
  for (const segment of postCredits) {
    chapters.push({ start: segment.start, end: segment.end, label: CHAPTER_NAMES.postCredits });
  }
  return chapters;
}

/** The season's intro, when it lies inside the programme (before any credits). */
function introOf(source: ChapterSource): Segment | undefined {
  const intro = source.segments.find((segment) => segment.kind === 'intro');
  if (!intro || intro.end <= intro.start) return undefined;
  const programmeEnd = source.creditsStart ?? source.duration ?? Number.POSITIVE_INFINITY;
  return intro.end <= programmeEnd ? intro : undefined;
}

/** The programme from `start` to `end`, cut around the intro: Programme, Intro, Programme. */
function programme(start: number, end: number, intro: Segment | undefined): Chapter[] {
  if (!intro) return [{ start, end, label: CHAPTER_NAMES.programme }];
  const chapters: Chapter[] = [];
  if (intro.start > start) {
    chapters.push({ start, end: intro.start, label: CHAPTER_NAMES.programme });
  }
  chapters.push({ start: intro.start, end: intro.end, label: CHAPTER_NAMES.intro });
  if (end > intro.end) chapters.push({ start: intro.end, end, label: CHAPTER_NAMES.programme });
  return chapters;
}
