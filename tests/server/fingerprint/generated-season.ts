/**
 * A short generated season for the fingerprint tests (issue 22): each episode is story
 * (seeded noise and tones), the same synthesized theme at its own offset, and more story,
 * with a tiny video stream so it probes as a video (or another file's picture), and optionally
 * end music from a given time to the end (the season's, or a finale's own). Made with
 * ffmpeg's lavfi sources only.
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
  /** Where the season's end music starts (it runs to the end); none when absent. */
  endMusicAt?: number;
  /** End music of the episode's own (a finale): another melody from this seed. */
  ownEndMusic?: number;
  /** Take the picture from this file (e.g. a fixture with credits) instead of a gray frame. */
  video?: string;
}

/** The season's theme: a fixed chord sequence over fixed-seed pink noise. */
const THEME =
  "aevalsrc='0.25*sin(2*PI*t*(330+110*mod(floor(t*3)*7,5)))+0.2*sin(2*PI*t*(440+55*mod(floor(t*2)*3,7)))':s=44100";
const THEME_NOISE = 'anoisesrc=c=pink:seed=4242:a=0.15:r=44100';

/** End-credits music: another chord sequence; `seed` 0 is the season's, others a finale's own. */
function endMusic(seed: number): string {
  const root = 262 + 41 * seed;
  return `aevalsrc='0.3*sin(2*PI*t*(${root}+98*mod(floor(t*2.5)*5,4)))+0.15*sin(2*PI*t*(${root * 1.5}+49*mod(floor(t*1.5)*3,5)))':s=44100`;
}

function story(seed: number): string {
  const base = 150 + 37 * (seed % 11);
  return `aevalsrc='0.25*sin(2*PI*t*(${base}+60*mod(floor(t*1.3)*${seed},6)))':s=44100`;
}

/** Writes `file` (Matroska, AAC) from the plan; throws with ffmpeg's stderr when it fails. */
export function generateEpisode(ffmpeg: string, file: string, plan: GeneratedEpisode): void {
  const musicAt = plan.endMusicAt ?? plan.seconds;
  const after = musicAt - plan.introAt - plan.themeSeconds;
  const music = plan.ownEndMusic ?? 0;
  const parts = [
    { src: story(plan.seed), noise: plan.seed, d: plan.introAt },
    { src: THEME, noise: -1, d: plan.themeSeconds },
    { src: story(plan.seed + 500), noise: plan.seed + 500, d: after },
    { src: endMusic(music), noise: -2 - music, d: plan.seconds - musicAt },
  ].filter((part) => part.d > 0);
  const inputs = parts.flatMap((part) => [
    ...['-f', 'lavfi', '-t', String(part.d), '-i', part.src],
    ...['-f', 'lavfi', '-t', String(part.d), '-i', noiseOf(part.noise)],
  ]);
  const mixes = parts.map((_, i) => `[${2 * i}:a][${2 * i + 1}:a]amix=inputs=2:normalize=0[p${i}]`);
  const concat = `${parts.map((_, i) => `[p${i}]`).join('')}concat=n=${parts.length}:v=0:a=1[aud]`;
  const video = plan.video
    ? ['-i', plan.video]
    : ['-f', 'lavfi', '-i', `color=c=gray:s=64x36:r=5:d=${plan.seconds}`];
  const videoCodec = plan.video ? ['-c:v', 'copy'] : ['-c:v', 'libx264', '-preset', 'ultrafast'];
  const videoOnly = [...video, '-map', '0:v', ...videoCodec];
  if (plan.silentFile) {
    run(ffmpeg, file, ['-hide_banner', '-v', 'error', '-y', ...videoOnly]);
    return;
  }
  const args = [
    ...['-hide_banner', '-v', 'error', '-y', ...inputs, ...video],
    ...['-filter_complex', [...mixes, concat].join(';')],
    ...['-map', `${2 * parts.length}:v`, '-map', '[aud]'],
    ...[...videoCodec, '-c:a', 'aac', '-b:a', plan.bitrate ?? '128k'],
  ];
  run(ffmpeg, file, args);
}

/** Brown noise under the story (seed >= 0), the theme's pink noise (-1), end music's (-2 - seed). */
function noiseOf(seed: number): string {
  if (seed === -1) return THEME_NOISE;
  if (seed < -1) return `anoisesrc=c=pink:seed=${4343 - seed}:a=0.12:r=44100`;
  return `anoisesrc=c=brown:seed=${seed}:a=0.15:r=44100`;
}

function run(ffmpeg: string, file: string, args: string[]): void {
  const result = spawnSync(ffmpeg, [...args, path.resolve(file)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ffmpeg failed making ${file}: ${result.stderr}`);
}
