import { describe, expect, it } from 'vitest';
import { unavailable } from '../../../server/dependencies.js';
import { ReadMemo } from '../../../server/store/postgres.js';

/** A read that counts its calls and answers `value()` as it is when called. */
function countingRead<T>(value: () => T) {
  const read = {
    calls: 0,
    fn: async () => {
      read.calls++;
      return value();
    },
  };
  return read;
}

describe('ReadMemo (the PostgreSQL store read memo)', () => {
  it('serves the last answer while the database is unreachable, until a write succeeds', async () => {
    let now = 0;
    let down = false;
    const memo = new ReadMemo(1000, 100, () => now);
    const read = async () => {
      if (down) throw unavailable('postgres', new Error('connect ECONNREFUSED'));
      return 'answer';
    };
    expect(await memo.get('k', read)).toBe('answer');
    down = true;
    now = 5000;
    expect(await memo.get('k', read)).toBe('answer');
    await expect(memo.get('never-read', read)).rejects.toMatchObject({
      code: 'storage-unavailable',
    });
    const broken = async () => {
      throw new Error('syntax error at or near SELEC');
    };
    now = 10_000;
    await expect(memo.get('k', broken)).rejects.toThrow(/syntax error/);
    memo.clear(true); // this process wrote: what it kept may be out of date
    now = 15_000;
    await expect(memo.get('k', read)).rejects.toMatchObject({ code: 'storage-unavailable' });
  });

  it('forgets one title (every kind of read about it) and keeps the others', async () => {
    const memo = new ReadMemo(1000, 100, () => 0);
    const key = (...parts: string[]) => JSON.stringify(parts);
    const reads = ['ep1', 'ep10', 'ep'].map((id) => ({
      id,
      result: countingRead(() => id),
      title: countingRead(() => id),
    }));
    const ask = () =>
      Promise.all(
        reads.flatMap(({ id, result, title }) => [
          memo.get(key('result', id, 'fp', 'v1'), result.fn),
          memo.get(key('title', id), title.fn),
        ]),
      );
    await ask();
    memo.forget('ep1');
    await ask();
    expect(reads.map(({ result, title }) => [result.calls, title.calls])).toEqual([
      [2, 2],
      [1, 1],
      [1, 1],
    ]);
  });

  it('reuses an answer for ttlMs from when its query was sent, then asks again', async () => {
    let now = 0;
    let stored = 'old';
    const memo = new ReadMemo(1000, 100, () => now);
    const read = countingRead(() => stored);
    expect(await memo.get('k', read.fn)).toBe('old');
    stored = 'new'; // written by another process
    now = 999;
    expect(await memo.get('k', read.fn)).toBe('old');
    expect(read.calls).toBe(1);
    now = 1000;
    expect(await memo.get('k', read.fn)).toBe('new');
    expect(read.calls).toBe(2);
  });

  it('shares one query between concurrent asks, and keeps keys apart', async () => {
    const memo = new ReadMemo(1000, 100, () => 0);
    const read = countingRead(() => 'a');
    const other = countingRead(() => 'b');
    const answers = await Promise.all([
      memo.get('a', read.fn),
      memo.get('a', read.fn),
      memo.get('b', other.fn),
    ]);
    expect(answers).toEqual(['a', 'a', 'b']);
    expect([read.calls, other.calls]).toEqual([1, 1]);
  });

  it('asks again after clear() (this process wrote) and after a failed query', async () => {
    const memo = new ReadMemo(1000, 100, () => 0);
    const read = countingRead(() => 'v');
    await memo.get('k', read.fn);
    memo.clear();
    await memo.get('k', read.fn);
    expect(read.calls).toBe(2);
    await expect(memo.get('bad', async () => Promise.reject(new Error('down')))).rejects.toThrow(
      'down',
    );
    expect(await memo.get('bad', async () => 'up')).toBe('up');
  });

  it('queries every time with ttlMs 0, and holds at most maxEntries keys', async () => {
    const off = new ReadMemo(0, 100, () => 0);
    const read = countingRead(() => 'v');
    await off.get('k', read.fn);
    await off.get('k', read.fn);
    expect(read.calls).toBe(2);
    expect(off.size).toBe(0);

    const small = new ReadMemo(1000, 2, () => 0);
    const first = countingRead(() => 1);
    await small.get('first', first.fn);
    await small.get('second', async () => 2);
    await small.get('third', async () => 3);
    expect(small.size).toBe(2);
    await small.get('first', first.fn); // the oldest was dropped
    expect(first.calls).toBe(2);
  });
});
