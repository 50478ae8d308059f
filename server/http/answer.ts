/**
 * The credits answer for a title from what is stored (PURE): an operator's override wins
 * over the detected result. Used by the HTTP service and by the exports (server/export),
 * so a player, a sidecar and an embedded chapter always say the same thing.
 */
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
      source: 'detected',
    };
  }
  const end = override.creditsEnd ?? override.duration ?? result?.duration ?? override.creditsStart;
  return {
    titleId,
    creditsStart: override.creditsStart,
    creditsEnd: override.creditsEnd,
    segments:
      override.creditsStart === null || end === null
        ? []
        : [{ kind: 'credits', start: override.creditsStart, end }],
    confidence: 1,
    duration: override.duration ?? result?.duration ?? null,
    modelVersion: stored?.modelVersion ?? null,
    source: 'manual',
  };
}
