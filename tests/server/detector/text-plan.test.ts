import { describe, expect, it } from 'vitest';
import type { ScoredSample } from '../../../server/detector/decide.js';
import {
  applyTextCues,
  planTextReads,
  type TextCue,
  type TextRead,
} from '../../../server/detector/text-plan.js';

const every = (from: number, to: number, step: number) =>
  Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => from + i * step);

/** Runs the planner against a "truth" cue per time until it has nothing left to read. */
function readAll(window: { start: number; end: number }, truth: (t: number) => TextCue) {
  const reads: TextRead[] = [];
  const candidates = every(0, 40, 0.25);
  for (let round = 0; round < 10; round++) {
    const times = planTextReads(window, reads, candidates);
    if (times.length === 0) break;
    for (const t of times) reads.push({ t, cue: truth(t) });
  }
  return reads;
}

describe('planTextReads', () => {
  it('spreads the first readings over the run, one per 3 s, at most 4', () => {
    expect(planTextReads({ start: 10, end: 16 }, [], every(0, 40, 0.25))).toEqual([11.5, 14.5]);
    const long = planTextReads({ start: 0, end: 40 }, [], every(0, 40, 0.25));
    expect(long).toEqual([5, 15, 25, 35]);
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

  it('pins where credits text begins after readings without text', () => {
    const reads = readAll({ start: 0, end: 36 }, (t) => (t < 20 ? 0 : 1));
    const sorted = reads.sort((a, b) => a.t - b.t);
    const lastUnread = sorted.filter((r) => r.cue === 0).at(-1) as TextRead;
    const firstCredits = sorted.find((r) => r.cue === 1) as TextRead;
    expect(lastUnread.t).toBeLessThan(20);
    expect(firstCredits.t).toBeGreaterThanOrEqual(20);
    expect(firstCredits.t - lastUnread.t).toBeLessThanOrEqual(1);
  });

  it('pins only the first change from unread frames to credits text, not every name card', () => {
    // Role cards (+) and name-only cards (0) alternate: nothing to pin.
    const reads = readAll({ start: 10, end: 36 }, (t) =>
      t < 10 ? 0 : Math.floor(t / 4) % 2 ? 0 : 1,
    );
    const sorted = reads.sort((a, b) => a.t - b.t);
    expect(sorted[0]?.cue).toBe(0);
    // 4 spread readings + 3 halvings of the first gap (6.5 s -> < 1 s); later gaps untouched.
    expect(reads.length).toBe(7);
    expect(sorted.filter((r) => r.t > 20).length).toBe(2);
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

describe('applyTextCues', () => {
  const samples: ScoredSample[] = every(0, 10, 1).map((t) => ({ t, p: 0.9 }));

  it('gives samples inside read runs the cue of the nearest reading', () => {
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
      1,
      1,
      1,
      1,
      undefined,
    ]);
    expect(samples[3]?.text).toBeUndefined(); // the input is not modified
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
