/**
 * The read path must stay runnable at the edge: the app, routes and what they import use
 * web standards only. This walks the real import graph (type-only imports excluded).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../server/http/app.js';
import type { EndcueService } from '../../../server/http/service.js';

const SERVER = path.resolve(import.meta.dirname, '../../../server');

function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of text.matchAll(/^import\s+(?!type\s)(?:[^'"]*?from\s+)?['"]([^'"]+)['"]/gm)) {
    if (match[1]) specifiers.push(match[1]);
  }
  return specifiers;
}

function graph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of runtimeImports(file)) {
      if (spec.startsWith('.'))
        visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('edge-ready read path', () => {
  it('app.ts and its routes import no Node APIs, SQLite, ffmpeg or TF.js', () => {
    const { files, packages } = graph(path.join(SERVER, 'http/app.ts'));
    const relative = [...files].map((file) => path.relative(SERVER, file));
    expect(relative).toContain('http/routes/credits.ts');
    expect([...packages].filter((name) => name.startsWith('node:'))).toEqual([]);
    for (const forbidden of [
      'better-sqlite3',
      'pino',
      'fluent-ffmpeg',
      '@tensorflow/tfjs',
      '@hono/node-server',
    ]) {
      expect(packages).not.toContain(forbidden);
    }
    expect(
      relative.filter((file) => /store\/sqlite|queue\/local|media\/sources|start\.ts/.test(file)),
    ).toEqual([]);
  });

  it('answers /healthz 503 when the service reports a failed check', async () => {
    const service = {
      health: async () => ({ ok: false, checks: { store: 'disk I/O error' } }),
    } as unknown as EndcueService;
    const response = await createApp({ service }).request('/healthz');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'error', checks: { store: 'disk I/O error' } });
  });
});
