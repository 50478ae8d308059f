/** What a Chromaprint fingerprint of a stretch of audio is, shared by the reader and the pure alignment. */

/**
 * Seconds between items: Chromaprint's default algorithm resamples to 11025 Hz and hops a
 * 4096-sample frame by a third of it (4096 / 3 / 11025 ≈ 0.1238 s).
 */
export const ITEM_SECONDS = 4096 / 3 / 11025;

/**
 * Seconds from a Chromaprint item's time to the middle of the audio it describes. Item i is
 * computed from frames i..i+19 (a 5-tap chroma filter, then classifiers up to 16 rows wide)
 * of 4096 samples each: i·0.1238 s to 2.72 s later, whose middle is 1.36 s on. Measured on
 * the generated season (tests/server/fingerprint): shared runs begin 1.3 s and end 0.8-1.4 s
 * before the audio they share without this, so 1.25 s.
 */
export const CHROMAPRINT_ITEM_CENTER_SECONDS = 1.25;

/** A fingerprint of the audio from `start` (seconds into the file): one uint32 per ITEM_SECONDS. */
export interface AudioFingerprint {
  start: number;
  items: Uint32Array;
  /**
   * Seconds from an item's time to the middle of the audio it describes: Chromaprint's
   * CHROMAPRINT_ITEM_CENTER_SECONDS; default half an item (an item describes its own slot).
   */
  itemCenter?: number;
  /**
   * How much faster the file plays than the audio fingerprinted (default 1): 1.043 for a PAL
   * speed-up undone before fingerprinting, so one fingerprint second is 1/1.043 s of the file.
   */
  speed?: number;
}

/** An episode's opening and closing fingerprints, or why it has none. */
export type EpisodeFingerprints =
  | {
      kind: 'fingerprinted';
      duration: number;
      opening: AudioFingerprint;
      closing: AudioFingerprint;
    }
  | { kind: 'no-audio'; duration: number; reason: string };
