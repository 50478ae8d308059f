import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SPLIT } from '../../bench/eval-split.js';
import {
  type ClipInfo,
  clipLabelAt,
  isBlankFrame,
  isTestStill,
  TEST_CLIPS,
  trainingClips,
} from '../../model/train/dataset.js';
import { float32ToFloat16Bits } from '../../model/train/export.js';
import { FOLDS, foldsOf, isClipItem } from '../../model/train/folds.js';
import { createRng, hashString, shuffle } from '../../model/train/rng.js';
import { OVER_PICTURE_MAKERS, synthSpecs } from '../../model/train/synth.js';
import { VALIDATION_CLIPS } from '../../model/train/train.js';
import { onWordCard, WORD_CARD_SPANS } from '../../model/train/word-cards.js';

describe('clipLabelAt', () => {
  const clip = { file: 'x.mp4', duration_s: 60, credits_start_s: 40, credits_end_s: 55 };

  it('labels by the credits segment and skips frames within 0.5 s of a boundary', () => {
    expect(clipLabelAt(clip, 10)).toBe('other');
    expect(clipLabelAt(clip, 39.4)).toBe('other');
    expect(clipLabelAt(clip, 39.6)).toBeNull();
    expect(clipLabelAt(clip, 40.4)).toBeNull();
    expect(clipLabelAt(clip, 40.5)).toBe('credits');
    expect(clipLabelAt(clip, 54.4)).toBe('credits');
    expect(clipLabelAt(clip, 54.8)).toBeNull();
    expect(clipLabelAt(clip, 56)).toBe('other');
  });

  it('calls every frame of a clip without credits "other"', () => {
    const none = { ...clip, credits_start_s: null, credits_end_s: null };
    expect(clipLabelAt(none, 40)).toBe('other');
  });
});

describe('word cards left out of training', () => {
  it('knows a frame on a listed card, at its edges too, and nothing of other clips', () => {
    expect(onWordCard('sintel_trailer_204p.mp4', 9)).toBe(true);
    expect(onWordCard('sintel_trailer_204p.mp4', 10.5)).toBe(true);
    expect(onWordCard('sintel_trailer_204p.mp4', 11)).toBe(true);
    expect(onWordCard('sintel_trailer_204p.mp4', 11.25)).toBe(false);
    expect(onWordCard('sintel_trailer_204p.mp4', 49)).toBe(false);
    expect(onWordCard('not_listed.mp4', 10)).toBe(false);
  });

  it('lists only clips of the tuning part, with spans that run forwards', () => {
    const heldOut = new Set(SPLIT['held-out'].joins.flat().map((c: string) => c.split('/')[1]));
    const moved = new Set((SPLIT.tuning.clips ?? []).map((c: string) => c.split('/')[1]));
    for (const [file, spans] of Object.entries(WORD_CARD_SPANS)) {
      expect(heldOut.has(file) && !moved.has(file), file).toBe(false);
      for (const [from, to] of spans) expect(to, file).toBeGreaterThan(from);
    }
  });
});

describe('isBlankFrame', () => {
  const size = 16;
  const frame = (fill: (i: number) => number) =>
    Uint8Array.from({ length: size * size * 3 }, (_, i) => fill(i));

  it('finds black, near-black and flat frames', () => {
    expect(isBlankFrame(frame(() => 0))).toBe(true);
    expect(isBlankFrame(frame((i) => (i % 7) * 2))).toBe(true);
    expect(isBlankFrame(frame(() => 200))).toBe(true);
  });

  it('keeps a dark frame with a line of white text, and ordinary picture', () => {
    // One bright row of pixels (text) on black: 1/16 of the frame.
    expect(isBlankFrame(frame((i) => (Math.floor(i / (size * 3)) === 8 ? 255 : 0)))).toBe(false);
    expect(isBlankFrame(frame((i) => (i * 37) % 256))).toBe(false);
  });
});

describe('splits', () => {
  it('never uses a test clip for validation or training selection', () => {
    for (const clip of VALIDATION_CLIPS) expect(TEST_CLIPS.has(clip)).toBe(false);
    expect(TEST_CLIPS.has('sintel_trailer_204p.mp4')).toBe(true);
  });

  describe('trainingClips', () => {
    const clip = (folder: string, file: string): ClipInfo => ({
      file,
      folder,
      path: `/data/${folder}/${file}`,
      duration_s: 30,
      credits_start_s: null,
      credits_end_s: null,
    });
    // One of each: a tuning clip, a TEST_CLIP, a clip moved from the held-out folder to
    // tuning, a held-out clip, and a clip of a folder the split does not name (held-out).
    const clips = [
      clip('clips-more', 'gmtk22_ending.mp4'),
      clip('clips', 'sintel_trailer_204p.mp4'),
      clip('clips-set3', 'neg_szczur_the_end.mp4'),
      clip('clips-set3', 'balap_namecard_id.mp4'),
      clip('clips-set4', 'anything.mp4'),
    ];
    const files = (scope: 'folders' | 'tuning') => trainingClips(clips, scope).map((c) => c.file);

    it('never trains on the eval split’s held-out part, whatever the scope', () => {
      for (const scope of ['folders', 'tuning'] as const) {
        expect(files(scope)).not.toContain('balap_namecard_id.mp4');
        expect(files(scope)).not.toContain('anything.mp4');
      }
    });

    it('trains on the shipped model’s clips by default and on the whole tuning part if asked', () => {
      expect(files('folders')).toEqual(['gmtk22_ending.mp4']);
      expect(files('tuning')).toEqual([
        'gmtk22_ending.mp4',
        'sintel_trailer_204p.mp4',
        'neg_szczur_the_end.mp4',
      ]);
    });
  });

  it('holds out stills by a stable hash of the name (about a fifth)', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `still-${i}.jpg`);
    const held = names.filter(isTestStill).length;
    expect(held).toBeGreaterThan(150);
    expect(held).toBeLessThan(250);
    expect(isTestStill('a.jpg')).toBe(hashString('a.jpg') % 5 === 0);
  });
});

describe('seeded randomness', () => {
  it('repeats with the same seed and differs with another', () => {
    const a = shuffle(createRng(7), [1, 2, 3, 4, 5, 6, 7, 8]);
    const b = shuffle(createRng(7), [1, 2, 3, 4, 5, 6, 7, 8]);
    const c = shuffle(createRng(8), [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect([...a].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('float32ToFloat16Bits', () => {
  it('encodes exact halves and rounds the rest to nearest', () => {
    expect(float32ToFloat16Bits(0)).toBe(0);
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(0.5)).toBe(0x3800);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float32ToFloat16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
    // Smallest subnormal half is 2^-24.
    expect(float32ToFloat16Bits(2 ** -24)).toBe(1);
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
  });
});

describe('foldsOf', () => {
  const item = (id: string, group: string) => ({ id, group });

  it("keeps a clip's frames in one fold and deals clips round robin by name", () => {
    const items = ['c', 'a', 'e', 'b', 'd'].flatMap((clip) => [
      item(`${clip}@0.00`, clip),
      item(`${clip}@0.25`, clip),
    ]);
    const folds = foldsOf(items);
    const byClip = new Map<string, Set<number>>();
    items.forEach((it, i) => {
      byClip.set(it.group, (byClip.get(it.group) ?? new Set()).add(folds[i] as number));
    });
    expect([...byClip.entries()].sort().map(([clip, f]) => [clip, [...f]])).toEqual([
      ['a', [0]],
      ['b', [1]],
      ['c', [2]],
      ['d', [3]],
      ['e', [0]],
    ]);
  });

  it("puts a still's crops with the still and spreads stills over every fold", () => {
    const stills = Array.from({ length: 40 }, (_, k) => [
      item(`still-credits-${k}.jpg-0`, 'stills'),
      item(`still-credits-${k}.jpg-1`, 'stills'),
    ]).flat();
    const folds = foldsOf(stills);
    for (let k = 0; k < stills.length; k += 2) expect(folds[k]).toBe(folds[k + 1]);
    expect(new Set(folds).size).toBe(FOLDS);
    expect(isClipItem({ group: 'stills' })).toBe(false);
    expect(isClipItem({ group: 'synth' })).toBe(false);
    expect(isClipItem({ group: 'x.mp4' })).toBe(true);
  });
});

describe('synthetic credit lists over picture', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const ctx = () => {
    dirs.push(mkdtempSync(path.join(tmpdir(), 'endcue-synth-')));
    return { workDir: dirs.at(-1) as string, pictures: ['/pictures/street.jpg'], inputSize: 128 };
  };

  it('draws several lines of roles and names on an ordinary picture, labelled credits', () => {
    const specs = synthSpecs(ctx(), createRng(5), 12, OVER_PICTURE_MAKERS);
    expect(specs).toHaveLength(12);
    for (const spec of specs) {
      expect(spec).toMatchObject({ kind: 'list-over-picture', label: 'credits' });
      expect(spec.args).toContain('/pictures/street.jpg');
      const filter = spec.args[spec.args.indexOf('-vf') + 1] ?? '';
      expect(filter.match(/drawtext=/g)).toHaveLength(2);
      // Each column is a list of several lines, not one name as on opening credits.
      const columns = [...filter.matchAll(/textfile='?([^:']+)'?/g)].map((m) =>
        readFileSync(m[1] as string, 'utf8').split('\n'),
      );
      for (const lines of columns) expect(lines.length).toBeGreaterThanOrEqual(4);
    }
  });

  it('is the same for the same seed', () => {
    const strip = (specs: ReturnType<typeof synthSpecs>) =>
      specs.map((s) => s.args.join(' ').replace(/endcue-synth-\w+/g, 'dir'));
    const a = strip(synthSpecs(ctx(), createRng(5), 4, OVER_PICTURE_MAKERS));
    const b = strip(synthSpecs(ctx(), createRng(5), 4, OVER_PICTURE_MAKERS));
    const c = strip(synthSpecs(ctx(), createRng(6), 4, OVER_PICTURE_MAKERS));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});
