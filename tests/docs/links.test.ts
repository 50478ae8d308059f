import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deadLinks, extractLinks, headingAnchors, headingSlug, isExternal } from './links.js';

const root = path.resolve(import.meta.dirname, '../..');
const docs = readdirSync(path.join(root, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => path.join('docs', name));
const files = ['README.md', 'model/README.md', ...docs];

describe('the link checker', () => {
  it('finds inline links, images and reference links, not links inside code', () => {
    const sample = [
      'See [the plugin](docs/plugin.md#events) and ![card](docs/demo-card.png "The card").',
      '`[not a link](nowhere.md)` and [web](https://example.com).',
      '```md',
      '[also not](inside-a-fence.md)',
      '```',
      '[ref]: docs/operations.md',
    ].join('\n');
    expect(extractLinks(sample).map((link) => [link.target, link.line])).toEqual([
      ['docs/plugin.md#events', 1],
      ['docs/demo-card.png', 1],
      ['https://example.com', 2],
      ['docs/operations.md', 6],
    ]);
    expect(isExternal('https://example.com')).toBe(true);
    expect(isExternal('mailto:a@b.c')).toBe(true);
    expect(isExternal('../README.md')).toBe(false);
  });

  it("makes GitHub's anchors from headings", () => {
    expect(headingSlug('Production mode: Redis, PostgreSQL, workers')).toBe(
      'production-mode-redis-postgresql-workers',
    );
    expect(headingSlug('Options (`player.endcue(options)`)')).toBe('options-playerendcueoptions');
    expect(headingSlug('The video.js plugin')).toBe('the-videojs-plugin');
    expect([...headingAnchors('# A\n## B\n```\n# not a heading\n```\n## B\n')]).toEqual([
      'a',
      'b',
      'b-1',
    ]);
  });

  it('reports a missing file and a missing heading, and passes good links', () => {
    const file = path.join(root, 'docs', 'sample.md');
    const others: Record<string, string> = {
      [path.join(root, 'docs', 'there.md')]: '# There\n## Events\n',
      [path.join(root, 'README.md')]: '# EndCue\n',
    };
    const sample = [
      '# Sample',
      '[ok](there.md) [ok](there.md#events) [ok](../README.md) [ok](#sample)',
      '[dead](gone.md) [dead](there.md#no-such-heading) [dead](#nowhere)',
      '[external](https://example.com/gone.md)',
    ].join('\n');
    const dead = deadLinks(
      file,
      sample,
      (other) => other in others,
      (other) => others[other] ?? '',
    );
    expect(dead.map((link) => [link.target, link.line])).toEqual([
      ['gone.md', 3],
      ['there.md#no-such-heading', 3],
      ['#nowhere', 3],
    ]);
    expect(dead[0]?.reason).toMatch(/no such file/);
    expect(dead[1]?.reason).toMatch(/no heading #no-such-heading in there\.md/);
  });
});

describe('the docs', () => {
  it('include the pages the README promises', () => {
    for (const page of [
      'architecture',
      'detector',
      'accuracy',
      'benchmarks',
      'operations',
      'plugin',
    ]) {
      expect(docs).toContain(path.join('docs', `${page}.md`));
    }
  });

  it('README.md stays a front page: at most 15 KB', () => {
    expect(readFileSync(path.join(root, 'README.md')).byteLength).toBeLessThanOrEqual(15 * 1024);
  });

  it.each(files)('%s has no dead relative links', (file) => {
    const absolute = path.join(root, file);
    const dead = deadLinks(absolute, readFileSync(absolute, 'utf8'));
    expect(dead.map((link) => `${file}:${link.line} ${link.target} (${link.reason})`)).toEqual([]);
  });
});
