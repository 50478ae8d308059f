/**
 * The chapters every export shares (WebVTT, ffmetadata, embedded chapters): the programme,
 * the credits, and any scene after them. PURE.
 *
 * The names are chosen for the media servers that type chapters by name (issue 21):
 * Jellyfin's Chapter Segments Provider and intro-skipper's chapter analyzer make an Outro of
 * "Credits" and nothing of "Programme" or "Epilogue". A name with "credits" in it ("After the
 * credits") would have the scene after the credits typed Outro and skipped with them.
 */
import type { Segment } from '../detector/types.js';

export const CHAPTER_NAMES = {
  programme: 'Programme',
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
  if (creditsStart === null) {
    return duration ? [{ start: 0, end: duration, label: CHAPTER_NAMES.programme }] : [];
  }
  const chapters: Chapter[] = [];
  if (creditsStart > 0) {
    chapters.push({ start: 0, end: creditsStart, label: CHAPTER_NAMES.programme });
  }
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
