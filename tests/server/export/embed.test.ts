/**
 * Chapters embedded in the video (`--embed`): MP4 and MKV by stream copy + ffprobe check +
 * atomic rename, MKV in place with mkvpropedit where installed; a file's own chapters are
 * kept unless replacing is asked for; a failure at any step leaves the original
 * byte-identical and no temporary file behind.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chapter, creditsChapters } from '../../../server/export/chapters.js';
import {
  type EmbedTools,
  embedChapters,
  findMkvpropedit,
  runTool,
} from '../../../server/export/embed.js';
import { chaptersToFfmetadata } from '../../../server/export/ffmetadata.js';
import { resolveFfmpeg } from '../../../server/media/ffmpeg.js';

let dir = '';
const sources: Record<string, string> = {};
let tools: EmbedTools;
const mkvpropedit = findMkvpropedit();

const chapters: Chapter[] = creditsChapters({
  creditsStart: 3,
  creditsEnd: 5,
  duration: 6,
  segments: [
    { kind: 'credits', start: 3, end: 5 },
    { kind: 'post-credits', start: 5, end: 6 },
  ],
});

function run(binary: string, args: string[]): string {
  const done = spawnSync(binary, args, { encoding: 'utf8' });
  if (done.status !== 0) throw new Error(`${binary} ${args.join(' ')} failed: ${done.stderr}`);
  return done.stdout;
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function probeChapters(file: string): Array<[number, number, string | undefined]> {
  const out = JSON.parse(
    run(tools.ffprobe, ['-v', 'error', '-show_chapters', '-of', 'json', file]),
  ) as {
    chapters: Array<{ start_time: string; end_time: string; tags?: { title?: string } }>;
  };
  return out.chapters.map((c) => [Number(c.start_time), Number(c.end_time), c.tags?.title]);
}

const EXPECTED = [
  [0, 3, 'Programme'],
  [3, 5, 'Credits'],
  [5, 6, 'Epilogue'],
];

/** A fresh copy of a generated video in its own folder. */
function fresh(kind: 'mp4' | 'mkv' | 'mkvWithChapters', name = 'ep'): string {
  const folder = mkdtempSync(path.join(dir, 'case-'));
  const ext = kind === 'mp4' ? '.mp4' : '.mkv';
  const file = path.join(folder, `${name}${ext}`);
  copyFileSync(sources[kind] as string, file);
  return file;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'endcue-embed-'));
  const { ffmpeg, ffprobe } = resolveFfmpeg();
  tools = { ffmpeg, ffprobe };
  const input = [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x90:rate=10:duration=6',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=6',
    '-c:v',
    'mpeg4',
    '-c:a',
    'aac',
    '-shortest',
  ];
  for (const ext of ['mp4', 'mkv']) {
    sources[ext] = path.join(dir, `source.${ext}`);
    run(ffmpeg, [...input, sources[ext] as string]);
  }
  const own = path.join(dir, 'own.ffmeta');
  writeFileSync(
    own,
    chaptersToFfmetadata([
      { start: 0, end: 2, label: 'Part one' },
      { start: 2, end: 6, label: 'Part two' },
    ]),
  );
  sources.mkvWithChapters = path.join(dir, 'own.mkv');
  run(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-i',
    sources.mkv as string,
    '-i',
    own,
    '-map',
    '0',
    '-map_chapters',
    '1',
    '-c',
    'copy',
    sources.mkvWithChapters,
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedChapters', () => {
  it('writes chapters into an MP4 by stream copy, keeping its streams; twice is a no-op', async () => {
    const video = fresh('mp4');
    expect(await embedChapters(video, chapters, tools)).toMatchObject({
      outcome: 'embedded',
      method: 'stream-copy',
    });
    expect(probeChapters(video)).toEqual(EXPECTED);
    const streams = run(tools.ffprobe, [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_type',
      '-of',
      'csv=p=0',
      video,
    ]);
    // The video and audio are kept; MP4 holds the chapters in a data track of their own.
    expect(streams.trim().split('\n').sort()).toEqual(['audio', 'data', 'video']);
    expect(readdirSync(path.dirname(video))).toEqual(['ep.mp4']);
    const hash = sha(video);
    expect(await embedChapters(video, chapters, tools)).toMatchObject({ outcome: 'unchanged' });
    expect(sha(video)).toBe(hash);
  });

  it('writes chapters into an MKV by stream copy when mkvpropedit is not there', async () => {
    const video = fresh('mkv');
    expect(
      await embedChapters(video, chapters, { ...tools, mkvpropedit: undefined }),
    ).toMatchObject({
      outcome: 'embedded',
      method: 'stream-copy',
    });
    expect(probeChapters(video)).toEqual(EXPECTED);
  });

  it.skipIf(!mkvpropedit)('edits an MKV in place with mkvpropedit', async () => {
    const video = fresh('mkv');
    expect(await embedChapters(video, chapters, { ...tools, mkvpropedit })).toMatchObject({
      outcome: 'embedded',
      method: 'mkvpropedit',
    });
    expect(probeChapters(video)).toEqual(EXPECTED);
  });

  it("keeps a file's own chapters unless asked to replace them", async () => {
    const video = fresh('mkvWithChapters');
    const hash = sha(video);
    const kept = await embedChapters(video, chapters, tools);
    expect(kept).toMatchObject({
      outcome: 'kept',
      reason: expect.stringMatching(/2 chapters of its own; --replace-chapters/),
    });
    expect(sha(video)).toBe(hash);
    expect(await embedChapters(video, chapters, tools, { replace: true })).toMatchObject({
      outcome: 'embedded',
    });
    expect(probeChapters(video)).toEqual(EXPECTED);
  });

  it('leaves the original byte-identical when ffmpeg fails', async () => {
    const video = fresh('mp4');
    const hash = sha(video);
    const failing: EmbedTools = {
      ...tools,
      run: (binary, args) =>
        binary === tools.ffmpeg
          ? Promise.resolve({ code: 1, stdout: '', stderr: 'No space left on device' })
          : runTool(binary, args),
    };
    await expect(embedChapters(video, chapters, failing)).rejects.toThrow(
      /could not embed chapters in .*ep\.mp4: ffmpeg: No space left on device; the original is unchanged/,
    );
    expect(sha(video)).toBe(hash);
    expect(readdirSync(path.dirname(video))).toEqual(['ep.mp4']);
  });

  it('leaves the original byte-identical when the copy does not check out', async () => {
    const video = fresh('mkv');
    const hash = sha(video);
    const breaking: EmbedTools = {
      ...tools,
      run: async (binary, args) => {
        const done = await runTool(binary, args);
        if (binary === tools.ffmpeg) truncateSync(args.at(-1) as string, 100); // a broken copy
        return done;
      },
    };
    await expect(embedChapters(video, chapters, breaking)).rejects.toThrow(/did not check out/);
    expect(sha(video)).toBe(hash);
    expect(readdirSync(path.dirname(video))).toEqual(['ep.mkv']);
  });

  it('says which files it cannot embed in', async () => {
    await expect(embedChapters(path.join(dir, 'x.avi'), chapters, tools)).rejects.toThrow(
      /cannot embed chapters in .*x\.avi: \.avi is not MKV or MP4/,
    );
  });
});
