/**
 * Relative links in the project's Markdown: which ones there are, and which are dead (the
 * file is missing, or an #anchor names no heading of the .md file it points into).
 * Pure apart from reading the files; used by links.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface MarkdownLink {
  /** As written: `docs/plugin.md#events`, `../README.md`, `#options`. */
  target: string;
  line: number;
}

/** Blanks fenced code blocks and inline code, keeping line numbers. */
function withoutCode(markdown: string): string {
  let inFence = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        inFence = !inFence;
        return '';
      }
      return inFence ? '' : line.replace(/`[^`]*`/g, '``');
    })
    .join('\n');
}

/** Inline links and images `[text](target "title")` and reference definitions `[id]: target`. */
export function extractLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  withoutCode(markdown)
    .split('\n')
    .forEach((text, index) => {
      for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+["'][^)]*["'])?\s*\)/g)) {
        links.push({ target: match[1] as string, line: index + 1 });
      }
      const reference = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(text);
      if (reference) links.push({ target: reference[1] as string, line: index + 1 });
    });
  return links;
}

/** Whether a link leaves the repository (a scheme such as https:, mailto:, or //host). */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor the headings of a Markdown text define (repeats get -1, -2 ...). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = headingSlug(heading[1] as string);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

export interface DeadLink extends MarkdownLink {
  file: string;
  reason: string;
}

/**
 * The dead relative links of one Markdown file. `read` is how another file's text is read
 * (for anchors into it); tests pass files that exist only in memory.
 */
export function deadLinks(
  file: string,
  markdown: string,
  exists: (file: string) => boolean = existsSync,
  read: (file: string) => string = (other) => readFileSync(other, 'utf8'),
): DeadLink[] {
  const dead: DeadLink[] = [];
  for (const link of extractLinks(markdown)) {
    if (isExternal(link.target)) continue;
    const [rawPath = '', anchor] = link.target.split('#', 2);
    const target = rawPath === '' ? file : path.resolve(path.dirname(file), decodeURI(rawPath));
    if (rawPath !== '' && !exists(target)) {
      dead.push({ ...link, file, reason: `no such file: ${path.relative(process.cwd(), target)}` });
      continue;
    }
    if (anchor && target.endsWith('.md')) {
      const text = target === file ? markdown : read(target);
      if (!headingAnchors(text).has(anchor.toLowerCase())) {
        dead.push({ ...link, file, reason: `no heading #${anchor} in ${path.basename(target)}` });
      }
    }
  }
  return dead;
}
