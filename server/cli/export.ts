/**
 * `endcue export [folder-or-file...]`: sidecar files beside each video from the stored
 * results (issue 21), without analysing anything: `<name>.edl` (Kodi), `<name>.chapters.vtt`
 * and `<name>.ffmeta` (server/export/sidecars.ts). Titles are found as `endcue scan` found
 * them: a folder's videos by the same ids, a single video by the folder it was scanned from.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import type { Title } from '../catalog/title.js';
import { loadConfig, type ServerConfig } from '../config.js';
import { EndcueError } from '../errors.js';
import { parseMinConfidence } from '../export/confidence.js';
import { findMkvpropedit } from '../export/embed.js';
import {
  type ExportEntry,
  type ExportOptions,
  exportSidecars,
  formatExportReport,
  reasonOf,
} from '../export/library.js';
import { resolveFfmpeg } from '../media/ffmpeg.js';
import { isInside, type SourcePolicy } from '../media/sources.js';
import { openStore } from '../store/open.js';
import type { CreditsStore } from '../store/types.js';
import { libraryTitles, titleIdFromPath, VIDEO_EXTENSIONS } from './scan.js';
import { flagsToConfig } from './serve.js';

interface ExportFlags {
  json?: boolean;
  embed?: boolean;
  replaceChapters?: boolean;
  minConfidence?: string;
  dataDir?: string;
  mediaRoot?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Titles to export for one target, with the media roots their srcs are relative to. */
export interface ExportTarget {
  titles: Title[];
  mediaRoots: string[];
}

/**
 * A single video: the title registered for it, looked for from the nearest folder up
 * (configured media roots first), as `scan` of any folder above it would have named it.
 * Matched by src, not by id: ids of same-named files get suffixes (a.mp4, a.mkv -> a, a_2).
 */
async function videoTarget(
  file: string,
  store: CreditsStore,
  mediaRoots: readonly string[],
): Promise<ExportTarget> {
  const ancestors: string[] = [];
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    ancestors.push(dir);
    if (path.dirname(dir) === dir) break;
  }
  const roots = [...mediaRoots.filter((root) => isInside(root, file)), ...ancestors];
  const bySrc = new Map<string, Title[]>();
  for (const title of await store.listTitles()) {
    bySrc.set(title.src, [...(bySrc.get(title.src) ?? []), title]);
  }
  for (const root of roots) {
    const src = path.relative(root, file).split(path.sep).join('/');
    const id = titleIdFromPath(path.relative(root, file));
    const candidates = bySrc.get(src) ?? [];
    // Several folders may hold a file by this relative name: prefer the id scan gives it.
    const title = candidates.find((t) => t.id.startsWith(id)) ?? candidates[0];
    if (title) {
      return {
        titles: [title],
        mediaRoots: mediaRoots.includes(root) ? [...mediaRoots] : [...mediaRoots, root],
      };
    }
  }
  throw new EndcueError('not-found', `${file} has no stored result: it was never scanned`, {
    hint: 'Run `endcue scan` on it (or on its folder) first, with the same --data-dir.',
  });
}

export async function exportTarget(
  target: string,
  store: CreditsStore,
  mediaRoots: readonly string[],
): Promise<ExportTarget> {
  const absolute = path.resolve(target);
  const info = await stat(absolute).catch(() => undefined);
  if (info?.isFile() && VIDEO_EXTENSIONS.has(path.extname(absolute).toLowerCase())) {
    return videoTarget(absolute, store, mediaRoots);
  }
  return libraryTitles(target, mediaRoots); // a folder or a catalog file; says what is wrong
}

async function exportAll(
  targets: readonly string[],
  store: CreditsStore,
  config: ServerConfig,
  options: Pick<ExportOptions, 'embed' | 'minConfidence'>,
): Promise<ExportEntry[]> {
  const entries: ExportEntry[] = [];
  for (const target of targets) {
    let found: ExportTarget;
    try {
      found = await exportTarget(target, store, config.mediaRoots);
    } catch (error) {
      entries.push({ titleId: target, outcome: 'failed', reason: reasonOf(error) });
      continue;
    }
    const policy: SourcePolicy = {
      mediaRoots: found.mediaRoots,
      allowedHosts: config.allowedHosts,
      allowPrivateNetworks: config.allowPrivateNetworks,
    };
    entries.push(
      ...(await exportSidecars({
        titles: found.titles,
        store,
        policy,
        ...options,
      })),
    );
  }
  return entries;
}

export function exportCommand(): Command {
  return new Command('export')
    .description(
      'Write sidecars beside each video from the stored results (no analysis): <name>.edl (Kodi), <name>.chapters.vtt, <name>.ffmeta (ffmpeg chapters).',
    )
    .argument('[folder-or-file...]', 'folders, videos or catalog files already scanned', ['.'])
    .option('--json', 'print the report as one JSON object')
    .option(
      '--embed',
      'also write the chapters into each MKV/MP4 itself (mkvpropedit in place, else a checked stream copy)',
    )
    .option('--replace-chapters', 'with --embed: replace chapters a file already has of its own')
    .option(
      '--min-confidence <n>',
      'mark no credits where the detected start is less sure than this (0 to 1, e.g. 0.8; default 0)',
    )
    .option('--data-dir <dir>', 'SQLite data dir when DATABASE_URL is unset (env ENDCUE_DATA_DIR)')
    .option('--media-root <dir>', 'media root, repeatable (env ENDCUE_MEDIA_ROOTS)', collect)
    .action(async (targets: string[], flags: ExportFlags) => {
      const minConfidence = parseMinConfidence(flags.minConfidence ?? '0');
      const config = loadConfig(flagsToConfig(flags), process.env);
      const embed = flags.embed
        ? {
            tools: { ...resolveFfmpeg(), mkvpropedit: findMkvpropedit() },
            replace: flags.replaceChapters === true,
          }
        : undefined;
      const store = await openStore(config);
      let entries: ExportEntry[];
      try {
        entries = await exportAll(targets, store, config, {
          ...(embed ? { embed } : {}),
          minConfidence,
        });
      } finally {
        await store.close();
      }
      process.stdout.write(
        flags.json ? `${JSON.stringify({ titles: entries })}\n` : formatExportReport(entries),
      );
      if (entries.some((entry) => entry.outcome === 'failed')) process.exitCode = 1;
    });
}
