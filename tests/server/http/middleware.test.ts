import { describe, expect, it } from 'vitest';
import { etagOf, matchesEtag } from '../../../server/http/etag.js';
import { RateLimiter } from '../../../server/http/middleware/rate-limit.js';

describe('RateLimiter', () => {
  it('allows a burst, refuses the next with a retry time, and refills per client', () => {
    let now = 0;
    const limiter = new RateLimiter(60, 2, () => now);
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(true);
    const refused = limiter.take('a');
    expect(refused).toEqual({ ok: false, retryAfter: 1 });
    expect(limiter.take('b').ok).toBe(true); // another client has its own bucket
    now += 1000;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
  });
});

describe('ETags', () => {
  it('differ for different bodies and match If-None-Match lists', () => {
    const a = etagOf('{"creditsStart":1}');
    const b = etagOf('{"creditsStart":2}');
    expect(a).not.toBe(b);
    expect(a).toBe(etagOf('{"creditsStart":1}'));
    expect(matchesEtag(`"x", ${a}`, a)).toBe(true);
    expect(matchesEtag(`W/${a}`, a)).toBe(true);
    expect(matchesEtag('*', a)).toBe(true);
    expect(matchesEtag(b, a)).toBe(false);
    expect(matchesEtag(undefined, a)).toBe(false);
  });
});
