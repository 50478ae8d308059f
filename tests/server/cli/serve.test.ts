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

describe('endcue serve (process)', () => {
  it('starts from ENDCUE_* env, answers /healthz, and exits 0 on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'endcue-serve-'));
    const bin = path.resolve(import.meta.dirname, '../../../bin/endcue.mjs');
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: {
        ...process.env,
        ENDCUE_PORT: '0',
        ENDCUE_DATA_DIR: path.join(dir, 'data'),
        ENDCUE_MEDIA_ROOTS: dir,
        ENDCUE_LOG_LEVEL: 'silent',
        ENDCUE_ADMIN_KEY: '',
        ENDCUE_CATALOG: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /EndCue server on (http:\/\/\S+)/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/v1/jobs`)).status).toBe(403); // no ENDCUE_ADMIN_KEY
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
