import { describe, expect, it } from 'vitest';
import { DEFAULT_TAIL, parseTail, tailStart } from '../../../server/detector/tail.js';
import { isEndcueError } from '../../../server/errors.js';

describe('tail', () => {
  it('defaults to the last 25% or 15 minutes, whichever is longer', () => {
    expect(tailStart(7200, DEFAULT_TAIL)).toBe(5400);
    expect(tailStart(1800, DEFAULT_TAIL)).toBe(900);
    expect(tailStart(600, DEFAULT_TAIL)).toBe(0);
  });

  it('parses --tail values', () => {
    expect(parseTail('15m')).toEqual({ seconds: 900 });
    expect(parseTail('900')).toEqual({ seconds: 900 });
    expect(parseTail('90s')).toEqual({ seconds: 90 });
    expect(parseTail('1h')).toEqual({ seconds: 3600 });
    expect(parseTail('30%')).toEqual({ fraction: 0.3 });
    expect(parseTail('0.2')).toEqual({ fraction: 0.2 });
    expect(parseTail('25%,15m')).toEqual({ fraction: 0.25, seconds: 900 });
    expect(parseTail('all')).toEqual({ fraction: 1 });
    for (const bad of ['', 'abc', '150%', '0', '-5m']) {
      const error = (() => {
        try {
          parseTail(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(isEndcueError(error), bad).toBe(true);
    }
  });
});
