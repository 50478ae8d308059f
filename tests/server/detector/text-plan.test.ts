import { describe, expect, it } from 'vitest';
import type { ScoredSample } from '../../../server/detector/decide.js';
import {
  applyTextCues,
  creditsCardsBack,
  endProbeWindow,
  FADE_S,
  fadingScreens,
  MAX_SHORT_CARD_TERMS,
  planTextReads,
  readingCues,
  shortCardsWithoutCredits,
  storyTextBeforeCredits,
  type TextCue,
  type TextRead,
  textlessBeforeCredits,
  titleCardBeforeCredits,
} from '../../../server/detector/text-plan.js';

const every = (from: number, to: number, step: number) =>
  Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => from + i * step);

/** A reading at `t` with `cue` whose words are `line`'s (space-separated). */
function wordsRead(t: number, cue: TextCue, line: string, storyLike?: boolean): TextRead {
  const terms = line.split(' ').filter(Boolean);
  return storyLike === undefined ? { t, cue, terms } : { t, cue, terms, storyLike };
}
const read = wordsRead;

/** Runs the planner against a "truth" cue per time until it has nothing left to read. */
function readAll(
  window: { start: number; end: number },
  truth: (t: number) => TextCue,
  earlier: readonly TextRead[] = [],
  origin?: number,
) {
  const reads: TextRead[] = [...earlier];
  const candidates = every(0, 40, 0.25);
  for (let round = 0; round < 10; round++) {
    const times = planTextReads(window, reads, candidates, origin === undefined ? {} : { origin });
    if (times.length === 0) break;
    for (const t of times) reads.push({ t, cue: truth(t) });
  }
  return reads;
}

describe('planTextReads', () => {
  it('reads near the start, then spreads over the run, one per 2 s, at most 4, and 6 s before it', () => {
    // 6 s: three readings, the first near the start; a 1-2 s card between others is read.
    expect(planTextReads({ start: 10, end: 16 }, [], every(0, 40, 0.25))).toEqual([4, 11, 13, 15]);
    expect(
      planTextReads({ start: 10, end: 16 }, [], every(0, 40, 0.25), { spreadSpacing: 3 }),
    ).toEqual([4, 11.5, 14.5]);
    const long = planTextReads({ start: 0, end: 40 }, [], every(0, 40, 0.25));
    expect(long).toEqual([1.5, 5, 15, 25, 35]);
  });

  it('reads only candidate times inside the run, and none twice', () => {
    expect(planTextReads({ start: 5, end: 6 }, [], [1, 2, 9])).toEqual([]);
    const once = planTextReads({ start: 10, end: 16 }, [], every(0, 40, 0.25));
    const reads = once.map((t) => ({ t, cue: 0 as TextCue }));
    expect(planTextReads({ start: 10, end: 16 }, reads, every(0, 40, 0.25))).toEqual([]);
  });

  it('bisects where "not credits" text meets other frames until they are 1 s apart', () => {
    const truth = (t: number): TextCue => (t < 27.6 ? -1 : 1);
    const reads = readAll({ start: 0, end: 36 }, truth);
    const sorted = reads.sort((a, b) => a.t - b.t);
    const lastOther = sorted.filter((r) => r.cue === -1).at(-1) as TextRead;
    const firstCredits = sorted.find((r) => r.cue === 1) as TextRead;
    expect(lastOther.t).toBeLessThan(27.6);
    expect(firstCredits.t).toBeGreaterThanOrEqual(27.6);
    expect(firstCredits.t - lastOther.t).toBeLessThanOrEqual(1);
    expect(reads.length).toBeLessThanOrEqual(10);
  });

  it('also pins "not credits" text that ends just before the run (a run text moved later)', () => {
    // A trailer's last card read at 18.5 s, credits text unread at 23.5 s; the run now starts
    // at 25 s. Unpinned, the card's cue would hold to 21 s, over the cut at 19 s.
    const reads: TextRead[] = [
      { t: 18.5, cue: -1 },
      { t: 23.5, cue: 0 },
      { t: 26, cue: 0 },
      { t: 28.5, cue: 0 },
      { t: 30, cue: 0 },
    ];
    const window = { start: 25, end: 31 };
    expect(planTextReads(window, reads, every(0, 40, 0.25))).toContain(21);
    // Pairs further back are left alone: that is story the run does not touch.
    const early = [{ t: 5, cue: -1 as TextCue }, { t: 10, cue: 0 as TextCue }, ...reads.slice(1)];
    expect(planTextReads(window, early, every(0, 40, 0.25))).toEqual([]);
  });

  it('leaves the start to the frame scores when credits text begins inside the run', () => {
    // Unreadable frames (0) until 20 s, credits text after: 5 spread readings, no bisection.
    const reads = readAll({ start: 0, end: 36 }, (t) => (t < 20 ? 0 : 1));
    expect(reads.map((r) => r.t).sort((a, b) => a - b)).toEqual([1.5, 4.5, 13.5, 22.5, 31.5]);
  });

  it('looks back from a run that opens with credits text, and pins where the text begins', () => {
    // Credits text from 10 s (where the frame scores put the start): the story before it
    // is read 6 s back, then bisected to 1 s of the first credits reading, no further.
    const reads = readAll({ start: 10, end: 36 }, (t) => (t >= 10 ? 1 : 0));
    const before = reads.filter((r) => r.t < 10).sort((a, b) => a.t - b.t);
    expect(before.map((r) => r.cue)).toEqual(before.map(() => 0));
    expect(before[0]?.t).toBe(4);
    const firstCredits = reads.filter((r) => r.cue === 1).sort((a, b) => a.t - b.t)[0] as TextRead;
    expect(firstCredits.t - (before.at(-1) as TextRead).t).toBeLessThanOrEqual(1);
    expect(before.length).toBeLessThanOrEqual(4);
  });

  it("finds credits text the frame scores missed at the run's start (a banner writing in)", () => {
    // The frame scores put the start at 5.4; the closing banner is legible from 2.5.
    const reads = readAll({ start: 5.4, end: 6.5 }, (t) => (t >= 2.5 ? 1 : 0));
    const firstCredits = reads.filter((r) => r.cue === 1).sort((a, b) => a.t - b.t)[0] as TextRead;
    expect(firstCredits.t).toBeLessThan(3.5);
  });

  it('looks back from a run that text moved later, from where that run begins', () => {
    // The first run (14-18, a "Coming soon" card) read as another screen; the decision then
    // chose 23-25, whose credits text (from 21.5) began before it.
    const truth = (t: number): TextCue => (t >= 14 && t < 18.5 ? -1 : t >= 21.5 ? 1 : 0);
    const reads = readAll({ start: 14, end: 18 }, truth);
    const later = readAll({ start: 23, end: 25 }, truth, reads, 14);
    const firstCredits = later.filter((r) => r.cue === 1).sort((a, b) => a.t - b.t)[0] as TextRead;
    expect(firstCredits.t).toBeGreaterThanOrEqual(21.5);
    expect(firstCredits.t).toBeLessThan(22.5);
  });

  it('looks back when the run opens with credits text (credits over the last scene)', () => {
    // The decision put the start at 26; credits text really starts at 9.
    const reads = readAll({ start: 26, end: 40 }, (t) => (t >= 9 ? 1 : 0));
    const sorted = reads.sort((a, b) => a.t - b.t);
    const firstCredits = sorted.find((r) => r.cue === 1) as TextRead;
    expect(firstCredits.t).toBeLessThan(10.5);
    expect(firstCredits.t).toBeGreaterThanOrEqual(9);
    expect(reads.length).toBeLessThanOrEqual(12);
  });
});

describe('creditsCardsBack', () => {
  it('counts a card writing itself in as credits, back to where its words begin', () => {
    const reads = [
      read(6, 1, 'grazie per attenzione experiments animations'),
      read(1, 0, ''),
      read(2, 0, 'grazie'),
      read(3, 0, 'grazie per'),
      read(4, 0, 'grazie per'),
    ];
    expect(creditsCardsBack(reads).map((r) => [r.t, r.cue])).toEqual([
      [1, 0], // nothing legible yet
      [2, 0], // one word is too little to tell one card from another
      [3, 1],
      [4, 1],
      [6, 1],
    ]);
  });

  it('leaves other text alone: a different card, a "not credits" screen, or credits not after it', () => {
    const cues = (reads: TextRead[]) => creditsCardsBack(reads).map((r) => r.cue);
    // A title card, then a billing block that does not repeat all of it.
    expect(cues([read(1, 0, 'children the city'), read(3, 1, 'directed marks the city')])).toEqual([
      0, 1,
    ]);
    expect(cues([read(1, -1, 'coming soon'), read(3, 1, 'coming soon directed')])).toEqual([-1, 1]);
    expect(cues([read(1, 1, 'thanks watching'), read(3, 0, 'thanks watching')])).toEqual([1, 0]);
    expect(
      cues([read(1, 0, 'grazie per'), read(3, 1, 'grazie per')].map(({ terms, ...r }) => r)),
    ).toEqual([0, 1]);
  });
});

describe('storyTextBeforeCredits', () => {
  const read = (t: number, cue: TextCue, line: string, storyLike = true) =>
    wordsRead(t, cue, line, storyLike);
  const cues = (reads: TextRead[]) => storyTextBeforeCredits(reads).map((r) => r.cue);

  it('reads text before the first credits text, and unlike it, as "not credits"', () => {
    // An epilogue in a language no word list knows, then the billing block.
    expect(
      cues([
        read(1, 0, ''),
        read(2, 0, 'despues una larga lucha'),
        read(4, 0, 'recuperando amada'),
        read(6, 1, 'directed keiko arai editor'),
        read(8, 0, 'keiko arai'),
      ]),
    ).toEqual([0, -1, -1, 1, 0]); // nothing legible, story, story, credits, after the credits
  });

  it('leaves alone a name card, a part of the credits card, one word, and titles without credits text', () => {
    expect(cues([read(1, 0, 'keiko arai', false), read(3, 1, 'written piotr kowal')])).toEqual([
      0, 1,
    ]);
    expect(cues([read(1, 0, 'keiko arai editor'), read(3, 1, 'directed keiko arai')])).toEqual([
      0, 1,
    ]);
    expect(cues([read(1, 0, 'fin'), read(3, 1, 'directed keiko arai')])).toEqual([0, 1]);
    expect(cues([read(1, 0, 'despues una larga lucha'), read(3, -1, 'coming soon')])).toEqual([
      0, -1,
    ]);
  });

  it('sees the readings after creditsCardsBack through readingCues: a card writing itself in stays credits', () => {
    const reads = [read(1, 0, 'grazie per'), read(3, 1, 'grazie per attenzione')];
    expect(readingCues(reads).map((r) => r.cue)).toEqual([1, 1]);
  });
});

describe('titleCardBeforeCredits', () => {
  const cues = (reads: TextRead[]) => titleCardBeforeCredits(reads).map((r) => r.cue);

  it('reads a lone word before the first credits text as "not credits": the story\'s title card', () => {
    expect(
      cues([
        read(1, 0, ''),
        read(3, 0, 'sintel'),
        read(7, 1, 'key grip mina haddad'),
        read(9, 0, 'haddad'),
      ]),
    ).toEqual([0, -1, 1, 0]); // nothing legible, the title, credits, after the credits
  });

  it('leaves alone a word of the credits card, a given name, two words, and titles without credits text', () => {
    expect(cues([read(1, 0, 'lumen'), read(3, 1, 'lumen pictures directed keiko arai')])).toEqual([
      0, 1,
    ]);
    expect(cues([read(1, 0, 'julia'), read(3, 1, 'directed piotr kowal')])).toEqual([0, 1]);
    expect(cues([read(1, 0, 'blue harbour'), read(3, 1, 'directed piotr kowal')])).toEqual([0, 1]);
    expect(cues([read(1, 0, 'sintel'), read(3, 0, 'keiko arai')])).toEqual([0, 0]);
    expect(cues([read(1, 0, 'sintel'), read(3, -1, 'coming soon')])).toEqual([0, -1]);
  });

  it('is part of readingCues', () => {
    expect(
      readingCues([read(1, 0, 'sintel'), read(3, 1, 'directed piotr kowal')]).map((r) => r.cue),
    ).toEqual([-1, 1]);
  });
});

describe('textlessBeforeCredits', () => {
  const cues = (reads: TextRead[]) => textlessBeforeCredits(reads).map((r) => r.cue);

  it('reads a frame with no word at all before the first credits text as "not credits"', () => {
    // Pixel-art scenes the classifier scores as credits, then Korean role cards.
    expect(
      cues([read(9, 0, ''), read(17, 0, ''), read(27, 0, 'sprite'), read(28, 1, '감독 강지우')]),
    ).toEqual([-1, -1, 0, 1]);
  });

  it('leaves alone textless frames after the credits text, readings without kept words, and titles without credits text', () => {
    expect(cues([read(1, 1, 'directed keiko arai'), read(3, 0, '')])).toEqual([1, 0]);
    expect(cues([{ t: 1, cue: 0 }, read(3, 1, 'directed keiko arai')])).toEqual([0, 1]);
    expect(cues([read(1, 0, ''), read(3, 0, 'hello')])).toEqual([0, 0]);
  });
});

describe('shortCardsWithoutCredits', () => {
  const cues = (reads: TextRead[]) => shortCardsWithoutCredits(reads).map((r) => r.cue);

  it('reads a lone word or a short line of story as "not credits" where no reading says credits', () => {
    // A short ending on an app's logo card.
    expect(
      cues([
        read(1, 0, ''),
        read(3, 0, 'brickfilm'),
        read(5, 0, 'brickfilm created with', true),
        read(7, -1, 'coming soon'),
      ]),
    ).toEqual([0, -1, -1, -1]);
  });

  it('reads a phrase of common words with no given name as "not credits": kinetic typography', () => {
    expect(
      cues([
        read(5, 0, 'hello tomorrow', false),
        read(13, 0, 'never stop moving', false),
        read(21, 0, 'faster than light', false),
        read(28, 0, 'one more', false),
      ]),
    ).toEqual([-1, -1, -1, -1]);
  });

  it('leaves alone a name card, a given name, longer text, and titles with credits text', () => {
    expect(cues([read(1, 0, 'june moreau', false), read(3, 0, 'julia')])).toEqual([0, 0]);
    // Names whose words are also common words, first a given name or not a word at all.
    expect(cues([read(1, 0, 'victor baker', false), read(3, 0, 'keiko arai', false)])).toEqual([
      0, 0,
    ]);
    const list = 'ipad pro iphone max mix home blackboard sony huawei'; // equipment under unread roles
    expect(list.split(' ').length).toBeGreaterThan(MAX_SHORT_CARD_TERMS);
    expect(cues([read(1, 0, list, true)])).toEqual([0]);
    expect(cues([read(1, 0, 'brickfilm'), read(3, 1, 'directed keiko arai')])).toEqual([0, 1]);
  });

  it('leaves alone a Korean full name, which OCR reads as one word, but not another lone Korean word', () => {
    expect(cues([read(1, 0, '박서연'), read(3, 0, '커피')])).toEqual([0, -1]);
  });
});

describe('fadingScreens', () => {
  const cues = (reads: TextRead[]) => fadingScreens(reads).map((r) => r.cue);

  it("gives an illegible reading just after a legible other screen that screen's cue: the card is fading out", () => {
    expect(
      cues([
        read(1, -1, 'coming soon'),
        read(1 + FADE_S, 0, ''),
        read(5, 1, 'directed keiko arai'),
      ]),
    ).toEqual([-1, -1, 1]);
  });

  it('leaves alone an illegible reading further on, after credits, after an illegible one, or one with words', () => {
    expect(cues([read(1, -1, 'coming soon'), read(1.1 + FADE_S, 0, '')])).toEqual([-1, 0]);
    expect(cues([read(1, 1, 'directed keiko arai'), read(1.5, 0, '')])).toEqual([1, 0]);
    expect(cues([read(1, -1, 'coming soon'), read(1.5, -1, ''), read(2, 0, '')])).toEqual([
      -1, -1, 0,
    ]);
    expect(cues([read(1, -1, 'coming soon'), read(1.5, 0, 'keiko arai')])).toEqual([-1, 0]);
  });

  it('leaves alone readings that kept no words (terms unknown)', () => {
    expect(
      cues([
        { t: 1, cue: -1 },
        { t: 1.5, cue: 0 },
      ]),
    ).toEqual([-1, 0]);
  });
});

describe('applyTextCues', () => {
  const samples: ScoredSample[] = every(0, 10, 1).map((t) => ({ t, p: 0.9 }));

  it('spreads "other screen" text to the nearest reading, credits text only on its own frame', () => {
    const out = applyTextCues(
      samples,
      [
        { t: 3, cue: -1 },
        { t: 7, cue: 1 },
      ],
      [{ start: 2, end: 9 }],
    );
    expect(out.map((s) => s.text)).toEqual([
      undefined,
      undefined,
      -1,
      -1,
      -1,
      -1,
      undefined,
      1,
      undefined,
      undefined,
      undefined,
    ]);
    expect(samples[3]?.text).toBeUndefined(); // the input is not modified
  });

  it('gives a card writing itself in the credits cue of the reading after it', () => {
    const out = applyTextCues(
      samples,
      [
        { t: 5, cue: 0, terms: ['grazie', 'per'] },
        { t: 7, cue: 1, terms: ['grazie', 'per', 'attenzione'] },
      ],
      [{ start: 4, end: 9 }],
    );
    // The frame between the two readings of the card is the card too.
    expect(out.map((s) => s.text ?? null).slice(4, 9)).toEqual([null, 1, 1, 1, null]);
  });

  it('gives the frames between two credits readings the credits cue, and no others', () => {
    const out = applyTextCues(
      samples,
      [
        { t: 2, cue: 1 },
        { t: 6, cue: 1 },
        { t: 8, cue: -1 },
        { t: 10, cue: 1 },
      ],
      [{ start: 0, end: 10 }],
    );
    // 3-5 lie between credits readings; 0-1 lie before the first, and 7 between credits and
    // a screen of another kind (credits text speaks only for its own frame).
    expect(out.map((s) => s.text ?? null)).toEqual([null, null, 1, 1, 1, 1, 1, null, -1, -1, 1]);
  });

  it('takes cues only from readings inside the same window', () => {
    // A second window (8-10) whose frame could not be read: the -1 read at 3 stays in 2-5.
    const out = applyTextCues(
      samples,
      [{ t: 3, cue: -1 }],
      [
        { start: 2, end: 5 },
        { start: 8, end: 10 },
      ],
    );
    expect(out.map((s) => s.text ?? null)).toEqual([
      null,
      null,
      -1,
      -1,
      -1,
      -1,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('leaves samples alone when nothing was read', () => {
    expect(applyTextCues(samples, [], [{ start: 0, end: 10 }])).toEqual(samples);
  });
});

describe('endProbeWindow', () => {
  it('is the last quarter of the analysed range, ending at the last non-blank sample', () => {
    expect(endProbeWindow(every(0, 200, 1), 0)).toEqual({ start: 150, end: 200 });
    expect(endProbeWindow(every(0, 200, 1), 100)).toEqual({ start: 175, end: 200 });
  });

  it('spans at least 10 s and at most 2 min, and not before the analysed range', () => {
    expect(endProbeWindow(every(0, 20, 1), 0)).toEqual({ start: 10, end: 20 });
    expect(endProbeWindow(every(0, 5, 1), 0)).toEqual({ start: 0, end: 5 });
    expect(endProbeWindow(every(0, 3600, 10), 0)).toEqual({ start: 3480, end: 3600 });
  });

  it('is null when no sample lies in the analysed range', () => {
    expect(endProbeWindow([], 0)).toBeNull();
    expect(endProbeWindow([1, 2, 3], 10)).toBeNull();
  });
});
