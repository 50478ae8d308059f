/**
 * Where to read text, and what the readings say about each sample (PURE).
 *
 * OCR costs ~0.3-0.8 s a frame, so only the credits run the decision chose is read: one
 * frame just after its start, one 6 s before it, a few spread over it; then, where a
 * reading says "not credits" and its neighbour does not, the frame halfway between them,
 * until the change is pinned to `resolution` seconds (a bisection, like the fine pass).
 * When the run opens with credits text, it pins where that text begins: if the frames before
 * the run read as credits too (credits over the last scene, which frame scores miss) it keeps
 * looking back, doubling the step; then it bisects between the last reading without credits
 * text and the first with it (a reading that shows part of the credits card after it counts
 * as credits: see creditsCardsBack). Other-screen text holds up to the nearest reading;
 * credits text speaks for its own frame (see applyTextCues).
 */
import { isCommonWord } from './common-words.js';
import type { ScoredSample } from './decide.js';
import { isPersonName } from './given-names.js';

export type TextCue = -1 | 0 | 1;

/** The look-back's longest step, seconds. */
const MAX_LOOK_BACK_S = 120;

export interface TextRead {
  /** The sample time that was read, seconds. */
  t: number;
  cue: TextCue;
  /** The distinct words read (folded, three letters or more), where kept. */
  terms?: readonly string[];
  /** The text reads like a line of story, not a name card (text-cues.ts isStoryLike), where kept. */
  storyLike?: boolean;
}

/** Words a cue-less reading must share with the credits reading after it to be the same card. */
const MIN_SHARED_TERMS = 2;

export interface TextWindow {
  start: number;
  end: number;
}

export interface TextPlanOptions {
  /** Readings spread over a run before any bisection: one per `spreadSpacing` s, at most this many (default 4). */
  initialReads?: number;
  /**
   * A run gets one spread reading per this many seconds, up to `initialReads` (default 2:
   * a "Coming soon" card between a title logo and the billing block lasts 1-2 s).
   */
  spreadSpacing?: number;
  /** Seconds from a run's start to its first reading x 2, and the look-back's first step / 2 (default 3). */
  spacing?: number;
  /** Stop bisecting when disagreeing readings are this close, seconds (default 1). */
  resolution?: number;
  /**
   * Where the first run read began (the frame scores' start, before any text moved it).
   * Credits text found before it is what the look-back pins; default: the window's start.
   */
  origin?: number;
}

/**
 * The sample times to read next inside `window`, given the readings so far. `candidates` are
 * the times that may be read (the window's non-blank samples). Empty: nothing left to learn.
 */
export function planTextReads(
  window: TextWindow,
  reads: readonly TextRead[],
  candidates: readonly number[],
  options: TextPlanOptions = {},
): number[] {
  const spacing = options.spacing ?? 3;
  const resolution = options.resolution ?? 1;
  const inside = candidates
    .filter((t) => t >= window.start - 1e-6 && t <= window.end + 1e-6)
    .sort((a, b) => a - b);
  if (inside.length === 0) return [];
  const readTimes = reads.map((r) => r.t);
  const planned = new Set<number>();
  const isRead = (t: number) => readTimes.some((r) => Math.abs(r - t) < 1e-6);

  // Spread: near the start (is the boundary right?), then evenly over the window, skipping
  // places a reading already covers.
  const length = window.end - window.start;
  const count = Math.max(
    1,
    Math.min(options.initialReads ?? 4, Math.ceil(length / (options.spreadSpacing ?? 2))),
  );
  const targets = Array.from(
    { length: count },
    (_, i) => window.start + (length * (i + 0.5)) / count,
  );
  if ((targets[0] as number) > window.start + spacing) targets.unshift(window.start + spacing / 2);
  for (const target of targets) {
    if (readTimes.some((r) => Math.abs(r - target) < spacing / 2)) continue;
    const t = nearest(inside, target);
    if (t !== undefined && !isRead(t)) planned.add(t);
  }
  const all = [...candidates].sort((a, b) => a - b);
  if (reads.length === 0) {
    // The first look back, read with the spread rather than a round later: most credits runs
    // open with credits text, which asks for it.
    const t = nearest(
      all.filter((c) => c < window.start - spacing / 2),
      window.start - 2 * spacing,
    );
    if (t !== undefined) planned.add(t);
  }

  const sorted = readingCues(reads);
  const bisect = (left: TextRead, right: TextRead) => {
    if (right.t - left.t <= resolution) return;
    const between = all.filter((t) => t > left.t + 1e-6 && t < right.t - 1e-6);
    const t = nearest(between, (left.t + right.t) / 2);
    if (t !== undefined) planned.add(t);
  };

  // Bisect between neighbouring readings where one says "not credits" and the other does not,
  // in the run and in the stretch before it that the first look back reads: a run that text
  // moved later leaves such a pair just before it, and unpinned, the "not credits" reading
  // would hold over a cut to credits up to halfway to its neighbour.
  for (let i = 1; i < sorted.length; i++) {
    const left = sorted[i - 1] as TextRead;
    const right = sorted[i] as TextRead;
    if ((left.cue === -1) === (right.cue === -1)) continue;
    if (right.t < window.start - 2 * spacing || left.t > window.end) continue;
    bisect(left, right);
  }

  const back = lookBack(sorted, all, window, spacing, options.origin ?? window.start);
  if (typeof back === 'number') {
    if (!isRead(back)) planned.add(back);
  } else if (back) {
    bisect(...back);
  }
  return [...planned].sort((a, b) => a - b);
}

/** The end probe's share of the analysed range, and its bounds in seconds. */
const END_PROBE_SHARE = 0.25;
const END_PROBE_MIN_S = 10;
const END_PROBE_MAX_S = 120;

/**
 * Where to read when the frame scores found no credits and no run that nearly was: the last
 * stretch of picture (a quarter of the analysed range, 10 s to 2 min, ending at the last
 * non-blank sample). Credits the classifier scores low (small print beside art, cards in
 * another script) are still read there, and credits text read is the positive evidence that
 * lets the decision find them. Null when there is no picture to read.
 */
export function endProbeWindow(solid: readonly number[], from: number): TextWindow | null {
  const end = solid.reduce(
    (last, t) => (t >= from && t > last ? t : last),
    Number.NEGATIVE_INFINITY,
  );
  if (!Number.isFinite(end)) return null;
  const length = Math.min(
    END_PROBE_MAX_S,
    Math.max(END_PROBE_MIN_S, (end - from) * END_PROBE_SHARE),
  );
  return { start: Math.max(from, end - length), end };
}

/**
 * Looking back from a run that opens with credits text: the time to read next (doubling the
 * distance while the readings before the run still read as credits), or the pair of
 * readings between which the text begins (to bisect); undefined when there is no such run.
 */
function lookBack(
  sorted: readonly TextRead[],
  all: readonly number[],
  window: TextWindow,
  spacing: number,
  origin: number,
): number | [TextRead, TextRead] | undefined {
  const firstCredits = sorted.findIndex((r) => r.cue === 1);
  const first = sorted[firstCredits];
  if (first && firstCredits === 0 && first.t <= origin + spacing) {
    const next = sorted[1];
    const back = Math.min(
      MAX_LOOK_BACK_S,
      Math.max(2 * spacing, next?.cue === 1 ? 2 * (next.t - first.t) : 0),
    );
    return nearest(
      all.filter((c) => c < first.t - spacing / 2),
      first.t - back,
    );
  }
  if (first && firstCredits > 0 && first.t <= Math.max(origin, window.start) + spacing) {
    const before = sorted[firstCredits - 1] as TextRead;
    if (before.cue === 0) return [before, first];
  }
  return undefined;
}

/**
 * The readings, in time order, where a reading without a cue that shows only words of the
 * credits reading right after it counts as credits too: a card writing or fading itself in
 * is legible before its cue words are ("GRAZIE PER" before "GRAZIE PER L'ATTENZIONE").
 * planTextReads and applyTextCues see the readings through it.
 */
export function creditsCardsBack(reads: readonly TextRead[]): TextRead[] {
  const sorted = [...reads].sort((a, b) => a.t - b.t);
  for (let i = sorted.length - 2; i >= 0; i--) {
    const read = sorted[i] as TextRead;
    const next = sorted[i + 1] as TextRead;
    if (read.cue !== 0 || next.cue !== 1) continue;
    const later = new Set(next.terms ?? []);
    const terms = read.terms ?? [];
    if (terms.length >= MIN_SHARED_TERMS && terms.every((w) => later.has(w))) {
      sorted[i] = { ...read, cue: 1 };
    }
  }
  return sorted;
}

/** Fewest distinct words a reading needs to count as story text before the credits. */
export const MIN_STORY_TERMS = 2;

/**
 * The readings, in time order, where text before the first credits reading that says
 * nothing credit-like, reads like a line of story rather than a name card (`storyLike`) and
 * is not that credits card (it shares fewer than half its words with it) reads as "not
 * credits": the story's last text screens, an epilogue in a language no word list knows.
 * Issue 17: credits are confirmed by what they say, so such text before the credits text is
 * not the credits' beginning. A name card ("KEIKO ARAI") is left alone: credits often open
 * with one. So is a title without credits text: there is nothing to tell story text from.
 */
export function storyTextBeforeCredits(sorted: readonly TextRead[]): TextRead[] {
  return againstBeforeCredits(sorted, (read, credits) => {
    const terms = read.terms ?? [];
    if (!read.storyLike || terms.length < MIN_STORY_TERMS) return false;
    const shared = terms.filter((w) => credits.has(w)).length;
    return shared * 2 < terms.length;
  });
}

/**
 * The readings, in time order, where each reading without a cue before the first credits
 * reading that `against` picks (given the words of that credits reading) reads as "not
 * credits". Unchanged where no reading says credits.
 */
function againstBeforeCredits(
  sorted: readonly TextRead[],
  against: (read: TextRead, credits: ReadonlySet<string>) => boolean,
): TextRead[] {
  const first = sorted.find((r) => r.cue === 1);
  if (!first) return sorted.slice();
  const credits = new Set(first.terms ?? []);
  return sorted.map((read) =>
    read.t < first.t && read.cue === 0 && against(read, credits) ? { ...read, cue: -1 } : read,
  );
}

/**
 * The readings, in time order, where a reading that read no word at all before the first
 * credits reading reads as "not credits": in a title whose credits OCR can read, a frame
 * with nothing legible before them is the story's (sprites, a dark scene the classifier
 * scores as credits), and the credits start where their text does. Issue 17: credits are
 * confirmed by what they say. The planner then pins where the text begins, as it does for
 * story text. Readings whose words were not kept (`terms` absent) are left alone.
 */
export function textlessBeforeCredits(sorted: readonly TextRead[]): TextRead[] {
  return againstBeforeCredits(sorted, (read) => read.terms?.length === 0);
}

/**
 * The readings, in time order, where a lone word before the first credits reading that is
 * no cue, no given name and not on that credits card reads as "not credits": the title card
 * that closes a story ("SINTEL") or an end card in a language no word list knows. Such a
 * card before the billing block is the story's, not the credits' (the shared Sintel trailer's
 * labels; issue 17's end title card 3 s early). One word on the credits card itself (a roll's
 * first line, a logo the card repeats) stays, and so does one word with no credits text after
 * it: there is nothing to tell a title from.
 */
export function titleCardBeforeCredits(sorted: readonly TextRead[]): TextRead[] {
  return againstBeforeCredits(sorted, (read, credits) => {
    const word = loneWord(read);
    return word !== undefined && !credits.has(word);
  });
}

/**
 * The word of a reading that read one word only and no person's name (a title, a logo). A
 * Korean full name is one word ("박서연"): a name card, not a title.
 */
function loneWord(read: TextRead): string | undefined {
  const word = read.terms?.length === 1 ? read.terms[0] : undefined;
  return word !== undefined && !isPersonName(word) ? word : undefined;
}

/** Most distinct words of a card that shortCardsWithoutCredits weighs. */
export const MAX_SHORT_CARD_TERMS = 3;

/**
 * The readings, in time order, where in a title whose readings never say credits a short
 * card that says nothing credit-like reads as "not credits": one word that is no given name
 * (a logo, a title), a short line of story ("created with Brickfilm"), or a phrase of
 * common English words and no given name (a slogan: "HELLO TOMORROW", "FASTER THAN LIGHT"),
 * the cards a short, a trailer or kinetic typography shows. Issue 17: legible text that says
 * nothing credit-like counts against credits. Longer text is left alone (a credits list the
 * English look half reads, under roles in a script it cannot: equipment under Chinese
 * roles), and so is a name card, listed given name or not ("JUNE MOREAU").
 */
export function shortCardsWithoutCredits(sorted: readonly TextRead[]): TextRead[] {
  if (sorted.some((r) => r.cue === 1)) return sorted.slice();
  return sorted.map((read) => {
    const terms = read.terms ?? [];
    if (read.cue !== 0 || terms.length === 0 || terms.length > MAX_SHORT_CARD_TERMS) return read;
    const against = loneWord(read) !== undefined || read.storyLike || isPhrase(terms);
    return against ? { ...read, cue: -1 } : read;
  });
}

/** Words of common English only, none a given name: a phrase, not a person's name. */
function isPhrase(terms: readonly string[]): boolean {
  return terms.every((w) => isCommonWord(w) && !isPersonName(w));
}

/** Seconds after a legible "not credits" reading within which an illegible one is that screen fading. */
export const FADE_S = 1;

/**
 * The readings, in time order, where one that read no word at all, within FADE_S after a
 * reading of another kind of screen that did read words, says what that one said: a card
 * fading out is illegible to OCR before it is gone, and frame scores still see text on a
 * dark ground there. Only from a legible reading, so a run of dark frames does not carry it on.
 */
export function fadingScreens(sorted: readonly TextRead[]): TextRead[] {
  return sorted.map((read, i) => {
    const before = sorted[i - 1];
    if (!before || read.cue !== 0 || (read.terms?.length ?? 1) > 0) return read;
    const legible = before.cue === -1 && (before.terms?.length ?? 0) > 0;
    return legible && read.t - before.t <= FADE_S + 1e-6 ? { ...read, cue: -1 } : read;
  });
}

/**
 * The readings as the plan and the decision see them: creditsCardsBack, then
 * storyTextBeforeCredits, textlessBeforeCredits, titleCardBeforeCredits and
 * shortCardsWithoutCredits, then fadingScreens.
 */
export function readingCues(reads: readonly TextRead[]): TextRead[] {
  const weighed = titleCardBeforeCredits(
    textlessBeforeCredits(storyTextBeforeCredits(creditsCardsBack(reads))),
  );
  return fadingScreens(shortCardsWithoutCredits(weighed));
}

/**
 * The samples with `text` set from the nearest reading inside the same read window (a
 * sample in no window, or in windows without readings, is left as it was). Credits text
 * speaks only for its own frame (within `creditsReach` s): a reading 2 s into the credits
 * must not pull the story before it into them (the frame scores place that edge; a coarse
 * sample already stands for seconds). Text of another screen holds up to the next reading,
 * as such screens last (bisection pins their edges).
 */
export function applyTextCues(
  samples: readonly ScoredSample[],
  reads: readonly TextRead[],
  windows: readonly TextWindow[],
  creditsReach = 0.5,
): ScoredSample[] {
  if (reads.length === 0) return samples.slice();
  const cues = readingCues(reads);
  const within = (w: TextWindow, t: number) => t >= w.start - 1e-6 && t <= w.end + 1e-6;
  return samples.map((s) => {
    let best: TextRead | undefined;
    for (const w of windows) {
      if (!within(w, s.t)) continue;
      for (const r of cues) {
        if (within(w, r.t) && (!best || Math.abs(r.t - s.t) < Math.abs(best.t - s.t))) best = r;
      }
    }
    if (!best) return s;
    if (best.cue === 1 && Math.abs(best.t - s.t) > creditsReach && !betweenCredits(cues, s.t)) {
      return s;
    }
    return { ...s, text: best.cue };
  });
}

/**
 * True when the readings just before and just after `t` both read as credits: frames
 * between two credits readings are credits too, however the classifier scores them (small
 * print beside art, a card in another script), since credits don't stop for story and
 * resume.
 */
function betweenCredits(sorted: readonly TextRead[], t: number): boolean {
  const after = sorted.findIndex((r) => r.t > t);
  if (after <= 0) return false;
  return sorted[after - 1]?.cue === 1 && sorted[after]?.cue === 1;
}

function nearest(times: readonly number[], target: number): number | undefined {
  let best: number | undefined;
  for (const t of times)
    if (best === undefined || Math.abs(t - target) < Math.abs(best - target)) best = t;
  return best;
}
