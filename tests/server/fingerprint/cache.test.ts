import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  cachedEpisodeFingerprints,
  SqliteFingerprintCache,
} from '../../../server/fingerprint/cache.js';
import { decodeFingerprints, encodeFingerprints } from '../../../server/fingerprint/codec.js';
import type { EpisodeFingerprints } from '../../../server/fingerprint/types.js';

const episode: EpisodeFingerprints = {
  kind: 'fingerprinted',
  duration: 2700.5,
  opening: { start: 0, items: Uint32Array.from([1, 0xffffffff, 0x12345678]), itemCenter: 1.25 },
  closing: { start: 2100.5, items: Uint32Array.from([7, 8]), itemCenter: 1.25 },
};

describe('fingerprint codec', () => {
  it('round-trips fingerprinted episodes in 4 bytes an item', () => {
    const bytes = encodeFingerprints(episode);
    expect(bytes.byteLength).toBe(56 + 4 * 5);
    expect(decodeFingerprints(bytes)).toEqual(episode);
  });

  it('round-trips a no-audio answer and an item centre left unset', () => {
    const silent: EpisodeFingerprints = {
      kind: 'no-audio',
      duration: 60,
      reason: 'ep.mkv has no audio stream',
    };
    expect(decodeFingerprints(encodeFingerprints(silent))).toEqual(silent);
    const plain: EpisodeFingerprints = {
      ...episode,
      opening: { start: 0, items: Uint32Array.from([3]) },
      closing: { start: 9, items: new Uint32Array(0) },
    };
    expect(decodeFingerprints(encodeFingerprints(plain))).toEqual(plain);
    const pal: EpisodeFingerprints = {
      ...episode,
      opening: { ...episode.opening, speed: 1.043 },
      closing: { ...episode.closing, speed: 1.043 },
    };
    expect(decodeFingerprints(encodeFingerprints(pal))).toEqual(pal);
  });

  it('refuses bytes it did not write, or cut short', () => {
    expect(() => decodeFingerprints(Uint8Array.from([1, 2, 3]))).toThrow(/not an EndCue/);
    const bytes = encodeFingerprints(episode);
    expect(() => decodeFingerprints(bytes.subarray(0, bytes.byteLength - 4))).toThrow(/damaged/);
  });
});

describe('SqliteFingerprintCache', () => {
  const key = { source: 'Show/S01E01.mkv', mediaFingerprint: 'file:100|1700000000' };

  it('reads back what it stored, and misses after a re-encode or other windows', () => {
    const cache = new SqliteFingerprintCache(new Database(':memory:'));
    expect(cache.get(key)).toBeUndefined();
    cache.put(key, episode);
    expect(cache.get(key)).toEqual(episode);
    expect(cache.get({ ...key, mediaFingerprint: 'file:200|1700000100' })).toBeUndefined();
    expect(cache.get({ ...key, windows: { openingShare: 0.5 } })).toBeUndefined();
    expect(cache.get({ ...key, speed: 1.043 })).toBeUndefined();
    cache.put({ ...key, mediaFingerprint: 'file:200|1700000100' }, episode);
    expect(cache.get(key)).toBeUndefined();
  });

  it('fingerprints an episode once: the next season analysis reads it from the store', async () => {
    const cache = new SqliteFingerprintCache(new Database(':memory:'));
    const reads: string[] = [];
    const read = async (source: string) => {
      reads.push(source);
      return episode;
    };
    const first = await cachedEpisodeFingerprints(
      key,
      cache,
      { input: '/media/Show/S01E01.mkv' },
      read,
    );
    const second = await cachedEpisodeFingerprints(key, cache, {}, read);
    expect(first).toEqual(episode);
    expect(second).toEqual(episode);
    expect(reads).toEqual(['/media/Show/S01E01.mkv']);
  });
});
