/**
 * Chapters written into the video itself (`endcue export --embed`, opt-in), for players and
 * media servers that read only embedded chapters (Jellyfin, VLC).
 *
 * - Matroska with mkvpropedit installed: edited in place (only the chapters element).
 * - Otherwise (MP4, or Matroska without mkvpropedit): ffmpeg copies every stream into a
 *   temporary file in the same folder with the chapters mapped in, ffprobe checks that copy
 *   (same streams, the chapters expected), and only then does it replace the original by
 *   an atomic rename. Any failure removes the copy and leaves the original byte-identical.
 *
 * Chapters a file already has are kept unless they are EndCue's own (or `replace` is set).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { chmod, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EndcueError } from '../errors.js';
import { CHAPTER_NAMES, type Chapter } from './chapters.js';
import { chaptersToFfmetadata } from './ffmetadata.js';
import { chaptersToMatroskaXml } from './matroska-chapters.js';

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface EmbedTools {
  ffmpeg: string;
  ffprobe: string;
  /** mkvpropedit's path, or undefined where it is not installed. */
  mkvpropedit?: string | undefined;
  run?: (binary: string, args: string[]) => Promise<ToolRun>;
}

export interface EmbedResult {
  video: string;
  outcome: 'embedded' | 'unchanged' | 'kept';
  method?: 'mkvpropedit' | 'stream-copy';
  reason?: string;
}

export function runTool(binary: string, args: string[]): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on('error', (error) => resolve({ code: null, stdout, stderr: error.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Probed {
  chapters: Chapter[];
  streams: number;
}

async function probe(tools: EmbedTools, file: string): Promise<Probed> {
  const run = tools.run ?? runTool;
  const done = await run(tools.ffprobe, [
    '-v',
    'error',
    '-show_chapters',
    '-show_streams',
    '-of',
    'json',
    file,
  ]);
  if (done.code !== 0) {
    throw new EndcueError('corrupt-media', `ffprobe cannot read ${file}: ${done.stderr.trim()}`, {
      hint: 'Check that the file is a complete video.',
    });
  }
  const parsed = JSON.parse(done.stdout) as {
    chapters?: Array<{ start_time: string; end_time: string; tags?: { title?: string } }>;
    streams?: Array<{ codec_type?: string }>;
  };
  return {
    chapters: (parsed.chapters ?? []).map((c) => ({
      start: Number(c.start_time),
      end: Number(c.end_time),
      label: c.tags?.title ?? '',
    })),
    // MP4 keeps chapters in a data track of its own: only the media streams are compared.
    streams: (parsed.streams ?? []).filter((st) => st.codec_type !== 'data').length,
  };
}

/** Same names, times within 10 ms. */
export function sameChapters(a: readonly Chapter[], b: readonly Chapter[]): boolean {
  return (
    a.length === b.length &&
    a.every((c, i) => {
      const d = b[i] as Chapter;
      return (
        c.label === d.label && Math.abs(c.start - d.start) < 0.01 && Math.abs(c.end - d.end) < 0.01
      );
    })
  );
}

const ENDCUE_NAMES = new Set<string>(Object.values(CHAPTER_NAMES));
const isEndcues = (chapters: readonly Chapter[]) =>
  chapters.every((c) => ENDCUE_NAMES.has(c.label));

function embedFailure(video: string, why: string): EndcueError {
  return new EndcueError(
    'ffmpeg-failed',
    `could not embed chapters in ${video}: ${why}; the original is unchanged`,
    {
      hint: 'The sidecars (.ffmeta, .chapters.vtt) still hold the chapters; check the file and the folder, then try again.',
    },
  );
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'endcue-embed-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function viaMkvpropedit(video: string, chapters: readonly Chapter[], tools: EmbedTools) {
  const run = tools.run ?? runTool;
  await withTempDir(async (dir) => {
    const xml = path.join(dir, 'chapters.xml');
    await writeFile(xml, chaptersToMatroskaXml(chapters));
    const done = await run(tools.mkvpropedit as string, [video, '--chapters', xml]);
    // 1 = warnings (the file was changed); 2 = error (mkvpropedit changed nothing).
    if (done.code !== 0 && done.code !== 1) {
      throw embedFailure(video, `mkvpropedit: ${(done.stdout + done.stderr).trim().slice(-300)}`);
    }
  });
}

async function viaStreamCopy(
  video: string,
  chapters: readonly Chapter[],
  tools: EmbedTools,
  before: Probed,
) {
  const run = tools.run ?? runTool;
  const parsed = path.parse(video);
  const temp = path.join(parsed.dir, `.${parsed.name}.endcue-embed-${process.pid}${parsed.ext}`);
  try {
    await withTempDir(async (dir) => {
      const meta = path.join(dir, 'chapters.ffmeta');
      await writeFile(meta, chaptersToFfmetadata(chapters));
      const done = await run(tools.ffmpeg, [
        '-v',
        'error',
        '-y',
        '-i',
        video,
        '-i',
        meta,
        '-map',
        '0',
        // An MP4's chapters are a data track: an old one is not carried over beside the new.
        ...(parsed.ext.toLowerCase() === '.mkv' ? [] : ['-map', '-0:d']),
        '-map_metadata',
        '0',
        '-map_chapters',
        '1',
        '-c',
        'copy',
        temp,
      ]);
      if (done.code !== 0) throw embedFailure(video, `ffmpeg: ${done.stderr.trim().slice(-300)}`);
    });
    const after = await probe(tools, temp).catch(() => undefined);
    if (!after || after.streams !== before.streams || !sameChapters(after.chapters, chapters)) {
      throw embedFailure(video, 'the copy did not check out (streams or chapters differ)');
    }
    await chmod(temp, (await stat(video)).mode);
    await rename(temp, video);
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof EndcueError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const readOnly = code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
    throw embedFailure(
      video,
      readOnly ? `the folder ${parsed.dir} is read-only (${code})` : String(error),
    );
  }
}

const STREAM_COPY = new Set(['.mkv', '.mp4', '.m4v', '.mov']);

export async function embedChapters(
  video: string,
  chapters: readonly Chapter[],
  tools: EmbedTools,
  options: { replace?: boolean } = {},
): Promise<EmbedResult> {
  const ext = path.extname(video).toLowerCase();
  if (!STREAM_COPY.has(ext)) {
    throw new EndcueError(
      'invalid-input',
      `cannot embed chapters in ${video}: ${ext || 'no extension'} is not MKV or MP4`,
      {
        hint: 'Embedding is for .mkv, .mp4, .m4v and .mov files; the .ffmeta and .chapters.vtt sidecars hold the chapters for the others.',
      },
    );
  }
  const before = await probe(tools, video);
  if (chapters.length === 0) return { video, outcome: 'unchanged', reason: 'no chapters to embed' };
  if (sameChapters(before.chapters, chapters)) return { video, outcome: 'unchanged' };
  if (before.chapters.length > 0 && !isEndcues(before.chapters) && !options.replace) {
    return {
      video,
      outcome: 'kept',
      reason: `the file has ${before.chapters.length} chapters of its own; --replace-chapters replaces them`,
    };
  }
  if (ext === '.mkv' && tools.mkvpropedit) {
    await viaMkvpropedit(video, chapters, tools);
    const after = await probe(tools, video);
    if (!sameChapters(after.chapters, chapters)) {
      throw new EndcueError(
        'ffmpeg-failed',
        `mkvpropedit ran on ${video} but ffprobe does not see the chapters`,
        {
          hint: 'Run `endcue export --embed` again; the .ffmeta sidecar holds the chapters.',
        },
      );
    }
    return { video, outcome: 'embedded', method: 'mkvpropedit' };
  }
  await viaStreamCopy(video, chapters, tools, before);
  return { video, outcome: 'embedded', method: 'stream-copy' };
}

/** mkvpropedit from MKVPROPEDIT_PATH or the PATH, or undefined where it is not installed. */
export function findMkvpropedit(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.MKVPROPEDIT_PATH,
    ...(env.PATH ?? '').split(path.delimiter).map((dir) => dir && path.join(dir, 'mkvpropedit')),
  ];
  return candidates.find((file): file is string => !!file && isExecutable(file));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
