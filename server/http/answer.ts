/**
 * The credits answer for a title from what is stored (PURE): an operator's override wins
 * over the detected result (its post-credits scene too: an override without one has none).
 * The intro comes from the title's season (issue 22) and is kept under an override, which
 * says nothing about the opening; it is listed first in `segments`. The season's shared end
 * music weighs a detected start (`seriesConfidence`, series/closing.ts); a start before it is
 * replaced by the season job's re-run bounded by it when that lies inside the music
 * ('bounded-by-music', `singleCreditsStart` keeping the detected one). An override wins.
 * Used by the HTTP service and by the exports (server/export),
 * so a player, a sidecar and an embedded chapter always say the same thing.
 */
import type { DetectionResult, Segment } from '../detector/types.js';
import { boundedCredits } from '../series/closing.js';
import type { Intro } from '../series/intro.js';
import type { IntroState } from '../series/season-key.js';
import type { BoundedCredits, ManualOverride, StoredResult } from '../store/types.js';
import type { CreditsAnswer } from './service.js';

/** Unknown: the caller did not look (lists); the credits route always does. */
const NO_INTRO: IntroState = { intro: null, introReason: null };

export function creditsAnswer(
  titleId: string,
  stored: StoredResult | undefined,
  override: ManualOverride | undefined,
  season: IntroState = NO_INTRO,
): CreditsAnswer {
  const result = stored?.result;
  const intro = season.intro
    ? { start: season.intro.start, end: season.intro.end, confidence: season.intro.confidence }
    : null;
  const introPart = { intro, introReason: intro ? null : season.introReason };
  const introSegments: Segment[] = intro
    ? [{ kind: 'intro', start: intro.start, end: intro.end }]
    : [];
  if (!override) {
    const music =
      result && season.closing !== undefined
        ? endMusicPart(result, stored?.modelVersion, season.closing, season.bounded)
        : undefined;
    if (music?.bounded) {
      const { bounded } = music;
      return {
        titleId,
        creditsStart: bounded.creditsStart,
        creditsEnd: bounded.creditsEnd,
        segments: [...introSegments, ...bounded.segments.filter((s) => s.kind !== 'intro')],
        confidence: bounded.confidence,
        duration: result?.duration ?? null,
        modelVersion: stored?.modelVersion ?? null,
        source: 'detected',
        ...introPart,
        ...music.part,
        singleCreditsStart: result?.creditsStart ?? null,
      };
    }
    return {
      titleId,
      creditsStart: result?.creditsStart ?? null,
      creditsEnd: result?.creditsEnd ?? null,
      segments: [...introSegments, ...(result?.segments ?? []).filter((s) => s.kind !== 'intro')],
      confidence: result?.confidence ?? 0,
      duration: result?.duration ?? null,
      modelVersion: stored?.modelVersion ?? null,
      source: result?.creditsSource === 'chapter' ? 'chapter' : 'detected',
      ...introPart,
      ...(music ? music.part : {}),
    };
  }
  const post = override.creditsStart === null ? null : (override.postCredits ?? null);
  const end =
    override.creditsEnd ??
    post?.start ??
    override.duration ??
    result?.duration ??
    override.creditsStart;
  const segments: Segment[] =
    override.creditsStart === null || end === null
      ? [...introSegments]
      : [...introSegments, { kind: 'credits', start: override.creditsStart, end }];
  if (post) segments.push({ kind: 'post-credits', start: post.start, end: post.end });
  return {
    titleId,
    creditsStart: override.creditsStart,
    creditsEnd: override.creditsEnd ?? post?.start ?? null,
    segments,
    confidence: 1,
    duration: override.duration ?? result?.duration ?? null,
    modelVersion: stored?.modelVersion ?? null,
    source: 'manual',
    ...introPart,
  };
}

/**
 * What `endcue detect --series` says beside a start: the end music and how it bears on it,
 * and the bounded re-run when it replaces the start (only a re-run of this very result).
 */
function endMusicPart(
  result: DetectionResult,
  modelVersion: string | undefined,
  music: Intro | null,
  bounded: BoundedCredits | undefined,
): {
  part: Pick<CreditsAnswer, 'endMusic' | 'endMusicEvidence' | 'seriesConfidence'>;
  bounded?: BoundedCredits;
} {
  const current =
    bounded &&
    bounded.from.creditsStart === result.creditsStart &&
    bounded.from.modelVersion === modelVersion
      ? bounded
      : null;
  const combined = boundedCredits(result, current, music, result.duration);
  const part = {
    endMusic: music && { start: music.start, end: music.end, confidence: music.confidence },
    endMusicEvidence: combined.evidence,
    seriesConfidence: combined.confidence,
  };
  return combined.evidence === 'bounded-by-music' && current
    ? { part, bounded: current }
    : { part };
}
