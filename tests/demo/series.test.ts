import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EPISODES, removePlain } from '../../demo/series.js';
import { planFixture } from '../fixtures/generate.js';

describe('the demo series', () => {
  it('has three 720p episodes of 60-120 s, each with its own credits style', () => {
    expect(EPISODES).toHaveLength(3);
    for (const e of EPISODES) {
      expect(e.fixture.duration).toBeGreaterThanOrEqual(60);
      expect(e.fixture.duration).toBeLessThanOrEqual(120);
      expect([e.fixture.width, e.fixture.height]).toEqual([1280, 720]);
    }
    expect(new Set(EPISODES.map((e) => e.fixture.style))).toEqual(
      new Set(['roll', 'cards', 'over-picture']),
    );
    expect(EPISODES.map((e) => e.episode)).toEqual([1, 2, 3]);
  });

  it('has one post-credits scene, and in-story text (title, subtitles) in every episode', () => {
    const plans = EPISODES.map((e) => planFixture(e.fixture));
    expect(plans.filter((p) => p.truth.postCreditsStart !== null)).toHaveLength(1);
    for (const plan of plans) {
      const kinds = new Set(plan.truth.textEvents.map((t) => t.kind));
      // The film's title: on a black card (like an opening credit) or over the picture.
      expect(kinds.has('opening-title') || kinds.has('title')).toBe(true);
      expect(kinds.has('subtitle')).toBe(true);
      // In-story text lies before the credits or after them, never inside.
      for (const t of plan.truth.textEvents) {
        const inside = t.start < plan.truth.creditsEnd && t.end > plan.truth.creditsStart;
        expect(inside).toBe(false);
      }
    }
  });

  it('only uses letters the fixture fonts can draw (Latin-1)', () => {
    const strings = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : Array.isArray(value)
          ? value.flatMap(strings)
          : value && typeof value === 'object'
            ? Object.values(value).flatMap(strings)
            : [];
    for (const e of EPISODES) {
      const plan = planFixture(e.fixture);
      const shown = [...strings(plan.credits), ...plan.truth.textEvents.map((t) => t.text)];
      const outside = shown.filter((s) => [...s].some((c) => (c.codePointAt(0) ?? 0) > 0xff));
      expect(outside).toEqual([]);
    }
  });

  it('opens every episode on a black title card', () => {
    for (const e of EPISODES) expect(planFixture(e.fixture).scenes[0]?.kind).toBe('title-card');
  });
});

describe('the themed episodes replace the plain fixtures in the cache', () => {
  it('removes the plain mp4, its truth and its HLS renditions, nothing else', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'endcue-demo-cache-'));
    try {
      const plain = path.join(dir, 'roll-72s-1280x720-24fps-s705-1234.mp4');
      const keep = [
        'roll-72s-1280x720-s705-theme-9999.mp4',
        'hls/roll-72s-1280x720-s705-theme-9999-aa',
      ];
      mkdirSync(path.join(dir, 'hls', 'roll-72s-1280x720-24fps-s705-1234-bb'), { recursive: true });
      mkdirSync(path.join(dir, keep[1] as string), { recursive: true });
      for (const f of [plain, plain.replace('.mp4', '.json'), path.join(dir, keep[0] as string)]) {
        writeFileSync(f, 'x');
      }
      removePlain(plain, dir);
      expect(readdirSync(dir).sort()).toEqual(['hls', keep[0]]);
      expect(readdirSync(path.join(dir, 'hls'))).toEqual(['roll-72s-1280x720-s705-theme-9999-aa']);
      // Nothing to remove, or no hls folder at all: no error.
      rmSync(path.join(dir, 'hls'), { recursive: true });
      expect(() => removePlain(plain, dir)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
