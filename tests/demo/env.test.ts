import { describe, expect, it } from 'vitest';
import { demoEnv } from '../../demo/env.js';

describe('demoEnv', () => {
  it('fills in port 8080, one analysis at a time and warn-level logs', () => {
    expect(demoEnv({ HOME: '/home/x' })).toEqual({
      HOME: '/home/x',
      ENDCUE_PORT: '8080',
      ENDCUE_CONCURRENCY: '1',
      ENDCUE_LOG_LEVEL: 'warn',
    });
  });

  it('keeps what the user set; PORT works too', () => {
    const env = demoEnv({ PORT: '3000', ENDCUE_CONCURRENCY: '2', ENDCUE_LOG_LEVEL: 'info' });
    expect(env).toMatchObject({
      ENDCUE_PORT: '3000',
      ENDCUE_CONCURRENCY: '2',
      ENDCUE_LOG_LEVEL: 'info',
    });
    expect(demoEnv({ PORT: '3000', ENDCUE_PORT: '4000' }).ENDCUE_PORT).toBe('4000');
  });

  it('always uses the embedded engines', () => {
    const env = demoEnv({ DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://r' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
  });
});
