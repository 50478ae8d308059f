import { describe, expect, it } from 'vitest';
import { loadClassifier } from '../../../server/detector/classify.js';
import { createClassifierPool } from '../../../server/detector/pool.js';

describe('createClassifierPool', { timeout: 120_000 }, () => {
  it('scores frames on the main thread and a worker, in order, as the model alone would', async () => {
    const main = await loadClassifier({ backend: 'wasm' });
    const pool = await createClassifierPool(main, 1, { backend: 'wasm' });
    try {
      expect(pool.workers).toBe(1);
      const size = main.inputSize;
      // Distinct frames: black, white, and gradients, so an order mix-up would show.
      const frames = Array.from({ length: 6 }, (_, k) =>
        Uint8Array.from({ length: size * size * 3 }, (_, i) => (k * 40 + (i % (k + 2)) * 30) % 256),
      );
      const alone = await main.classify(frames);
      const pooled = await pool.classify(frames);
      expect(pooled.length).toBe(frames.length);
      for (let i = 0; i < frames.length; i++) expect(pooled[i]).toBeCloseTo(alone[i] as number, 4);
      const { classes, probabilities } = await pool.scores(frames);
      expect(classes).toEqual(main.classes);
      expect(probabilities).toHaveLength(frames.length);
      // Both threads took chunks from the shared queue.
      expect(pool.scoredBy.workers).toBeGreaterThan(0);
      expect(pool.scoredBy.main).toBeGreaterThan(0);
      expect(pool.scoredBy.workers + pool.scoredBy.main).toBe(2 * frames.length);

      // Calls in flight at once each get their own frames' scores, in order.
      const reversed = [...frames].reverse();
      const [a, b] = await Promise.all([pool.classify(frames), pool.classify(reversed)]);
      for (let i = 0; i < frames.length; i++) {
        expect(a[i]).toBeCloseTo(alone[i] as number, 4);
        expect(b[i]).toBeCloseTo(alone[frames.length - 1 - i] as number, 4);
      }
    } finally {
      pool.dispose();
      main.dispose();
    }
  });

  it('stops workers still starting when aborted, and scores on the main thread alone', async () => {
    const main = await loadClassifier({ backend: 'wasm' });
    const controller = new AbortController();
    const starting = createClassifierPool(main, 1, { backend: 'wasm' }, controller.signal);
    controller.abort();
    const pool = await starting;
    try {
      expect(pool.workers).toBe(0);
      const frame = new Uint8Array(main.inputSize * main.inputSize * 3).fill(200);
      const pooled = await pool.classify([frame, frame]);
      const alone = await main.classify([frame]);
      expect(pooled[1]).toBeCloseTo(alone[0] as number, 4);
      expect(pool.scoredBy).toEqual({ main: 2, workers: 0 });
    } finally {
      pool.dispose();
      main.dispose();
    }
  });
});
