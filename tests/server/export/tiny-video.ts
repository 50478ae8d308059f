/** A 6 s, 160x90 test-pattern MP4 for the export tests (real ffmpeg; throws with its stderr). */
import { spawnSync } from 'node:child_process';
import { resolveFfmpeg } from '../../../server/media/ffmpeg.js';

export function makeTinyVideo(file: string): void {
  const { ffmpeg } = resolveFfmpeg();
  const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=10:duration=6'];
  const done = spawnSync(ffmpeg, [...args, '-c:v', 'mpeg4', file], { encoding: 'utf8' });
  if (done.status !== 0) throw new Error(`ffmpeg could not make ${file}: ${done.stderr}`);
}
