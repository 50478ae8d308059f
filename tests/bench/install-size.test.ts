import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { directoryBytes, installSize, installSizeTable } from '../../bench/install-size.js';

const root = mkdtempSync(path.join(tmpdir(), 'endcue-install-size-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('install size', () => {
  it('adds the bytes of the files in a folder, recursively, or only those whose names match', () => {
    mkdirSync(path.join(root, 'ocr/runtime'), { recursive: true });
    writeFileSync(path.join(root, 'ocr/a.traineddata.gz'), Buffer.alloc(1000));
    writeFileSync(path.join(root, 'ocr/README.md'), Buffer.alloc(10));
    writeFileSync(path.join(root, 'ocr/runtime/x.wasm'), Buffer.alloc(2_000_000));
    expect(directoryBytes(path.join(root, 'ocr'))).toBe(2_001_010);
    expect(directoryBytes(path.join(root, 'ocr'), /\.traineddata\.gz$/)).toBe(1000);
    expect(directoryBytes(path.join(root, 'missing'))).toBe(0);
  });

  it('sums the parts and prints them in MB', () => {
    const size = installSize(root, [
      { label: 'models', path: 'ocr', files: /\.traineddata\.gz$/ },
      { label: 'runtime', path: 'ocr/runtime' },
    ]);
    expect(size.rows.map((r) => r.bytes)).toEqual([1000, 2_000_000]);
    expect(size.totalBytes).toBe(2_001_000);
    const table = installSizeTable(size);
    expect(table).toContain('| runtime | `ocr/runtime` | 2.0 |');
    expect(table).toContain('**2.0**');
  });

  it('finds every part of this checkout', () => {
    const size = installSize(path.resolve(import.meta.dirname, '../..'));
    for (const row of size.rows) expect(row.bytes, row.path).toBeGreaterThan(100_000);
  });
});
