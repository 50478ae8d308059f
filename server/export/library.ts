/**
 * Sidecars for a list of titles from what is stored (`endcue export`, `scan --sidecars`):
 * nothing is analysed. One entry per title: the files written, or why there are none.
 */
import type { Title } from '../catalog/title.js';
import { isEndcueError } from '../errors.js';
import { isUrlSource, type SourcePolicy } from '../media/sources.js';
import type { CreditsStore } from '../store/types.js';
import { creditsChapters } from './chapters.js';
import { type LeftOutStart, trustedAnswer } from './confidence.js';
import { type EmbedResult, type EmbedTools, embedChapters } from './embed.js';
import { nodeSidecarFs, type SidecarFs, type SidecarResult, writeSidecars } from './sidecars.js';
import { rekeyResult, storedAnswer } from './stored.js';

export interface ExportEntry {
  titleId: string;
  outcome: 'exported' | 'skipped' | 'failed';
  /** The video the sidecars sit beside. */
  video?: string;
  files?: SidecarResult[];
  /** `--embed`: what happened to the chapters in the video itself. */
  embedded?: EmbedResult;
  reason?: string;
  /** The detected start that `minConfidence` left out of the files (they mark no credits). */
  leftOut?: LeftOutStart;
}

export interface ExportOptions {
  titles: readonly Title[];
  store: CreditsStore;
  policy: SourcePolicy;
  fs?: SidecarFs;
  /** Also write the chapters into the videos (opt-in); `replace`: over their own chapters. */
  embed?: { tools: EmbedTools; replace?: boolean };
  /** Detected starts less sure than this are left out (`--min-confidence`; default 0). */
  minConfidence?: number;
}

/** "code: message (hint)" for an EndcueError or a stored error. */
export function reasonOf(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; hint?: unknown };
  if (!isEndcueError(error) && (typeof e?.code !== 'string' || typeof e.message !== 'string')) {
    return String(error);
  }
  return `${e.code}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`;
}

export async function exportSidecars(options: ExportOptions): Promise<ExportEntry[]> {
  const entries: ExportEntry[] = [];
  for (const title of options.titles) {
    if (isUrlSource(title.src)) {
      entries.push({
        titleId: title.id,
        outcome: 'skipped',
        reason: 'a URL source: sidecars are written beside local files only',
      });
      continue;
    }
    try {
      const lookup = await storedAnswer(options.store, title, options.policy);
      const video = lookup.media.input;
      if (lookup.status === 'not-analysed') {
        entries.push({
          titleId: title.id,
          outcome: 'skipped',
          video,
          reason: 'not analysed yet (run `endcue scan` on it first)',
        });
      } else if (lookup.status === 'failed') {
        entries.push({
          titleId: title.id,
          outcome: 'failed',
          video,
          reason: reasonOf(lookup.error),
        });
      } else {
        const { answer, leftOut } = trustedAnswer(lookup.answer, options.minConfidence ?? 0);
        const files = await writeSidecars(video, answer, options.fs ?? nodeSidecarFs);
        const entry: ExportEntry = { titleId: title.id, outcome: 'exported', video, files };
        if (leftOut) entry.leftOut = leftOut;
        entries.push(entry);
        if (options.embed) {
          const { tools, replace } = options.embed;
          const chapters = creditsChapters(answer);
          entry.embedded = await embedChapters(video, chapters, tools, {
            replace: replace === true,
          });
          if (entry.embedded.outcome === 'embedded' && lookup.stored) {
            await rekeyResult(options.store, title, options.policy, lookup.stored);
          }
        }
      }
    } catch (error) {
      const last = entries.at(-1);
      if (last?.titleId === title.id) {
        last.outcome = 'failed'; // the sidecars were written, the embedding failed
        last.reason = reasonOf(error);
      } else {
        entries.push({ titleId: title.id, outcome: 'failed', reason: reasonOf(error) });
      }
    }
  }
  return entries;
}

/** Human lines: one per title that did not simply get its files, and a summary. */
export function formatExportReport(entries: readonly ExportEntry[]): string {
  const count = (outcome: ExportEntry['outcome']) =>
    entries.filter((e) => e.outcome === outcome).length;
  const lines = [
    `sidecars: exported ${count('exported')}, skipped ${count('skipped')}, failed ${count('failed')}`,
  ];
  for (const entry of entries) {
    if (entry.outcome !== 'exported') {
      lines.push(`  ${entry.outcome} ${entry.titleId}: ${entry.reason}`);
    }
    if (entry.leftOut) {
      const { creditsStart, confidence } = entry.leftOut;
      lines.push(
        `  no credits marked for ${entry.titleId}: its start at ${creditsStart.toFixed(1)} s has confidence ${confidence.toFixed(2)}, below --min-confidence`,
      );
    }
    if (entry.embedded?.outcome === 'kept') {
      lines.push(`  kept the chapters in ${entry.embedded.video}: ${entry.embedded.reason}`);
    }
    for (const file of entry.files ?? []) {
      if (file.outcome === 'kept') {
        lines.push(`  kept ${file.path}: not written by EndCue (or edited since); left as it is`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
