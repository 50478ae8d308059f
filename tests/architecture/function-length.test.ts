/**
 * No function in server/detector/ over 80 lines (issue 19): the detector is read more than
 * any other part, and a stage that fits on one screen can be checked against its comment.
 * Measured with the TypeScript parser: every function, method and arrow function, nested
 * ones on their own (their lines count in the enclosing function too).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const MAX_LINES = 80;

/** Each function in a source text as `name (lines)`, longest first. */
function functionLengths(file: string, text: string): { name: string; lines: number }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const named = (node as ts.FunctionLikeDeclaration).name;
      const name = named ? named.getText(source) : '(anonymous)';
      found.push({ name: `${path.basename(file)}: ${name}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.sort((a, b) => b.lines - a.lines);
}

describe('function length', () => {
  it('finds a long function (the checker works)', () => {
    const body = Array.from({ length: 90 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    expect(functionLengths('long.ts', `function long() {\n${body}\n}\n`)).toEqual([
      { name: 'long.ts: long', lines: 92 },
    ]);
  });

  it(`keeps every function in server/detector/ within ${MAX_LINES} lines`, () => {
    const dir = path.join(root, 'server/detector');
    const long = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') || f.endsWith('.mjs'))
      .flatMap((f) => functionLengths(f, readFileSync(path.join(dir, f), 'utf8')))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.name} (${f.lines} lines)`);
    expect(long).toEqual([]);
  });
});
