/**
 * A stand-in for the TF.js classifier: real ffmpeg decoding and the real decision, with
 * "credits" = a mostly dark frame. Optional delay per batch (keeps ffmpeg's pipe full).
 */
import type { CreditsFrameClassifier } from '../../server/detector/classify.js';

export function standInClassifier(delayMs = 0): CreditsFrameClassifier {
  const score = (frame: Uint8Array) => {
    let dark = 0;
    for (let i = 0; i < frame.length; i += 3) if ((frame[i] as number) < 30) dark++;
    return dark / (frame.length / 3) > 0.8 ? 0.9 : 0.1;
  };
  const wait = () =>
    delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : Promise.resolve();
  return {
    inputSize: 32,
    modelVersion: 'stand-in-1',
    backend: 'fake',
    classes: ['other', 'credits'],
    fallbackReasons: [],
    async classify(frames) {
      await wait();
      return Float32Array.from(frames, score);
    },
    async scores(frames) {
      await wait();
      return {
        classes: ['other', 'credits'],
        probabilities: frames.map((f) => Float32Array.of(1 - score(f), score(f))),
      };
    },
    dispose() {},
  };
}
