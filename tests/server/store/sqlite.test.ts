import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import {
  MIGRATIONS,
  migrate,
  SCHEMA_VERSION,
  SqliteCreditsStore,
} from '../../../server/store/sqlite.js';
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

  it("changes its generation when another process's connection writes the same file", async () => {
    media = tempMedia();
    const server = new SqliteCreditsStore(media.dataDir);
    const scan = new SqliteCreditsStore(path.join(media.dataDir, 'endcue.db'));
    const before = server.generation();
    expect(server.generation()).toBe(before); // no write, no change
    await scan.putTitle({ id: 'ep1', src: 'ep1.mp4' }, 'admin');
    const after = server.generation();
    expect(after).not.toBe(before);
    expect(server.generation()).toBe(after);
    await server.putTitle({ id: 'ep2', src: 'ep2.mp4' }, 'admin'); // its own writes count too
    expect(server.generation()).not.toBe(after);
    await scan.close();
    await server.close();
  });

  it('upgrades a v1 database (no job owners) keeping its titles, results and jobs', async () => {
    media = tempMedia();
    const file = path.join(media.dir, 'v1.db');
    const v1 = new Database(file);
    v1.exec(MIGRATIONS[0] as string);
    v1.pragma('user_version = 1');
    v1.exec(`INSERT INTO titles VALUES ('a', 'a.mp4', NULL, NULL, NULL, NULL, 'catalog', 1);
      INSERT INTO results VALUES ('a', 'fp', 'm1', '{"creditsStart":90}', 2);
      INSERT INTO jobs (title_id, state, attempts, run_after, created_at, updated_at)
        VALUES ('a', 'running', 1, 3, 3, 3), ('b', 'queued', 0, 4, 4, 4);`);
    v1.close();
    const store = new SqliteCreditsStore(file);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(await store.getTitle('a')).toMatchObject({ src: 'a.mp4', origin: 'catalog' });
    expect((await store.getResult('a', 'fp', 'm1'))?.result).toEqual({ creditsStart: 90 });
    expect(
      store.db.prepare('SELECT title_id, state, attempts, owner_id, heartbeat_at FROM jobs').all(),
    ).toEqual([
      { title_id: 'a', state: 'running', attempts: 1, owner_id: null, heartbeat_at: null },
      { title_id: 'b', state: 'queued', attempts: 0, owner_id: null, heartbeat_at: null },
    ]);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    await store.close();
  });

  it('upgrades a v3 database (before series) keeping its data, with the intros table empty', async () => {
    media = tempMedia();
    const file = path.join(media.dir, 'v3.db');
    const v3 = new Database(file);
    for (const migration of MIGRATIONS.slice(0, 3)) v3.exec(migration);
    v3.pragma('user_version = 3');
    v3.exec(`INSERT INTO titles VALUES ('a', 'a.mp4', NULL, 'show', 1, 2, 'catalog', 1);
      INSERT INTO results VALUES ('a', 'fp', 'm1', '{"creditsStart":90}', 2);
      INSERT INTO overrides VALUES ('a', 80, NULL, NULL, 'by hand', 3, 95, 99);`);
    v3.close();
    const store = new SqliteCreditsStore(file);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(await store.getTitle('a')).toMatchObject({ series: 'show', season: 1, episode: 2 });
    expect((await store.getResult('a', 'fp', 'm1'))?.result).toEqual({ creditsStart: 90 });
    expect(await store.getOverride('a')).toMatchObject({ creditsStart: 80, note: 'by hand' });
    expect(await store.getIntro('a')).toBeUndefined();
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    await store.close();
  });

  it('refuses a database from a newer EndCue', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(/newer/);
    db.close();
  });
});
