/**
 * The credits answer for a title from what is stored (PURE): an operator's override wins
 * over the detected result (its post-credits scene too: an override without one has none).
 * Used by the HTTP service and by the exports (server/export),
 * so a player, a sidecar and an embedded chapter always say the same thing.
 */
import type { Segment } from '../detector/types.js';
import type { ManualOverride, StoredResult } from '../store/types.js';
import type { CreditsAnswer } from './service.js';

export function creditsAnswer(
  titleId: string,
  stored: StoredResult | undefined,
  override: ManualOverride | undefined,
): CreditsAnswer {
  const result = stored?.result;
  if (!override) {
    return {
      titleId,
      creditsStart: result?.creditsStart ?? null,
      creditsEnd: result?.creditsEnd ?? null,
      segments: result?.segments ?? [],
      confidence: result?.confidence ?? 0,
      duration: result?.duration ?? null,
      modelVersion: stored?.modelVersion ?? null,
      source: result?.creditsSource === 'chapter' ? 'chapter' : 'detected',
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
      ? []
      : [{ kind: 'credits', start: override.creditsStart, end }];
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
  };
}
