import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config.js';

describe('production-mode settings (REDIS_URL, DATABASE_URL)', () => {
  it('are off by default: zero config is SQLite + the in-process queue', () => {
    const config = loadConfig({}, {});
    expect(config.redisUrl).toBeUndefined();
    expect(config.databaseUrl).toBeUndefined();
  });

  it('come from the conventional env names, empty meaning unset', () => {
    const config = loadConfig(
      {},
      { REDIS_URL: 'redis://cache:6379/2', DATABASE_URL: 'postgresql://u:p@db:5432/endcue' },
    );
    expect(config.redisUrl).toBe('redis://cache:6379/2');
    expect(config.databaseUrl).toBe('postgresql://u:p@db:5432/endcue');
    expect(loadConfig({}, { REDIS_URL: ' ', DATABASE_URL: '' }).redisUrl).toBeUndefined();
  });

  it('reuse PostgreSQL reads for 1 s unless ENDCUE_DB_READ_CACHE_MS says otherwise', () => {
    expect(loadConfig({}, {}).dbReadCacheMs).toBe(1000);
    expect(loadConfig({}, { ENDCUE_DB_READ_CACHE_MS: '0' }).dbReadCacheMs).toBe(0);
    expect(() => loadConfig({}, { ENDCUE_DB_READ_CACHE_MS: '-5' })).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/ENDCUE_DB_READ_CACHE_MS/) }),
    );
  });

  it('reject URLs of the wrong kind, naming the variable', () => {
    expect(() => loadConfig({}, { REDIS_URL: 'http://cache:6379' })).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/redisUrl/),
        hint: expect.stringMatching(/REDIS_URL/),
      }),
    );
    expect(() => loadConfig({}, { DATABASE_URL: 'mysql://db/endcue' })).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/DATABASE_URL/) }),
    );
  });
});
