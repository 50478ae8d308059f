import { describe, expect, it } from 'vitest';
import {
  chooseValue,
  clipsOf,
  ERROR_CAP_S,
  type LocoRow,
  leaveOneClipOut,
  locoError,
  scoreByValue,
} from '../../bench/leave-one-out.js';

/** Rows for one title: `hits` lists the grid values it is right at; error 0 there, 5 elsewhere. */
function title(
  name: string,
  grid: readonly number[],
  hits: readonly number[],
  groups: string[] = [name],
): LocoRow<number>[] {
  return grid.map((value) => ({
    title: name,
    groups,
    value,
    hit: hits.includes(value),
    absError: hits.includes(value) ? 0 : 5,
  }));
}

describe('chooseValue', () => {
  const grid = [1, 2, 3, 4];

  it('picks the value with most hits', () => {
    const rows = [...title('a', grid, [3, 4]), ...title('b', grid, [3]), ...title('c', grid, [1])];
    expect(chooseValue(rows, grid, 1)).toBe(3);
  });

  it('breaks a tie in hits by the smaller mean error', () => {
    const rows: LocoRow<number>[] = [
      ...title('a', grid, [1, 3]),
      ...grid.map((value) => ({
        title: 'b',
        groups: ['b'],
        value,
        hit: false,
        absError: value === 3 ? 1 : 4,
      })),
    ];
    expect(chooseValue(rows, grid, 1)).toBe(3);
  });

  it('keeps the default among equals, then the nearest to it, then the earlier one', () => {
    const rows = [...title('a', grid, [1, 2, 4])];
    expect(chooseValue(rows, grid, 2)).toBe(2);
    // The default 3 is wrong; 2 and 4 are right and one step from it: the earlier one.
    expect(chooseValue(rows, grid, 3)).toBe(2);
    const even = [...title('a', grid, [1, 3])];
    // default 2 is wrong; 1 and 3 are right and as near: the earlier one.
    expect(chooseValue(even, grid, 2)).toBe(1);
    expect(chooseValue(even, grid, 4)).toBe(3);
  });

  it('keeps the default on an empty training set', () => {
    expect(chooseValue(title('a', grid, [4]), grid, 2, new Set())).toBe(2);
  });

  it('handles Infinity and labels as grid values', () => {
    const inf = [1, 2, Number.POSITIVE_INFINITY];
    expect(chooseValue(title('a', inf, [Number.POSITIVE_INFINITY]), inf, 2)).toBe(
      Number.POSITIVE_INFINITY,
    );
    const labels = ['auto', '0.5', '1'];
    const rows: LocoRow<string>[] = labels.map((value) => ({
      title: 'a',
      groups: ['a'],
      value,
      hit: value === '1',
      absError: 0,
    }));
    expect(chooseValue(rows, labels, 'auto')).toBe('1');
  });
});

describe('leaveOneClipOut', () => {
  const grid = [1, 2, 3];

  it('flips the choice when the clip that carried it is left out', () => {
    // Two titles are right only at 3, one only at 1; the default 2 is right on none.
    const rows = [
      ...title('a', grid, [3]),
      ...title('b', grid, [3]),
      ...title('c', grid, [1]),
      ...title('d', grid, [1, 3]),
    ];
    const r = leaveOneClipOut(rows, grid, 2);
    expect(r.chosenOnAll).toBe(3);
    const by = new Map(r.titles.map((t) => [t.title, t]));
    // Without a, the others tie 2-2 between 1 and 3: 1 and 3 are as near the default, 1 first.
    expect(by.get('a')?.chosen).toBe(1);
    expect(by.get('a')?.hitWithChosen).toBe(false);
    expect(by.get('b')?.chosen).toBe(1);
    expect(by.get('c')?.chosen).toBe(3);
    expect(by.get('d')?.chosen).toBe(3);
    expect(r.defaultHits).toBe(0);
    expect(r.locoHits).toBe(1);
    expect(r.gained).toEqual(['d']);
    expect(r.lost).toEqual([]);
    expect(r.choices).toEqual([
      { value: 1, count: 2 },
      { value: 3, count: 2 },
    ]);
  });

  it('counts a title right with the default and wrong with its choice as lost', () => {
    const rows = [
      ...title('a', grid, [2]),
      ...title('b', grid, [3]),
      ...title('c', grid, [3]),
      ...title('d', grid, [3]),
      ...title('e', grid, [2, 3]),
    ];
    const r = leaveOneClipOut(rows, grid, 2);
    expect(r.titles.map((t) => t.chosen)).toEqual([3, 3, 3, 3, 3]);
    expect(r.lost).toEqual(['a']);
    expect(r.gained).toEqual(['b', 'c', 'd']);
    expect(r.defaultHits).toBe(2);
    expect(r.locoHits).toBe(4);
  });

  it('leaves out every title that shares a clip with the left-out one', () => {
    // Leaving out clip c leaves out the join s+c too, the other title right at 3 but y.
    const rows = [
      ...title('c', grid, [3]),
      ...title('s+c', grid, [3], ['s', 'c']),
      ...title('x', grid, [1]),
      ...title('y', grid, [3]),
    ];
    const r = leaveOneClipOut(rows, grid, 2);
    const by = new Map(r.titles.map((t) => [t.title, t]));
    // Trained on x and y alone: 1 and 3 tie, as near the default: the earlier one.
    expect(by.get('c')?.trainedOn).toBe(2);
    expect(by.get('c')?.chosen).toBe(1);
    expect(by.get('s+c')?.trainedOn).toBe(2);
    expect(by.get('s+c')?.chosen).toBe(1);
    expect(by.get('x')?.chosen).toBe(3);
    expect(by.get('y')?.chosen).toBe(3);
    expect(r.locoHits).toBe(1);
    // Were the join not grouped with its clip, c would be chosen on it too: 3, right.
    const ungrouped = rows.map((row) => ({ ...row, groups: [row.title] }));
    const c = leaveOneClipOut(ungrouped, grid, 2).titles.find((t) => t.title === 'c');
    expect(c?.trainedOn).toBe(3);
    expect(c?.chosen).toBe(3);
  });

  it('rejects a default outside the grid and a missing row', () => {
    expect(() => leaveOneClipOut(title('a', grid, [1]), grid, 5)).toThrow(/not in the grid/);
    const rows = title('a', grid, [1]).concat(title('b', [1, 2], [1]));
    expect(() => leaveOneClipOut(rows, grid, 2)).toThrow(/no row for b at 3/);
  });
});

describe('scoreByValue', () => {
  it('scores every value on all titles, with the titles it wins and loses against the default', () => {
    const grid = [1, 2, 3];
    const rows = [...title('a', grid, [1, 2]), ...title('b', grid, [2]), ...title('c', grid, [1])];
    expect(scoreByValue(rows, grid, 2)).toEqual([
      { value: 1, hits: 2, meanError: 5 / 3, gained: ['c'], lost: ['b'] },
      { value: 2, hits: 2, meanError: 5 / 3, gained: [], lost: [] },
      { value: 3, hits: 0, meanError: 5, gained: [], lost: ['a', 'b'] },
    ]);
  });
});

describe('locoError', () => {
  it('is 0 for "no credits" on a title without, and the cap for a miss of kind', () => {
    expect(locoError({ creditsStart: null }, null)).toBe(0);
    expect(locoError({ creditsStart: null }, 4)).toBe(ERROR_CAP_S);
    expect(locoError({ creditsStart: 10 }, null)).toBe(ERROR_CAP_S);
  });

  it('measures to the nearest labelled start, capped', () => {
    expect(locoError({ creditsStart: 10 }, 13)).toBe(3);
    expect(locoError({ creditsStart: 10, creditsStartAlt: 14 }, 13)).toBe(1);
    expect(locoError({ creditsStart: null, creditsStartAlt: 8 }, 9)).toBe(1);
    expect(locoError({ creditsStart: 10 }, 100)).toBe(ERROR_CAP_S);
  });
});

describe('clipsOf', () => {
  const joins = [
    ['clips/bbb_first_minute.mp4', 'clips-more/truthstrail_credits.mp4'],
    ['clips-more/ddp_trailer.mp4', 'clips-more/manim_credits.mp4'],
  ] as const;

  it("names a join's two clips as the real titles name them, and a clip itself", () => {
    expect(
      clipsOf({ name: 'bbb_first_minute+truthstrail_credits', kind: 'real-join' }, joins),
    ).toEqual(['bbb_first_minute.mp4', 'truthstrail_credits.mp4']);
    expect(clipsOf({ name: 'manim_credits.mp4', kind: 'real' }, joins)).toEqual([
      'manim_credits.mp4',
    ]);
    expect(() => clipsOf({ name: 'a+b', kind: 'real-join' }, joins)).toThrow(/not in the split/);
  });
});
