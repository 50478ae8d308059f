/**
 * Cross-validation folds for choosing settings (compare.ts, finetune.py via finetune-pack.ts):
 * a real clip's frames all share one fold, so each clip is predicted by a model that never
 * saw it; stills and synthetic frames go by id hash, a still's crops with it.
 */
import type { FrameItem } from './dataset.js';
import { hashString } from './rng.js';

export const FOLDS = 4;

export function isClipItem(item: Pick<FrameItem, 'group'>): boolean {
  return item.group !== 'synth' && item.group !== 'stills';
}

/** Clips by sorted name (round robin), other frames by the hash of their id less "-k". */
export function foldsOf(items: readonly Pick<FrameItem, 'id' | 'group'>[]): number[] {
  const clips = [...new Set(items.filter(isClipItem).map((i) => i.group))].sort();
  const clipFold = new Map(clips.map((c, k) => [c, k % FOLDS]));
  return items.map((item) =>
    isClipItem(item)
      ? (clipFold.get(item.group) ?? 0)
      : hashString(item.id.replace(/-\d+$/, '')) % FOLDS,
  );
}
