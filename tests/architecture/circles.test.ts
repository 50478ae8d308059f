/**
 * No import circles in server/ (issue 19): a circle means two modules can't be read, tested
 * or moved apart. Type-only imports count too: shared types go in a module both sides
 * import (e.g. server/media/frame-types.ts). Checked with madge.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import madge from 'madge';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** The import circles under `dir`, with every TypeScript import counted, type-only ones too. */
async function importCircles(dir: string) {
  const result = await madge(dir, {
    fileExtensions: ['ts'],
    tsConfig: path.join(root, 'tsconfig.json'),
    detectiveOptions: { ts: { skipTypeImports: false }, es6: { skipTypeImports: false } },
  });
  return { circles: result.circular(), modules: Object.keys(result.obj()), result };
}

function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

describe('import circles', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'endcue-circles-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('are found, through .js specifiers and type-only imports', async () => {
    writeFileSync(
      path.join(scratch, 'a.ts'),
      "import type { B } from './b.js';\nexport interface A { b?: B }\n",
    );
    writeFileSync(
      path.join(scratch, 'b.ts'),
      "import type { A } from './a.js';\nimport { c } from './c.js';\nexport interface B { a?: A }\nexport const b = c;\n",
    );
    writeFileSync(path.join(scratch, 'c.ts'), 'export const c = 1;\n');
    const { circles } = await importCircles(scratch);
    expect(circles).toEqual([['a.ts', 'b.ts']]);
  });

  it('there are none in server/', async () => {
    const { circles, modules, result } = await importCircles(path.join(root, 'server'));
    // Every module was read and resolved (a resolver that found nothing would find no circle).
    // What server/ imports from outside it (the vendored ONNX runtime's types) is read too.
    const inServer = modules.filter((file) => !file.startsWith('../'));
    expect(inServer.sort()).toEqual(typescriptFiles(path.join(root, 'server')));
    expect(result.warnings().skipped).toEqual([]);
    expect(circles.map((circle) => [...circle, circle[0]].join(' -> '))).toEqual([]);
  });
});
