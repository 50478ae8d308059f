/**
 * Finds the ffmpeg/ffprobe pair EndCue drives, once per process.
 *
 * Order: FFMPEG_PATH/FFPROBE_PATH (an explicit choice: a broken one is an error, not a
 * silent fallback), then `ffmpeg`/`ffprobe` on PATH, then the static binaries that
 * @ffmpeg-installer/@ffprobe-installer ship. Each candidate is verified by running
 * `-version`, so a stale path or a wrong-architecture binary is skipped, not used.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { EndcueError } from '../errors.js';

export type FfmpegSource = 'env' | 'system' | 'npm';

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
  source: FfmpegSource;
  /** What `ffmpeg -version` reports, e.g. "5.1.9-0+deb12u1" or "N-47683-g0e8eb07980-static". */
  version: string;
  /** ffmpeg >= 5.1 accepts -fps_mode; the 2018 npm build needs -vsync 0 */
  hasFpsMode: boolean;
}

export interface ResolveFfmpegOptions {
  /** Environment to read FFMPEG_PATH, FFPROBE_PATH and PATH from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Ignore the cached answer and look again. */
  refresh?: boolean;
  /** Consider the npm-shipped binaries (default true; false lets tests see the error path). */
  useNpm?: boolean;
}

const VERIFY_TIMEOUT_MS = 15_000;
const INSTALL_HINT =
  'Install ffmpeg (Debian: apt-get install -y ffmpeg), or run `npm install` so the ' +
  '@ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe binaries are present, ' +
  'or set FFMPEG_PATH and FFPROBE_PATH to working binaries.';

let cached: FfmpegBinaries | undefined;

/** Resolves (and caches) the ffmpeg/ffprobe pair; throws EndcueError('ffmpeg-missing'). */
export function resolveFfmpeg(options: ResolveFfmpegOptions = {}): FfmpegBinaries {
  // A custom env is a question about that env (tests, diagnostics): don't cache it.
  const custom = options.env !== undefined || options.useNpm === false;
  if (!custom && !options.refresh && cached) return cached;
  const env = options.env ?? process.env;
  const useNpm = options.useNpm ?? true;
  const found = fromEnv(env, useNpm) ?? fromSystem(env) ?? (useNpm ? fromNpm(env) : undefined);
  if (!found) {
    throw new EndcueError(
      'ffmpeg-missing',
      'No working ffmpeg/ffprobe found (looked at FFMPEG_PATH/FFPROBE_PATH, PATH, and the npm packages @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe)',
      { hint: INSTALL_HINT },
    );
  }
  if (!custom) cached = found;
  return found;
}

/**
 * Takes binaries another thread of this process already found and verified (a worker
 * thread would otherwise run both `-version` checks again, ~0.2 s before its first frame).
 */
export function adoptFfmpeg(binaries: FfmpegBinaries): void {
  cached ??= binaries;
}

/** A fluent-ffmpeg command with the resolved binaries set. */
export function ffmpegCommand(input?: string): ffmpeg.FfmpegCommand {
  const bins = resolveFfmpeg();
  const command = input === undefined ? ffmpeg() : ffmpeg(input);
  return command.setFfmpegPath(bins.ffmpeg).setFfprobePath(bins.ffprobe);
}

/** Output flags that keep every decoded frame with its own timestamp (no dup/drop). */
export function passthroughFlags(b: FfmpegBinaries = resolveFfmpeg()): string[] {
  return b.hasFpsMode ? ['-fps_mode', 'passthrough'] : ['-vsync', '0'];
}

/** One line for logs and `endcue doctor`-style output. */
export function describeFfmpeg(b: FfmpegBinaries = resolveFfmpeg()): string {
  return `ffmpeg ${b.version} (${b.source}: ${b.ffmpeg}; ffprobe: ${b.ffprobe})`;
}

function fromEnv(env: NodeJS.ProcessEnv, useNpm: boolean): FfmpegBinaries | undefined {
  const ffmpegPath = env.FFMPEG_PATH?.trim();
  const ffprobePath = env.FFPROBE_PATH?.trim();
  if (!ffmpegPath && !ffprobePath) return undefined;

  // The user named a binary: if it doesn't work, say so rather than quietly using another.
  const npm = (name: 'ffmpeg' | 'ffprobe') => (useNpm ? npmBinary(name) : undefined);
  const ffmpegBin = ffmpegPath || findSystem('ffmpeg', env) || npm('ffmpeg');
  const ffprobeBin =
    ffprobePath || siblingOf(ffmpegPath, 'ffprobe') || findSystem('ffprobe', env) || npm('ffprobe');
  const checks: Array<[string, string | undefined, string | undefined]> = [
    ['FFMPEG_PATH', ffmpegPath, ffmpegBin],
    ['FFPROBE_PATH', ffprobePath, ffprobeBin],
  ];
  for (const [name, given, bin] of checks) {
    if (!bin) continue;
    const problem = verifyProblem(bin, env);
    if (problem && !given) return undefined;
    if (problem) {
      throw new EndcueError(
        'ffmpeg-missing',
        `${name}=${given} is not a working binary: ${problem}`,
        {
          hint: `Point ${name} at a working ${name === 'FFMPEG_PATH' ? 'ffmpeg' : 'ffprobe'} executable, or unset it to use the system or npm binaries.`,
        },
      );
    }
  }
  if (!ffmpegBin || !ffprobeBin) return undefined;
  return describe(ffmpegBin, ffprobeBin, 'env', env);
}

function fromSystem(env: NodeJS.ProcessEnv): FfmpegBinaries | undefined {
  const ffmpegBin = findSystem('ffmpeg', env);
  const ffprobeBin = findSystem('ffprobe', env);
  if (!ffmpegBin || !ffprobeBin) return undefined;
  if (verifyProblem(ffmpegBin, env) || verifyProblem(ffprobeBin, env)) return undefined;
  return describe(ffmpegBin, ffprobeBin, 'system', env);
}

function fromNpm(env: NodeJS.ProcessEnv): FfmpegBinaries | undefined {
  const ffmpegBin = npmBinary('ffmpeg');
  const ffprobeBin = npmBinary('ffprobe');
  if (!ffmpegBin || !ffprobeBin) return undefined;
  if (verifyProblem(ffmpegBin, env) || verifyProblem(ffprobeBin, env)) return undefined;
  return describe(ffmpegBin, ffprobeBin, 'npm', env);
}

function describe(
  ffmpegBin: string,
  ffprobeBin: string,
  source: FfmpegSource,
  env: NodeJS.ProcessEnv,
): FfmpegBinaries {
  const versionOut = run(ffmpegBin, ['-version'], env).stdout;
  const version = /version\s+(\S+)/.exec(versionOut)?.[1] ?? 'unknown';
  return {
    ffmpeg: ffmpegBin,
    ffprobe: ffprobeBin,
    source,
    version,
    hasFpsMode: detectFpsMode(ffmpegBin, version, env),
  };
}

/**
 * -fps_mode arrived in ffmpeg 5.1. Release builds say so in their version; git builds
 * ("N-47683-g…") don't, so ask the binary's option list instead.
 */
function detectFpsMode(ffmpegBin: string, version: string, env: NodeJS.ProcessEnv): boolean {
  const release = /^n?(\d+)\.(\d+)/.exec(version);
  if (release) {
    const major = Number(release[1]);
    const minor = Number(release[2]);
    return major > 5 || (major === 5 && minor >= 1);
  }
  const help = run(ffmpegBin, ['-hide_banner', '-h', 'full'], env);
  return /-fps_mode\b/.test(help.stdout + help.stderr);
}

/** undefined when `bin -version` runs and exits 0; otherwise why not. */
function verifyProblem(bin: string, env: NodeJS.ProcessEnv): string | undefined {
  try {
    if (!statSync(bin).isFile()) return 'not a file';
  } catch {
    return 'file not found';
  }
  const result = run(bin, ['-version'], env);
  if (result.error) return result.error.message;
  if (result.status !== 0) return `"-version" exited with ${result.status ?? result.signal}`;
  if (!/version/i.test(result.stdout)) return 'does not look like ffmpeg/ffprobe';
  return undefined;
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(bin, args, {
    env,
    encoding: 'utf8',
    timeout: VERIFY_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** An executable named `name` on the env's PATH (looked up by hand so tests can vary PATH). */
function findSystem(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const exe = process.platform === 'win32' ? `${name}.exe` : name;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, exe);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function siblingOf(binPath: string | undefined, name: string): string | undefined {
  if (!binPath) return undefined;
  const ext = process.platform === 'win32' ? '.exe' : '';
  const candidate = path.join(path.dirname(binPath), `${name}${ext}`);
  return isExecutable(candidate) ? candidate : undefined;
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const requireFromHere = createRequire(import.meta.url);

/** The path the installer package exports; it throws when its platform package is absent. */
function npmBinary(name: 'ffmpeg' | 'ffprobe'): string | undefined {
  try {
    const pkg = requireFromHere(
      name === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe',
    ) as { path?: unknown };
    return typeof pkg.path === 'string' ? pkg.path : undefined;
  } catch {
    return undefined;
  }
}

/** True when ffmpeg reads `source` over the network (scheme://...), not from a file. */
export function isUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
}
