import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  configFromEnv,
  DEFAULT_DATA_DIR,
  DEFAULT_MEDIA_ROOT,
  loadConfig,
} from '../../../server/config.js';
import { EndcueError } from '../../../server/errors.js';

describe('loadConfig', () => {
  it('works with zero config: loopback:8080, ./data, the demo media, admin off', () => {
    const config = loadConfig({}, {});
    expect(config.port).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe(DEFAULT_DATA_DIR);
    expect(config.mediaRoots).toEqual([DEFAULT_MEDIA_ROOT]);
    expect(config.adminKey).toBeUndefined();
    expect(config.allowedHosts).toEqual([]);
    expect(config.allowPrivateNetworks).toBe(false);
    expect(config.concurrency).toBeGreaterThanOrEqual(1);
    expect(config.textCheck).toBe(true);
  });

  it('reads the stable ENDCUE_* names', () => {
    const config = loadConfig(
      {},
      {
        ENDCUE_PORT: '9000',
        ENDCUE_HOST: '0.0.0.0',
        ENDCUE_DATA_DIR: '/tmp/endcue-data',
        ENDCUE_MEDIA_ROOTS: '/srv/a:/srv/b',
        ENDCUE_ALLOWED_HOSTS: 'cdn.example.com, *.media.example.org',
        ENDCUE_CATALOG: '/etc/endcue/catalog.yaml',
        ENDCUE_ADMIN_KEY: 'secret',
        ENDCUE_CONCURRENCY: '3',
        ENDCUE_TEXT_CHECK: 'off',
      },
    );
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      dataDir: '/tmp/endcue-data',
      mediaRoots: ['/srv/a', '/srv/b'],
      allowedHosts: ['cdn.example.com', '*.media.example.org'],
      catalog: '/etc/endcue/catalog.yaml',
      adminKey: 'secret',
      concurrency: 3,
      textCheck: false,
    });
  });

  it('lets explicit settings (CLI flags) override env, and ignores empty env values', () => {
    const config = loadConfig({ port: 1234 }, { ENDCUE_PORT: '9000', ENDCUE_ADMIN_KEY: '' });
    expect(config.port).toBe(1234);
    expect(config.adminKey).toBeUndefined();
    expect(configFromEnv({ ENDCUE_CORS_ORIGINS: 'https://a.test,https://b.test' }).cors).toEqual({
      origins: ['https://a.test', 'https://b.test'],
    });
  });

  it('resolves relative paths against the working directory', () => {
    const config = loadConfig({ dataDir: 'd', mediaRoots: ['m'], catalog: 'c.yaml' }, {}, '/base');
    expect(config.dataDir).toBe(path.resolve('/base/d'));
    expect(config.mediaRoots).toEqual([path.resolve('/base/m')]);
    expect(config.catalog).toBe(path.resolve('/base/c.yaml'));
  });

  it('rejects bad values with an EndcueError naming the env var', () => {
    let caught: unknown;
    try {
      loadConfig({}, { ENDCUE_PORT: 'eighty' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EndcueError);
    expect((caught as EndcueError).code).toBe('invalid-input');
    expect((caught as EndcueError).hint).toContain('ENDCUE_PORT');
    expect(() => loadConfig({}, { ENDCUE_CONCURRENCY: '0' })).toThrow(/concurrency/);
  });
});
