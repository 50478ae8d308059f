/**
 * The documented settings and the ones EndCue reads agree (issue 23: ENDCUE_MAX_ATTEMPTS was
 * documented and ignored): the Configuration table in docs/operations.md lists exactly the
 * variables loadConfig reads, and every ENDCUE_* variable the README or operations.md
 * mentions is read somewhere, and every one read is documented.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_ENV_NAMES, loadConfig } from '../../../server/config.js';

const REPO = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');
const NAME = /\b(ENDCUE_[A-Z0-9_]+|REDIS_URL|DATABASE_URL)\b/g;

/** Variable names in the env column of the Configuration table. */
function documentedTable(): Set<string> {
  const doc = read('docs/operations.md');
  const lines = doc.slice(doc.indexOf('### Configuration')).split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  const table = lines.slice(start + 2, end); // after the header and |---|
  const names = new Set<string>();
  for (const row of table) {
    const env = row.split(/(?<!\\)\|/)[2] ?? '';
    for (const match of env.matchAll(NAME)) names.add(match[1] as string);
  }
  return names;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(REPO, dir)).flatMap((entry) => {
    const relative = path.join(dir, entry);
    if (statSync(path.join(REPO, relative)).isDirectory()) return sourceFiles(relative);
    return /\.(ts|mjs)$/.test(entry) ? [relative] : [];
  });
}

/** ENDCUE_* read from an env object anywhere in the server, the CLI and the demo. */
function readInCode(): Set<string> {
  const names = new Set(CONFIG_ENV_NAMES);
  for (const file of ['server', 'demo', 'bin'].flatMap(sourceFiles)) {
    for (const match of read(file).matchAll(/\benv(?:\.|\[['"])(ENDCUE_[A-Z0-9_]+)/g))
      names.add(match[1] as string);
  }
  return names;
}

describe('settings: documented = read', () => {
  it('the Configuration table lists exactly what loadConfig reads', () => {
    const table = documentedTable();
    expect(table.size).toBeGreaterThan(15);
    expect([...table].sort()).toEqual([...CONFIG_ENV_NAMES].sort());
  });

  it('every ENDCUE_* in the README and operations.md is read, and every one read is documented', () => {
    const docs = `${read('README.md')}\n${read('docs/operations.md')}`;
    const mentioned = new Set([...docs.matchAll(NAME)].map((match) => match[1] as string));
    const used = readInCode();
    expect([...mentioned].filter((name) => !used.has(name))).toEqual([]);
    expect([...used].filter((name) => !mentioned.has(name))).toEqual([]);
  });

  it('ENDCUE_MAX_ATTEMPTS sets the runs per analysis (default 4), and a bad value names it', () => {
    expect(loadConfig({}, {}).maxAttempts).toBe(4);
    expect(loadConfig({}, { ENDCUE_MAX_ATTEMPTS: '2' }).maxAttempts).toBe(2);
    expect(() => loadConfig({}, { ENDCUE_MAX_ATTEMPTS: '0' })).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/ENDCUE_MAX_ATTEMPTS/) }),
    );
  });
});
