/**
 * A short generated season for the fingerprint tests (issue 22): each episode is story
 * (seeded noise and tones), the same synthesized theme at its own offset, and more story,
 * with a tiny video stream so it probes as a video. Made with ffmpeg's lavfi sources only.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export interface GeneratedEpisode {
  /** Seed of the story audio (different per episode). */
  seed: number;
  /** Seconds of story before the theme (a cold open; 0 for none). */
  introAt: number;
  /** Seconds of the theme (the season's theme is cut to this). */
  themeSeconds: number;
  /** Whole length, seconds. */
  seconds: number;
  /** Audio bitrate, e.g. '96k'. */
  bitrate?: string;
  /** Leave the audio out. */
  silentFile?: boolean;
}

/** The season's theme: a fixed chord sequence over fixed-seed pink noise. */
const THEME =
  "aevalsrc='0.25*sin(2*PI*t*(330+110*mod(floor(t*3)*7,5)))+0.2*sin(2*PI*t*(440+55*mod(floor(t*2)*3,7)))':s=44100";
const THEME_NOISE = 'anoisesrc=c=pink:seed=4242:a=0.15:r=44100';

function story(seed: number): string {
  const base = 150 + 37 * (seed % 11);
  return `aevalsrc='0.25*sin(2*PI*t*(${base}+60*mod(floor(t*1.3)*${seed},6)))':s=44100`;
}

/** Writes `file` (Matroska, AAC) from the plan; throws with ffmpeg's stderr when it fails. */
export function generateEpisode(ffmpeg: string, file: string, plan: GeneratedEpisode): void {
  const after = plan.seconds - plan.introAt - plan.themeSeconds;
  const parts = [
    { src: story(plan.seed), noise: plan.seed, d: plan.introAt },
    { src: THEME, noise: -1, d: plan.themeSeconds },
    { src: story(plan.seed + 500), noise: plan.seed + 500, d: after },
  ].filter((part) => part.d > 0);
  const inputs = parts.flatMap((part) => [
    ...['-f', 'lavfi', '-t', String(part.d), '-i', part.src],
    ...[
      '-f',
      'lavfi',
      '-t',
      String(part.d),
      '-i',
      part.noise < 0 ? THEME_NOISE : `anoisesrc=c=brown:seed=${part.noise}:a=0.15:r=44100`,
    ],
  ]);
  const mixes = parts.map((_, i) => `[${2 * i}:a][${2 * i + 1}:a]amix=inputs=2:normalize=0[p${i}]`);
  const concat = `${parts.map((_, i) => `[p${i}]`).join('')}concat=n=${parts.length}:v=0:a=1[aud]`;
  const video = `color=c=gray:s=64x36:r=5:d=${plan.seconds}`;
  const videoOnly = ['-f', 'lavfi', '-i', video, '-c:v', 'libx264', '-preset', 'ultrafast'];
  if (plan.silentFile) {
    run(ffmpeg, file, ['-hide_banner', '-v', 'error', '-y', ...videoOnly]);
    return;
  }
  const args = [
    ...['-hide_banner', '-v', 'error', '-y', ...inputs, '-f', 'lavfi', '-i', video],
    ...['-filter_complex', [...mixes, concat].join(';')],
    ...['-map', `${2 * parts.length}:v`, '-map', '[aud]'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-b:a', plan.bitrate ?? '128k'],
  ];
  run(ffmpeg, file, args);
}

function run(ffmpeg: string, file: string, args: string[]): void {
  const result = spawnSync(ffmpeg, [...args, path.resolve(file)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ffmpeg failed making ${file}: ${result.stderr}`);
}
