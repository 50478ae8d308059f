/**
 * Stored fingerprints (issue 22), so that adding an episode never re-decodes its siblings.
 *
 * One row per source: the media fingerprint it was read from (size + mtime for a file, the
 * one the store keys results by) and the window options. A row whose media fingerprint or
 * options differ is stale (the file was re-encoded, the windows changed): it is read as a
 * miss and replaced by the next put.
 */
import type Database from 'better-sqlite3';
import {
  type EpisodeFingerprints,
  type FingerprintOptions,
  fingerprintEpisode,
} from './chromaprint.js';
import { decodeFingerprints, encodeFingerprints } from './codec.js';
import { WINDOW_DEFAULTS, type WindowOptions } from './windows.js';

export interface FingerprintKey {
  /** The title's source as the store names it (path or URL). */
  source: string;
  /** The media fingerprint results are keyed by (server/media/sources.ts). */
  mediaFingerprint: string;
  /** The window options the fingerprints were read with. */
  windows?: WindowOptions;
  /** The speed-up undone before fingerprinting (default 1: none). */
  speed?: number;
}

/** Sync on SQLite; a networked store (PostgreSQL, server/store/postgres.ts) answers promises. */
export interface FingerprintCache {
  get(
    key: FingerprintKey,
  ): EpisodeFingerprints | undefined | Promise<EpisodeFingerprints | undefined>;
  /** Awaited: a networked store answers a promise (typed loosely so `map.set` fits too). */
  put(key: FingerprintKey, value: EpisodeFingerprints): unknown;
}

/** A FingerprintCache in a table of a better-sqlite3 database (created when missing). */
export class SqliteFingerprintCache implements FingerprintCache {
  private readonly select: Database.Statement<
    [string],
    { media_fingerprint: string; params: string; data: Buffer }
  >;
  private readonly upsert: Database.Statement<[string, string, string, Buffer, number]>;

  constructor(db: Database.Database) {
    db.exec(
      `CREATE TABLE IF NOT EXISTS audio_fingerprints (
         source TEXT PRIMARY KEY,
         media_fingerprint TEXT NOT NULL,
         params TEXT NOT NULL,
         data BLOB NOT NULL,
         created_at INTEGER NOT NULL
       )`,
    );
    this.select = db.prepare(
      'SELECT media_fingerprint, params, data FROM audio_fingerprints WHERE source = ?',
    );
    this.upsert = db.prepare(
      `INSERT INTO audio_fingerprints (source, media_fingerprint, params, data, created_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (source) DO UPDATE SET media_fingerprint = excluded.media_fingerprint,
         params = excluded.params, data = excluded.data, created_at = excluded.created_at`,
    );
  }

  get(key: FingerprintKey): EpisodeFingerprints | undefined {
    const row = this.select.get(key.source);
    if (
      !row ||
      row.media_fingerprint !== key.mediaFingerprint ||
      row.params !== fingerprintParams(key)
    ) {
      return undefined;
    }
    return decodeFingerprints(row.data);
  }

  put(key: FingerprintKey, value: EpisodeFingerprints): void {
    const data = Buffer.from(encodeFingerprints(value));
    this.upsert.run(key.source, key.mediaFingerprint, fingerprintParams(key), data, Date.now());
  }
}

/** The stored fingerprints of `key.source`, or fresh ones (then stored). */
export async function cachedEpisodeFingerprints(
  key: FingerprintKey,
  cache: FingerprintCache,
  options: FingerprintOptions & { input?: string } = {},
  read: typeof fingerprintEpisode = fingerprintEpisode,
): Promise<EpisodeFingerprints> {
  const stored = await cache.get(key);
  if (stored) return stored;
  const fresh = await read(options.input ?? key.source, {
    ...options,
    windows: key.windows,
    speed: key.speed,
  });
  await cache.put(key, fresh);
  return fresh;
}

/**
 * The window options as a stable string (keys sorted), with the record layout's version.
 * Defaults are filled in, so a row read with other defaults (an older EndCue) is stale.
 */
export function fingerprintParams(key: FingerprintKey): string {
  const windows = { ...WINDOW_DEFAULTS, ...key.windows };
  const sorted = Object.fromEntries(Object.entries(windows).sort(([a], [b]) => (a < b ? -1 : 1)));
  return `chromaprint-raw-v1 ${JSON.stringify(sorted)} speed=${key.speed ?? 1}`;
}
