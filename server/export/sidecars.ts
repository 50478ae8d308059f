/**
 * Sidecar files beside a video, from a stored result (issue 21): `<name>.edl` (Kodi),
 * `<name>.chapters.vtt` (WebVTT chapters) and `<name>.ffmeta` (ffmpeg metadata chapters).
 *
 * EndCue only ever rewrites its own files: each folder keeps `.endcue-sidecars.json`, the
 * SHA-256 of every sidecar EndCue wrote there. A file that is not listed, or whose content
 * changed since (someone edited it), is kept as it is and reported. A sidecar is rewritten
 * only when its content would change, so a media server's file watcher sees no churn. Files
 * are written to a temporary name and renamed, so a reader never sees half a file; where
 * the folder cannot be written, the first write fails and nothing there is changed.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EndcueError } from '../errors.js';
import type { ChapterSource } from './chapters.js';
import { toKodiEdl } from './edl.js';
import { toFfmetadata } from './ffmetadata.js';
import { creditsToVtt } from './webvtt.js';

export const SIDECAR_KINDS = ['edl', 'vtt', 'ffmeta'] as const;
export type SidecarKind = (typeof SIDECAR_KINDS)[number];

const SUFFIX: Record<SidecarKind, string> = {
  edl: '.edl',
  vtt: '.chapters.vtt',
  ffmeta: '.ffmeta',
};

export const MANIFEST_NAME = '.endcue-sidecars.json';

const MARK =
  'Written by EndCue from its stored result. EndCue rewrites this file when that result changes, and leaves it alone once it is edited.';

/** `<dir>/<name without extension><suffix>`. */
export function sidecarPath(video: string, kind: SidecarKind): string {
  const parsed = path.parse(video);
  return path.join(parsed.dir, `${parsed.name}${SUFFIX[kind]}`);
}

/** What each sidecar should hold ('' = no file: no credits to skip in an EDL). PURE. */
export function sidecarContents(source: ChapterSource): Record<SidecarKind, string> {
  return {
    edl: toKodiEdl(source),
    vtt: creditsToVtt(source, { note: MARK }),
    ffmeta: toFfmetadata(source, MARK),
  };
}

export type SidecarOutcome = 'created' | 'updated' | 'unchanged' | 'removed' | 'kept' | 'none';

export interface SidecarResult {
  kind: SidecarKind;
  path: string;
  outcome: SidecarOutcome;
}

/** The file system calls the writer makes (tests inject failures). */
export interface SidecarFs {
  readFile(file: string): Promise<string | undefined>;
  writeFile(file: string, content: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(file: string): Promise<void>;
}

export const nodeSidecarFs: SidecarFs = {
  readFile: async (file) => {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  writeFile: (file, content) => writeFile(file, content, 'utf8'),
  rename: (from, to) => rename(from, to),
  remove: (file) => rm(file, { force: true }),
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

type Manifest = Record<string, string>;

async function readManifest(fs: SidecarFs, dir: string): Promise<Manifest> {
  const text = await fs.readFile(path.join(dir, MANIFEST_NAME));
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as { files?: unknown };
    return parsed.files && typeof parsed.files === 'object' ? (parsed.files as Manifest) : {};
  } catch {
    return {}; // unreadable: nothing is known to be ours, so nothing is overwritten
  }
}

function writeFailure(file: string, error: unknown): EndcueError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
  const readOnly = code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
  const dir = path.dirname(file);
  return new EndcueError(
    'invalid-input',
    readOnly
      ? `cannot write ${path.basename(file)}: the folder ${dir} is read-only (${code}); nothing was changed there`
      : `cannot write ${file} (${code}: ${(error as Error).message})`,
    {
      hint: readOnly
        ? 'Give the user running EndCue write access to that folder: sidecars are written beside the videos.'
        : 'Check the disk and the folder, then run the export again.',
    },
  );
}

async function atomicWrite(fs: SidecarFs, file: string, content: string): Promise<void> {
  const temp = `${file}.endcue-${process.pid}.tmp`;
  try {
    await fs.writeFile(temp, content);
    await fs.rename(temp, file);
  } catch (error) {
    await fs.remove(temp).catch(() => undefined);
    throw writeFailure(file, error);
  }
}

/** Plans and writes one video's sidecars; the folder's manifest is updated after them. */
export async function writeSidecars(
  video: string,
  source: ChapterSource,
  fs: SidecarFs = nodeSidecarFs,
): Promise<SidecarResult[]> {
  const dir = path.dirname(video);
  const manifest = await readManifest(fs, dir);
  const contents = sidecarContents(source);
  const results: SidecarResult[] = [];
  let changed = false;
  for (const kind of SIDECAR_KINDS) {
    const file = sidecarPath(video, kind);
    const name = path.basename(file);
    const content = contents[kind];
    const current = await fs.readFile(file);
    let outcome: SidecarOutcome;
    if (current === undefined) {
      outcome = content ? 'created' : 'none';
    } else if (manifest[name] !== sha256(current)) {
      outcome = 'kept'; // not EndCue's, or edited since: never overwritten
    } else if (current === content) {
      outcome = 'unchanged';
    } else {
      outcome = content ? 'updated' : 'removed';
    }
    if (outcome === 'created' || outcome === 'updated') {
      await atomicWrite(fs, file, content);
      manifest[name] = sha256(content);
      changed = true;
    } else if (outcome === 'removed') {
      await fs.remove(file).catch((error: unknown) => {
        throw writeFailure(file, error);
      });
      delete manifest[name];
      changed = true;
    }
    results.push({ kind, path: file, outcome });
  }
  if (changed) {
    const body = { writtenBy: 'EndCue', note: MARK, files: manifest };
    await atomicWrite(fs, path.join(dir, MANIFEST_NAME), `${JSON.stringify(body, null, 2)}\n`);
  }
  return results;
}
