import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLE_FILES, bundleIsStale, newestMtime } from '../../demo/plugin-bundle.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A fake project: plugin sources at `sourceTime`, bundle files at `bundleTime` (seconds). */
function project(sourceTime: number, bundleTime: number | null): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'endcue-bundle-'));
  roots.push(root);
  mkdirSync(path.join(root, 'plugin', 'lang'), { recursive: true });
  const source = path.join(root, 'plugin', 'lang', 'en.ts');
  writeFileSync(source, 'export {}');
  utimesSync(source, sourceTime, sourceTime);
  if (bundleTime !== null) {
    mkdirSync(path.join(root, 'dist', 'plugin'), { recursive: true });
    for (const name of BUNDLE_FILES) {
      const file = path.join(root, 'dist', 'plugin', name);
      writeFileSync(file, '');
      utimesSync(file, bundleTime, bundleTime);
    }
  }
  return root;
}

describe('plugin bundle freshness', () => {
  it('is stale when missing or older than a plugin source, fresh otherwise', () => {
    expect(bundleIsStale(project(1000, null))).toBe(true);
    expect(bundleIsStale(project(2000, 1000))).toBe(true);
    expect(bundleIsStale(project(1000, 2000))).toBe(false);
  });

  it('finds the newest file in nested folders', () => {
    const root = project(1500, null);
    expect(newestMtime(path.join(root, 'plugin'))).toBe(1500 * 1000);
    expect(newestMtime(path.join(root, 'missing'))).toBe(0);
  });
});
