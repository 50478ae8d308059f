import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { migrate, SCHEMA_VERSION, SqliteCreditsStore } from '../../../server/store/sqlite.js';
import { type TempMedia, tempMedia } from '../http/fakes.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('SQLite', {
  async open() {
    const dir = tempMedia();
    onTestFinished(() => dir.cleanup());
    return {
      store: new SqliteCreditsStore(dir.dataDir),
      reopen: async () => new SqliteCreditsStore(path.join(dir.dataDir, 'endcue.db')),
    };
  },
});

let media: TempMedia | undefined;
afterEach(() => {
  media?.cleanup();
  media = undefined;
});

describe('SqliteCreditsStore', () => {
  it('creates the schema once, in WAL mode, with a versioned migration count', async () => {
    media = tempMedia();
    const store = new SqliteCreditsStore(media.dataDir);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(migrate(store.db)).toBe(SCHEMA_VERSION); // idempotent
    await store.close();
  });

  it('refuses a database from a newer EndCue', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(/newer/);
    db.close();
  });
});
