import { describe, expect, it } from 'vitest';
import { flagsToConfig, serveCommand } from '../../../server/cli/serve.js';
import { loadConfig } from '../../../server/config.js';

describe('endcue serve flags', () => {
  it('map to config keys and override the env', () => {
    const command = serveCommand();
    command.parseOptions([
      '--port',
      '9100',
      '--media-root',
      '/a:/b',
      '--media-root',
      '/c',
      '--allowed-host',
      'cdn.test',
      '--cors',
      'https://x.test,https://y.test',
      '--concurrency',
      '3',
    ]);
    const overrides = flagsToConfig(command.opts());
    expect(overrides).toEqual({
      port: 9100,
      mediaRoots: ['/a', '/b', '/c'],
      allowedHosts: ['cdn.test'],
      cors: { origins: ['https://x.test', 'https://y.test'] },
      concurrency: 3,
    });
    const config = loadConfig(overrides, { ENDCUE_PORT: '8000', ENDCUE_HOST: '::1' });
    expect(config.port).toBe(9100);
    expect(config.host).toBe('::1');
  });

  it('has no flag for the admin key (env only, kept out of `ps`)', () => {
    expect(serveCommand().options.map((option) => option.long)).not.toContain('--admin-key');
  });
});
