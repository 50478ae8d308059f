/** Runs the real `endcue` bin for the CLI tests (not a TTY: no progress bar). */
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin/endcue.mjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time until the process exited. */
  ms: number;
}

/**
 * Runs `endcue ...args` from the repository root; rejects (after killing it) when it has
 * not exited within `timeoutMs`. The test runner's ENDCUE_*, REDIS_URL and DATABASE_URL are
 * left out (CI sets some), so the bin runs on its embedded defaults.
 */
export function runEndcue(args: string[], timeoutMs: number): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0' };
    for (const key of Object.keys(env)) {
      if (key.startsWith('ENDCUE_') || key === 'REDIS_URL' || key === 'DATABASE_URL')
        delete env[key];
    }
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`endcue ${args.join(' ')} did not exit within ${timeoutMs} ms: ${stdout}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}
