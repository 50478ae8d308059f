/**
 * The fixed tuning / held-out split of the real clips in ../shared/data
 * (bench/eval-split.json, chosen before tuning on the held-out part). The eval reports by it,
 * and training never reads a held-out clip.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type SplitPart = 'tuning' | 'held-out';

interface SplitSide {
  folders: string[];
  /** Single clips moved to this side from their folder's (`folder/file`). */
  clips?: string[];
  joins: Array<[string, string]>;
}

interface Split {
  tuning: SplitSide;
  'held-out': SplitSide;
}

export const SPLIT = JSON.parse(
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'eval-split.json'), 'utf8'),
) as Split;

/**
 * Which part a clip of ../shared/data is on: a clip the split moves by name goes where it
 * says (a held-out clip that a rule was chosen on moves to tuning); otherwise its folder's
 * part, and a folder the split does not name is held-out.
 */
export function partOf(folder: string, file?: string): SplitPart {
  if (file !== undefined) {
    const clip = `${folder}/${file}`;
    if (SPLIT.tuning.clips?.includes(clip)) return 'tuning';
    if (SPLIT['held-out'].clips?.includes(clip)) return 'held-out';
  }
  return SPLIT.tuning.folders.includes(folder) ? 'tuning' : 'held-out';
}
