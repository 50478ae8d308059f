/**
 * The page loads the plugin from dist/plugin (rollup's output). Rebuilt only when missing
 * or older than its sources, so a second `npm start` does not pay for rollup again.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../server/config.js';

/** What the demo page loads from /plugin/. */
export const BUNDLE_FILES = ['endcue.umd.min.js', 'endcue.css'] as const;

/** Newest modification time of the files under `dir` (recursively), 0 when none. */
export function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    if (time > newest) newest = time;
  }
  return newest;
}

/** True when a bundle file is missing or older than plugin/ or the rollup config. */
export function bundleIsStale(root: string = PROJECT_ROOT): boolean {
  const outDir = path.join(root, 'dist', 'plugin');
  const sources = Math.max(
    newestMtime(path.join(root, 'plugin')),
    existsSync(path.join(root, 'rollup.config.mjs'))
      ? statSync(path.join(root, 'rollup.config.mjs')).mtimeMs
      : 0,
  );
  return BUNDLE_FILES.some((name) => {
    const file = path.join(outDir, name);
    return !existsSync(file) || statSync(file).mtimeMs < sources;
  });
}

/** Runs `rollup -c` when the bundle is stale; returns whether it built. */
export function ensurePluginBundle(log: (line: string) => void = () => undefined): boolean {
  if (!bundleIsStale()) return false;
  log('Building the video.js plugin (rollup -c)…');
  execFileSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'rollup'), ['-c', '--silent'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return true;
}
