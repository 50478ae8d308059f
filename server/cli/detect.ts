/**
 * `endcue detect <file-or-url>`: where do the closing credits start? With --series, several
 * files as one season (detect-series.ts): each also gets its intro and shared end music.
 * Prints the answer on stdout (text, json, vtt, edl or jellyfin); a progress bar goes to
 * stderr, and only when stderr is a terminal, so pipes and scripts see clean output.
 * Expected failures throw EndcueError, which main.ts prints as one line.
 */

import cliProgress from 'cli-progress';
import { Command, Option } from 'commander';
import type { BackendName } from '../detector/classify.js';
import { DEFAULT_TAIL, parseTail, type TailSpec } from '../detector/tail.js';
import type { DetectProgress } from '../detector/types.js';
import { EndcueError } from '../errors.js';
import { FORMATS, formatResult, formatSeason, type OutputFormat } from './formats.js';

interface DetectFlags {
  json?: boolean;
  series?: boolean;
  format: OutputFormat;
  tail?: string;
  backend: BackendName;
  model?: string;
  progress: boolean;
  text: boolean;
}

export function detectCommand(): Command {
  return new Command('detect')
    .description('Find where the closing credits start in a video file or http(s)/HLS URL.')
    .argument(
      '<file-or-url...>',
      'a video file, or an http(s) URL (mp4, mkv, an HLS .m3u8 ...); several with --series',
    )
    .option('--json', 'print one JSON object (same as --format json)')
    .option(
      '--series',
      "the files are one season, in order: each also gets its intro and the season's shared end music (a JSON array with --json)",
    )
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'),
    )
    .option(
      '--tail <length>',
      'how much of the end to analyse first: 15m, 900s, 25%, "25%,15m" (the longer), or all',
      '25%,15m',
    )
    .addOption(
      new Option('--backend <name>', 'TensorFlow.js backend')
        .choices(['auto', 'tensorflow', 'wasm', 'cpu'])
        .default('auto'),
    )
    .option('--model <dir>', 'model folder (default: the shipped model)')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option('--no-text', 'do not read the credits text (OCR); trust the frame scores alone')
    .action(async (inputs: string[], flags: DetectFlags) => {
      const format: OutputFormat = flags.json ? 'json' : flags.format;
      const tail: TailSpec = flags.tail ? parseTail(flags.tail) : DEFAULT_TAIL;
      if (flags.series) {
        await detectSeason(inputs, format, tail, flags);
        return;
      }
      const input = singleInput(inputs);
      // Imported here: the detector loads TF.js, which `endcue serve` and `--help` don't need.
      const { runDetection } = await import('../detector/detect.js');
      const { result } = await withProgressAndInterrupt(flags, (watch) =>
        runDetection(input, {
          tail,
          backend: flags.backend,
          ...(flags.model ? { modelDir: flags.model } : {}),
          readText: flags.text,
          ...watch,
        }),
      );
      process.stdout.write(formatResult(result, format));
    });
}

/**
 * Runs an analysis with a progress bar on a terminal (when asked) and Ctrl-C aborting it;
 * the bar is gone and the handler removed before the caller prints, however it ended.
 */
async function withProgressAndInterrupt<T>(
  flags: DetectFlags,
  run: (watch: { signal: AbortSignal; onProgress?: (p: DetectProgress) => void }) => Promise<T>,
): Promise<T> {
  const bar = flags.progress && process.stderr.isTTY ? progressBar() : undefined;
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  try {
    return await run({
      signal: interrupt.signal,
      ...(bar ? { onProgress: (p: DetectProgress) => bar.update(p) } : {}),
    });
  } finally {
    bar?.stop();
    process.off('SIGINT', onSignal);
  }
}

/** The one input of a plain `detect`; several need --series (a clear error, exit 2). */
function singleInput(inputs: string[]): string {
  if (inputs.length === 1) return inputs[0] as string;
  throw new EndcueError(
    'invalid-input',
    `detect got ${inputs.length} inputs (${inputs.join(', ')}) but analyses one title`,
    {
      hint: 'add --series to analyse them as one season, in the order given, or run detect once per file',
    },
  );
}

/** `detect --series`: text or JSON only (one answer per file); exit code 1 when a file failed. */
async function detectSeason(
  inputs: string[],
  format: OutputFormat,
  tail: TailSpec,
  flags: DetectFlags,
): Promise<void> {
  if (format !== 'text' && format !== 'json') {
    throw new EndcueError('invalid-input', `--series prints text or json, not ${format}`, {
      hint: 'use --json, or run detect once per file for vtt, edl, ffmetadata or jellyfin',
    });
  }
  const { detectSeries } = await import('./detect-series.js');
  const answers = await withProgressAndInterrupt(flags, (watch) =>
    detectSeries(inputs, {
      detector: {
        tail,
        backend: flags.backend,
        ...(flags.model ? { modelDir: flags.model } : {}),
        readText: flags.text,
      },
      ...watch,
    }),
  );
  process.stdout.write(formatSeason(answers, format));
  if (answers.some((answer) => 'error' in answer)) process.exitCode = 1;
}

/** A bar on stderr; cleared when done so only the answer stays on screen. */
function progressBar(): { update(p: DetectProgress): void; stop(): void } {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'endcue {bar} {percentage}% | {phase}',
      hideCursor: true,
      clearOnComplete: true,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(p) {
      if (stopped) return;
      const value = Math.round(p.fraction * 1000);
      if (!started) {
        bar.start(1000, value, { phase: p.phase });
        started = true;
      } else {
        bar.update(value, { phase: p.phase });
      }
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
