/**
 * Console output while the demo prepares: a progress bar on a terminal, plain lines
 * otherwise (CI logs, a parent process reading stdout).
 */
import cliProgress from 'cli-progress';
import type { BuildProgress, BuildStep } from './series.js';

const STEP_TEXT: Record<BuildStep, string> = {
  video: 'rendering the 720p mp4',
  hls: 'cutting the HLS rendition',
};

/** "Episode 2 (cards): rendering the 720p mp4" */
export function describeStep(progress: BuildProgress): string {
  const current = progress.current;
  if (!current) return 'done';
  return `Episode ${current.episode.episode} (${current.episode.fixture.style}): ${STEP_TEXT[current.step]}`;
}

export interface BuildReporter {
  onProgress(progress: BuildProgress): void;
  stop(): void;
}

export function buildReporter(
  out: NodeJS.WriteStream = process.stdout,
  now: () => number = () => performance.now(),
  announceAfterMs = 500,
): BuildReporter {
  if (out.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'Demo series |{bar}| {value}/{total} steps · {duration_formatted} · {step}',
        hideCursor: true,
        stream: out,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      onProgress(progress) {
        if (!started) {
          bar.start(progress.total, progress.done, { step: describeStep(progress) });
          started = true;
        } else bar.update(progress.done, { step: describeStep(progress) });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  // Plain lines: announce a step only once it has taken a moment (cached steps are instant).
  let stepStarted = now();
  let last: BuildProgress | undefined;
  let announced = false;
  let timer: NodeJS.Timeout | undefined;
  return {
    onProgress(progress) {
      clearTimeout(timer);
      if (last?.current && announced) {
        const seconds = ((now() - stepStarted) / 1000).toFixed(1);
        out.write(`  [${progress.done}/${progress.total}] ${describeStep(last)}: ${seconds} s\n`);
      }
      stepStarted = now();
      last = progress;
      announced = false;
      if (progress.current) {
        timer = setTimeout(() => {
          announced = true;
          out.write(`  ${describeStep(progress)}…\n`);
        }, announceAfterMs);
        timer.unref();
      }
    },
    stop() {
      clearTimeout(timer);
    },
  };
}
