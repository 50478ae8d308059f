import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideCredits,
  type ScoredSample,
  storyThreshold,
} from '../../../server/detector/decide.js';

/** Deterministic PRNG (mulberry32) so "noisy" tests are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Samples every `step` seconds over [from, to) with p given by a function of time. */
function sampled(
  from: number,
  to: number,
  step: number,
  score: (t: number) => number,
  blank?: (t: number) => number,
): ScoredSample[] {
  const out: ScoredSample[] = [];
  for (let t = from; t < to - 1e-9; t += step) {
    const s: ScoredSample = { t: Math.round(t * 1000) / 1000, p: score(t) };
    if (blank) s.blank = blank(t);
    out.push(s);
  }
  return out;
}

describe('decideCredits', () => {
  it('finds a clean boundary and the end of the title', () => {
    const samples = sampled(0, 120, 1, (t) => (t >= 100 ? 0.95 : 0.05));
    const d = decideCredits(samples, { duration: 120, from: 0 });
    expect(d.creditsStart).not.toBeNull();
    expect(Math.abs((d.creditsStart as number) - 100)).toBeLessThanOrEqual(0.5);
    expect(d.creditsEnd).toBe(120);
    expect(d.segments).toEqual([{ kind: 'credits', start: d.creditsStart, end: 120 }]);
    expect(d.confidence).toBeGreaterThan(0.9);
    expect(d.startBracket).toEqual({ before: 99, after: 100 });
  });

  it('is robust to noisy scores and isolated misclassifications', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = rng(seed);
      const score = (t: number) => {
        const credits = t >= 300;
        const flip = r() < 0.1;
        const high = 0.6 + 0.4 * r();
        const low = 0.4 * r();
        return credits !== flip ? high : low;
      };
      const samples = sampled(0, 420, 2, score);
      const d = decideCredits(samples, { duration: 420, from: 0 });
      expect(d.creditsStart, `seed ${seed}`).not.toBeNull();
      expect(Math.abs((d.creditsStart as number) - 300), `seed ${seed}`).toBeLessThanOrEqual(3);
    }
  });

  it('ignores a single confident false positive just before the credits', () => {
    const samples = sampled(0, 200, 1, (t) => (t >= 150 ? 0.9 : t === 140 ? 0.99 : 0.1));
    const d = decideCredits(samples, { duration: 200, from: 0 });
    expect(Math.abs((d.creditsStart as number) - 150)).toBeLessThanOrEqual(0.5);
  });

  it('is not fooled by title cards and opening credits earlier in the title', () => {
    const score = (t: number) => {
      if (t < 20) return 0.9; // opening credits
      if (t >= 200 && t < 210) return 0.97; // in-story title card ("Five years later")
      if (t >= 500) return 0.92;
      return 0.08;
    };
    const samples = sampled(0, 560, 2, score);
    const d = decideCredits(samples, { duration: 560, from: 0 });
    expect(Math.abs((d.creditsStart as number) - 500)).toBeLessThanOrEqual(1);
  });

  it('says "no credits" when the only credit-like frames are far from the end', () => {
    const score = (t: number) => (t < 15 || (t >= 60 && t < 66) ? 0.95 : 0.05);
    const samples = sampled(0, 240, 1, score);
    const d = decideCredits(samples, { duration: 240, from: 0 });
    expect(d.creditsStart).toBeNull();
    expect(d.creditsEnd).toBeNull();
    expect(d.segments).toEqual([]);
    expect(d.startBracket).toBeNull();
  });

  it('reports a post-credits scene after the credits', () => {
    const score = (t: number) => (t >= 400 && t < 520 ? 0.93 : 0.06);
    const samples = sampled(0, 600, 1, score);
    const d = decideCredits(samples, { duration: 600, from: 0 });
    expect(Math.abs((d.creditsStart as number) - 400)).toBeLessThanOrEqual(0.5);
    expect(Math.abs((d.creditsEnd as number) - 520)).toBeLessThanOrEqual(0.5);
    const post = d.segments.find((s) => s.kind === 'post-credits');
    expect(post).toBeDefined();
    expect(Math.abs((post?.start as number) - 520)).toBeLessThanOrEqual(0.5);
    expect(post?.end).toBe(600);
    expect(d.endBracket).toEqual({ before: 519, after: 520 });
  });

  it('does not call a long stretch of story after credit-like frames a post-credits scene', () => {
    // Credit-like frames 10 minutes before the end of a 40-minute tail: not closing credits.
    const score = (t: number) => (t >= 1200 && t < 1260 ? 0.95 : 0.05);
    const samples = sampled(0, 2400, 4, score);
    const d = decideCredits(samples, { duration: 2400, from: 0 });
    expect(d.creditsStart).toBeNull();
  });

  it('does not call a short card followed by a longer stretch of story closing credits', () => {
    // A 2.5 s "presents" card, then 4.5 s of story to the end of a 16 s clip.
    const score = (t: number) => (t >= 9 && t < 11.5 ? 0.9 : 0.02);
    const samples = sampled(0, 16, 0.25, score);
    expect(decideCredits(samples, { duration: 16, from: 0 }).creditsStart).toBeNull();
    // The same card with a shorter scene after it is credits followed by a post-credits scene.
    const shorter = sampled(0, 13.5, 0.25, score);
    const d = decideCredits(shorter, { duration: 13.5, from: 0 });
    expect(d.creditsStart).toBeCloseTo(9, 0);
    expect(d.segments.map((s) => s.kind)).toEqual(['credits', 'post-credits']);
  });

  it('lets text read as another kind of screen overrule confident frame scores', () => {
    // A trailer's end: story, a title card (no text cue), then "Coming soon" (read: other).
    const score = (t: number) => (t >= 11 ? 0.97 : 0.02);
    const samples = sampled(0, 18.5, 0.25, score);
    expect(decideCredits(samples, { duration: 18.5, from: 0 }).creditsStart).toBeCloseTo(11, 0);
    const read = samples.map((s) => (s.t >= 15 ? { ...s, text: -1 } : s));
    const d = decideCredits(read, { duration: 18.5, from: 0 });
    expect(d.creditsStart).toBeNull();
  });

  it('does not follow closing credits with a screen read as other text', () => {
    // Credits-like cards 10-16 s, then 4 s read as "HI-SCORE" to the end: no post-credits scene.
    const score = (t: number) => (t >= 10 && t < 16 ? 0.95 : 0.05);
    const samples = sampled(0, 20, 0.25, score);
    const plain = decideCredits(samples, { duration: 20, from: 0 });
    expect(plain.segments.map((s) => s.kind)).toEqual(['credits', 'post-credits']);
    const read = samples.map((s) => (s.t >= 16 ? { ...s, text: -1 } : s));
    expect(decideCredits(read, { duration: 20, from: 0 }).creditsStart).toBeNull();
  });

  it('moves the start to where text stops reading as another screen', () => {
    // A score table the classifier calls credits (0-27.5 s), then real credits to 36 s.
    const samples = sampled(0, 36, 0.25, () => 0.97).map((s) =>
      s.t < 27.5 ? { ...s, text: -1 } : { ...s, text: 1 },
    );
    const d = decideCredits(samples, { duration: 36, from: 0 });
    expect(Math.abs((d.creditsStart as number) - 27.5)).toBeLessThanOrEqual(0.25);
  });

  it('names the run that nearly was credits, so its text can be read', () => {
    // A lukewarm 3 s page (0.55) in a 9 s clip: too little evidence on its own.
    const score = (t: number) => (t >= 4 && t < 7 ? 0.55 : 0.25);
    const samples = sampled(0, 9, 0.25, score);
    const d = decideCredits(samples, { duration: 9, from: 0 });
    expect(d.creditsStart).toBeNull();
    expect(d.candidate?.start).toBeCloseTo(4, 0);
    expect(d.candidate?.end).toBeCloseTo(7, 0);
    // Read as credits ("This program is prepared by"), the page is credits.
    const read = samples.map((s) => (s.t >= 4 && s.t < 7 ? { ...s, text: 1 } : s));
    expect(decideCredits(read, { duration: 9, from: 0 }).creditsStart).toBeCloseTo(4, 0);
    // Nothing leaning towards credits: no candidate.
    const story = sampled(0, 9, 0.25, () => 0.1);
    expect(decideCredits(story, { duration: 9, from: 0 }).candidate).toBeNull();
  });

  it('answers "no credits" with confidence on a story-only title', () => {
    const r = rng(7);
    const samples = sampled(0, 300, 1, () => 0.3 * r());
    const d = decideCredits(samples, { duration: 300, from: 0 });
    expect(d.creditsStart).toBeNull();
    expect(d.confidence).toBeGreaterThan(0.8);
  });

  it('calls a clip that is all credits credits from its first frame', () => {
    const samples = sampled(0, 30, 0.5, () => 0.9);
    const d = decideCredits(samples, { duration: 30, from: 0 });
    expect(d.creditsStart).toBe(0);
    expect(d.creditsEnd).toBe(30);
    expect(d.startBracket).toEqual({ before: 0, after: 0 });
  });

  it('starts the credits at the first non-blank frame after a fade to black, and ends them before trailing black', () => {
    const score = (t: number) => (t >= 53 && t < 80 ? 0.9 : t >= 50 ? 0.3 : 0.1);
    const blank = (t: number) => ((t >= 50 && t < 53) || t >= 80 ? 1 : 0);
    const samples = sampled(0, 90, 0.5, score, blank);
    const d = decideCredits(samples, { duration: 90, from: 0 });
    expect(Math.abs((d.creditsStart as number) - 53)).toBeLessThanOrEqual(0.5);
    expect(Math.abs((d.creditsEnd as number) - 80)).toBeLessThanOrEqual(0.5);
    expect(d.segments.some((s) => s.kind === 'post-credits')).toBe(false);
  });

  it('lets a dense fine pass set the boundary between sparse coarse samples', () => {
    const truth = 1234.4;
    const score = (t: number) => (t >= truth ? 0.9 : 0.1);
    const coarse = sampled(900, 1500, 10, score);
    const fine = sampled(1230, 1240, 0.25, score);
    const d = decideCredits([...coarse, ...fine], { duration: 1500, from: 900 });
    expect(Math.abs((d.creditsStart as number) - truth)).toBeLessThanOrEqual(0.5);
    expect(d.startBracket?.after).toBeCloseTo(1234.5, 3);
    expect(d.startBracket?.before).toBeCloseTo(1234.25, 3);
  });

  it('gives a bracket for the fine pass that contains the true start', () => {
    const truth = 417;
    const score = (t: number) => (t >= truth ? 0.88 : 0.12);
    const samples = sampled(300, 480, 7, score);
    const d = decideCredits(samples, { duration: 480, from: 300 });
    expect(d.startBracket).not.toBeNull();
    expect(d.startBracket?.before).toBeLessThan(truth);
    expect(d.startBracket?.after).toBeGreaterThanOrEqual(truth);
  });

  it('handles very short titles and empty input without crashing', () => {
    expect(decideCredits([], { duration: 0 }).creditsStart).toBeNull();
    expect(decideCredits([], { duration: 10 }).confidence).toBe(0);
    const one = decideCredits([{ t: 0, p: 0.95 }], { duration: 1, from: 0 });
    expect(one.creditsStart).toBe(0);
    const shortStory = decideCredits(
      [
        { t: 0, p: 0.1 },
        { t: 1, p: 0.05 },
        { t: 2, p: 0.1 },
      ],
      { duration: 3, from: 0 },
    );
    expect(shortStory.creditsStart).toBeNull();
    // 3.4 s clip whose last second is a credits card (like a music-video end card).
    const tail = sampled(0, 3.4, 0.25, (t) => (t >= 2.5 ? 0.9 : 0.1));
    const d = decideCredits(tail, { duration: 3.4, from: 0 });
    expect(Math.abs((d.creditsStart as number) - 2.5)).toBeLessThanOrEqual(0.25);
  });

  it('tolerates unsorted, duplicated and non-finite samples', () => {
    const samples = sampled(0, 100, 1, (t) => (t >= 70 ? 0.9 : 0.1));
    const shuffled = [...samples].reverse();
    shuffled.push({ t: 80, p: 0.9 }, { t: Number.NaN, p: 0.9 }, { t: 5, p: Number.NaN });
    const d = decideCredits(shuffled, { duration: 100, from: 0 });
    expect(Math.abs((d.creditsStart as number) - 70)).toBeLessThanOrEqual(0.5);
  });

  it('is less confident about a weak, ambiguous boundary than a sharp one', () => {
    const sharp = decideCredits(
      sampled(0, 200, 1, (t) => (t >= 150 ? 0.95 : 0.05)),
      { duration: 200, from: 0 },
    );
    const vague = decideCredits(
      sampled(0, 200, 1, (t) => (t >= 150 ? 0.62 : t >= 120 ? 0.5 : 0.4)),
      { duration: 200, from: 0 },
    );
    expect(vague.confidence).toBeLessThan(sharp.confidence);
  });

  it('leaves a short lukewarm lead-in (text over the last shot, a title card) with the story', () => {
    // 0.65 for 5 s before confident credits: evidence for credits at 0.5, not at 0.7.
    const score = (t: number) => (t >= 100 ? 0.97 : t >= 95 ? 0.65 : 0.05);
    const samples = sampled(0, 130, 0.5, score);
    const d = decideCredits(samples, { duration: 130, from: 0 });
    expect(Math.abs((d.creditsStart as number) - 100)).toBeLessThanOrEqual(0.5);
    const unconfirmed = decideCredits(samples, { duration: 130, from: 0, confirmThreshold: 0 });
    expect(Math.abs((unconfirmed.creditsStart as number) - 95)).toBeLessThanOrEqual(0.5);
  });

  it('keeps a long lukewarm stretch (credits over picture) in the credits', () => {
    const score = (t: number) => (t >= 100 ? 0.97 : t >= 80 ? 0.65 : 0.05);
    const samples = sampled(0, 130, 0.5, score);
    const d = decideCredits(samples, { duration: 130, from: 0 });
    expect(Math.abs((d.creditsStart as number) - 80)).toBeLessThanOrEqual(0.5);
    const wider = decideCredits(samples, { duration: 130, from: 0, maxConfirmShift: 30 });
    expect(Math.abs((wider.creditsStart as number) - 100)).toBeLessThanOrEqual(0.5);
  });

  it('keeps lukewarm credits that are never confirmed', () => {
    const samples = sampled(0, 130, 0.5, (t) => (t >= 100 ? 0.68 : 0.05));
    const d = decideCredits(samples, { duration: 130, from: 0 });
    expect(Math.abs((d.creditsStart as number) - 100)).toBeLessThanOrEqual(0.5);
  });

  it('leaves a short lead-in before a long black gap with the story', () => {
    // A 3 s "You win" banner scored as credits, 5 s of black, then credits: as in a game's
    // ending joined to its credits (the banner scores high enough to pass the confirmation).
    const score = (t: number) => (t >= 14 ? 0.95 : t >= 6 && t < 9 ? 0.85 : 0.08);
    const blank = (t: number) => (t >= 9 && t < 14 ? 1 : 0);
    const samples = sampled(0, 40, 0.25, score, blank);
    const d = decideCredits(samples, { duration: 40, from: 0 });
    expect(Math.abs((d.creditsStart as number) - 14)).toBeLessThanOrEqual(0.25);
    const off = decideCredits(samples, { duration: 40, from: 0, minLeadInGap: Infinity });
    expect(Math.abs((off.creditsStart as number) - 6)).toBeLessThanOrEqual(0.25);
  });

  it('keeps a lead-in before black in the credits when it reads as credits, or outlasts the black', () => {
    const blank = (t: number) => (t >= 9 && t < 14 ? 1 : 0);
    const withText = sampled(
      0,
      40,
      0.25,
      (t) => (t >= 6 && (t < 9 || t >= 14) ? 0.9 : 0.08),
      blank,
    );
    for (const s of withText) if (s.t === 7) s.text = 1; // "Directed by" read on the first card
    expect(decideCredits(withText, { duration: 40, from: 0 }).creditsStart).toBeCloseTo(6, 0);
    // A 6 s card and 2 s of black between cards (name cards fading in and out): one run.
    const cards = sampled(
      0,
      40,
      0.25,
      (t) => (t >= 6 ? 0.9 : 0.08),
      (t) => (t >= 12 && t < 14 ? 1 : 0),
    );
    expect(decideCredits(cards, { duration: 40, from: 0 }).creditsStart).toBeCloseTo(6, 0);
  });

  it('always returns a consistent answer (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            t: fc.double({ min: 0, max: 100, noNaN: true }),
            p: fc.double({ min: 0, max: 1, noNaN: true }),
            blank: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { maxLength: 60 },
        ),
        (samples) => {
          const d = decideCredits(samples, { duration: 100, from: 0 });
          expect(d.confidence).toBeGreaterThanOrEqual(0);
          expect(d.confidence).toBeLessThanOrEqual(1);
          if (d.creditsStart === null) {
            expect(d.segments).toEqual([]);
          } else {
            expect(d.creditsStart).toBeGreaterThanOrEqual(0);
            expect(d.creditsEnd as number).toBeGreaterThanOrEqual(d.creditsStart);
            expect(d.creditsEnd as number).toBeLessThanOrEqual(100);
            expect(d.segments[0]?.kind).toBe('credits');
          }
        },
      ),
    );
  });

  it('with a per-title threshold, ignores a classifier that scores this story high', () => {
    // Story scored 0.4-0.85 (a biased model), credits 0.99 from 7080 s, in a 30-minute tail.
    const r = rng(11);
    const score = (t: number) => (t >= 7080 ? 0.99 : 0.4 + 0.45 * r());
    const samples = sampled(5400, 7200, 6, score);
    const plain = decideCredits(samples, { duration: 7200, from: 5400 });
    const threshold = storyThreshold(samples, { from: 5400, duration: 7200 });
    expect(threshold).toBeGreaterThan(0.7);
    const calibrated = decideCredits(samples, { duration: 7200, from: 5400, threshold });
    expect(Math.abs((calibrated.creditsStart as number) - 7080)).toBeLessThanOrEqual(12);
    // Without it the biased story drags the start far earlier.
    expect(plain.creditsStart as number).toBeLessThan(7080 - 60);
  });
});

describe('storyThreshold', () => {
  it('keeps the default for whole titles and sparse data', () => {
    const samples = sampled(0, 100, 1, () => 0.8);
    expect(storyThreshold(samples, { from: 0, duration: 100 })).toBe(0.5);
    expect(storyThreshold(samples.slice(0, 3), { from: 10, duration: 100 })).toBe(0.5);
  });

  it('rises to the story half of a tail, ignoring blank frames, within bounds', () => {
    const samples = sampled(
      1000,
      2000,
      5,
      (t) => (t < 1500 ? 0.7 : 0.99),
      (t) => (t % 50 === 0 ? 1 : 0),
    );
    const threshold = storyThreshold(samples, { from: 1000, duration: 2000 });
    expect(threshold).toBeCloseTo(0.7, 5);
    const hot = sampled(1000, 2000, 5, () => 0.99);
    expect(storyThreshold(hot, { from: 1000, duration: 2000 })).toBe(0.9);
  });

  it('lets story-like motion outvote a classifier that calls a moving scene credits', () => {
    // 40-48 s: a moving scene the classifier scores 0.95; real credits from 54 s.
    const score = (t: number) => (t >= 40 && t < 48 ? 0.95 : t >= 54 ? 0.97 : 0.1);
    const samples = sampled(0, 60, 0.25, score).map((s) => ({
      ...s,
      motion: s.t >= 40 && s.t < 48 ? 1 : 0,
    }));
    const d = decideCredits(samples, { duration: 60, from: 0 });
    expect(Math.abs((d.creditsStart as number) - 54)).toBeLessThanOrEqual(0.25);
    const blind = decideCredits(
      samples.map(({ motion: _, ...s }) => s),
      { duration: 60, from: 0 },
    );
    expect(blind.creditsStart as number).toBeLessThan(48);
  });
});

describe('decideCredits with notBefore (issue 22: the shared end music bounds the start)', () => {
  // A dark last scene the classifier takes for credits (90-100 s), then the roll (100-120 s).
  const darkScene = sampled(0, 120, 1, (t) => (t >= 90 ? 0.95 : 0.05));

  it('places the start at the first credits sample from the bound on, not before it', () => {
    const free = decideCredits(darkScene, { duration: 120, from: 0 });
    expect(free.creditsStart).toBeCloseTo(89.5, 1);
    const bounded = decideCredits(darkScene, { duration: 120, from: 0, notBefore: 100 });
    expect(bounded.creditsStart).toBe(100);
    expect(bounded.creditsEnd).toBe(120);
    expect(bounded.segments).toEqual([{ kind: 'credits', start: 100, end: 120 }]);
    expect(bounded.startBracket).toEqual({ before: 100, after: 100 });
  });

  it('never starts before a bound that lies between samples, and brackets from the bound', () => {
    const d = decideCredits(darkScene, { duration: 120, from: 0, notBefore: 99.8 });
    expect(d.creditsStart).toBe(99.8);
    expect(d.startBracket).toEqual({ before: 99.8, after: 100 });
  });

  it('leaves a start after the bound where it is', () => {
    const samples = sampled(0, 120, 1, (t) => (t >= 100 ? 0.95 : 0.05));
    const free = decideCredits(samples, { duration: 120, from: 0 });
    const bounded = decideCredits(samples, { duration: 120, from: 0, notBefore: 95 });
    expect(bounded.creditsStart).toBe(free.creditsStart);
    expect(bounded.confidence).toBe(free.confidence);
  });

  it('counts samples before the bound as story: credits there alone are no credits', () => {
    const early = sampled(0, 120, 1, (t) => (t >= 80 && t < 95 ? 0.95 : 0.05));
    expect(decideCredits(early, { duration: 120, from: 0 }).creditsStart).not.toBeNull();
    const d = decideCredits(early, { duration: 120, from: 0, notBefore: 100 });
    expect(d.creditsStart).toBeNull();
    expect(d.candidate).toBeNull();
  });

  it('finds no credits with a bound at or past the end', () => {
    const d = decideCredits(darkScene, { duration: 120, from: 0, notBefore: 130 });
    expect(d.creditsStart).toBeNull();
    expect(d.segments).toEqual([]);
  });

  it('keeps every start at or after the bound (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0, max: 70, noNaN: true }),
        (scores, notBefore) => {
          const samples = scores.map((p, i) => ({ t: i, p }));
          const d = decideCredits(samples, { duration: 60, from: 0, notBefore });
          if (d.creditsStart !== null) expect(d.creditsStart).toBeGreaterThanOrEqual(notBefore);
          if (d.startBracket) expect(d.startBracket.before).toBeGreaterThanOrEqual(notBefore);
        },
      ),
    );
  });
});
