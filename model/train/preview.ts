/** Writes a contact sheet PNG of frames (to eyeball synthetic data): tsx model/train/preview.ts */
import { spawnSync } from 'node:child_process';
import { resolveFfmpeg } from '../../server/media/ffmpeg.js';
import type { FrameItem } from './dataset.js';

export function writeContactSheet(
  items: FrameItem[],
  inputSize: number,
  file: string,
  cols = 8,
): void {
  const rows = Math.ceil(items.length / cols);
  const pad = cols * rows - items.length;
  const blank = new Uint8Array(inputSize * inputSize * 3);
  const raw = Buffer.concat([...items.map((i) => i.rgb), ...Array(pad).fill(blank)]);
  spawnSync(
    resolveFfmpeg().ffmpeg,
    [
      '-y',
      '-loglevel',
      'error',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${inputSize}x${inputSize}`,
      '-i',
      'pipe:0',
      '-vf',
      `tile=${cols}x${rows}:padding=2`,
      '-frames:v',
      '1',
      file,
    ],
    { input: raw },
  );
}
