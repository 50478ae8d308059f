import { describe, expect, it } from 'vitest';
import type { AudioFingerprint } from '../../../server/fingerprint/types.js';
import { agreeIntros, type IntroAnswer, seasonIntros } from '../../../server/series/intro.js';
import { episode, randomItems } from './synthetic.js';

const theme = randomItems(99, 25);

/** start/end of each answer rounded to 0.5 s (null when none). */
function spans(answers: IntroAnswer[]) {
  return answers.map((answer) =>
    answer.intro ? [round(answer.intro.start), round(answer.intro.end)] : answer.reason,
  );
}
const round = (seconds: number) => Math.round(seconds * 2) / 2;

describe('seasonIntros', () => {
  it('finds an intro at 0 s in every episode', () => {
    const season = [1, 2, 3, 4].map((seed) => episode(theme, { seed, introAt: 0, seconds: 240 }));
    expect(spans(seasonIntros(season))).toEqual([
      [0, 25],
      [0, 25],
      [0, 25],
      [0, 25],
    ]);
  });

  it('finds intros after cold opens of different lengths (the start is not 0)', () => {
    const at = [12, 47, 90, 3];
    const season = at.map((introAt, i) => episode(theme, { seed: 10 + i, introAt, seconds: 300 }));
    const answers = seasonIntros(season);
    expect(spans(answers)).toEqual(at.map((start) => [start, start + 25]));
    expect(answers.map((a) => a.intro?.confidence)).toEqual([1, 1, 1, 1]);
  });

  it('keeps the whole intro where a sibling has it cut short, and the short part there', () => {
    const season = [
      episode(theme, { seed: 21, introAt: 30, seconds: 240 }),
      episode(theme, { seed: 22, introAt: 60, seconds: 240 }),
      episode(theme, { seed: 23, introAt: 20, seconds: 240, theme: { from: 0, to: 17 } }),
    ];
    expect(spans(seasonIntros(season))).toEqual([
      [30, 55],
      [60, 85],
      [20, 37],
    ]);
  });

  it('agrees in a season of two episodes', () => {
    const season = [
      episode(theme, { seed: 31, introAt: 70, seconds: 240 }),
      episode(theme, { seed: 32, introAt: 5, seconds: 240 }),
    ];
    const answers = seasonIntros(season);
    expect(spans(answers)).toEqual([
      [70, 95],
      [5, 30],
    ]);
    expect(answers[0]?.intro?.confidence).toBe(1);
  });

  it('gives null with the reason: nothing shared, no siblings, no audio', () => {
    const unrelated = [41, 42, 43].map((seed) => ({ start: 0, items: randomItems(seed, 240) }));
    expect(spans(seasonIntros(unrelated))).toEqual([
      'nothing-shared',
      'nothing-shared',
      'nothing-shared',
    ]);
    const alone = episode(theme, { seed: 44, introAt: 10, seconds: 240 });
    expect(spans(seasonIntros([alone]))).toEqual(['no-siblings']);
    expect(spans(seasonIntros([alone, null]))).toEqual(['no-siblings', 'no-audio']);
  });

  it('gives null to the one episode without the intro, and its siblings theirs', () => {
    const season: AudioFingerprint[] = [
      episode(theme, { seed: 51, introAt: 15, seconds: 240 }),
      { start: 0, items: randomItems(52, 240) },
      episode(theme, { seed: 53, introAt: 40, seconds: 240 }),
    ];
    const answers = seasonIntros(season);
    expect(spans(answers)).toEqual([[15, 40], 'nothing-shared', [40, 65]]);
    expect(answers[0]?.intro?.confidence).toBe(0.5);
  });

  it('prefers the stretch most siblings share over a recap two episodes share', () => {
    const recap = randomItems(60, 40);
    const season = [61, 62, 63, 64].map((seed, i) =>
      episode(theme, { seed, introAt: 100 + 10 * i, seconds: 300 }),
    );
    // Episode 2 opens with a recap of episode 1's story (longer than the intro).
    season[0]?.items.set(recap, 1800);
    season[1]?.items.set(recap, 0);
    expect(spans(seasonIntros(season))).toEqual([
      [100, 125],
      [110, 135],
      [120, 145],
      [130, 155],
    ]);
  });
});

describe('agreeIntros', () => {
  it('chooses by the length the season usually shares when siblings tie', () => {
    const answers = agreeIntros(
      [true, true],
      [
        {
          a: 0,
          b: 1,
          runs: [
            { aStart: 100, aEnd: 160, bStart: 10, bEnd: 70 },
            { aStart: 20, aEnd: 40, bStart: 200, bEnd: 220 },
          ],
        },
      ],
    );
    expect(answers.map((a) => a.intro && [a.intro.start, a.intro.end])).toEqual([
      [100, 160],
      [10, 70],
    ]);
  });

  it('leaves out the one most outlying edge when three or more siblings saw the intro', () => {
    // Episode 0's intro is 10-30 s; its pair with episode 3 ran on 1.5 s by chance.
    const run = (end: number, bStart: number) => ({
      aStart: 10,
      aEnd: end,
      bStart,
      bEnd: bStart + 20,
    });
    const pairs = [
      { a: 0, b: 1, runs: [run(30, 5)] },
      { a: 0, b: 2, runs: [{ ...run(30, 40), aStart: 9.8 }] },
      { a: 0, b: 3, runs: [{ ...run(31.5, 60), aStart: 8.2 }] },
    ];
    const [four] = agreeIntros([true, true, true, true], pairs);
    expect(four?.intro && [four.intro.start, four.intro.end]).toEqual([9.8, 30]);
    // With two siblings, the union: what either saw.
    const [three] = agreeIntros([true, true, true, true], pairs.slice(1));
    expect(three?.intro && [three.intro.start, three.intro.end]).toEqual([8.2, 31.5]);
  });
});
