/**
 * The ffmetadata sidecar in real ffmpeg (issue 21's acceptance): `ffmpeg -i video -i
 * x.ffmeta -map_chapters 1 -c copy out.mkv` gives a file whose chapters ffprobe lists with
 * EndCue's names and times.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFfmetadata } from '../../../server/export/ffmetadata.js';
import { resolveFfmpeg } from '../../../server/media/ffmpeg.js';
import { makeTinyVideo } from './tiny-video.js';

let dir = '';
let video = '';

function run(binary: string, args: string[]): string {
  const done = spawnSync(binary, args, { encoding: 'utf8' });
  if (done.status !== 0) throw new Error(`${binary} ${args.join(' ')} failed: ${done.stderr}`);
  return done.stdout;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'endcue-ffmeta-'));
  video = path.join(dir, 'tiny.mp4');
  makeTinyVideo(video);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ffmetadata chapters in ffmpeg', () => {
  it('map onto a copy of the video and read back in ffprobe', () => {
    const { ffmpeg, ffprobe } = resolveFfmpeg();
    const meta = path.join(dir, 'tiny.ffmeta');
    writeFileSync(
      meta,
      toFfmetadata(
        {
          creditsStart: 3,
          creditsEnd: 5,
          duration: 6,
          segments: [
            { kind: 'credits', start: 3, end: 5 },
            { kind: 'post-credits', start: 5, end: 6 },
          ],
        },
        'Written by EndCue',
      ),
    );
    const out = path.join(dir, 'out.mkv');
    run(ffmpeg, [
      '-v',
      'error',
      '-y',
      '-i',
      video,
      '-i',
      meta,
      '-map_chapters',
      '1',
      '-c',
      'copy',
      out,
    ]);
    const probed = JSON.parse(
      run(ffprobe, ['-v', 'error', '-show_chapters', '-of', 'json', out]),
    ) as { chapters: Array<{ start_time: string; end_time: string; tags?: { title?: string } }> };
    expect(
      probed.chapters.map((c) => [Number(c.start_time), Number(c.end_time), c.tags?.title]),
    ).toEqual([
      [0, 3, 'Programme'],
      [3, 5, 'Credits'],
      [5, 6, 'Epilogue'],
    ]);
  });
});
