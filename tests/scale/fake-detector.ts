/**
 * A fast stand-in detector for multi-process tests and `npm run bench:workers -- --fake`,
 * loaded by `endcue worker` through ENDCUE_DETECTOR_MODULE (the TF.js detector takes
 * seconds to minutes per title on 2 cores). Deterministic: the "media" file says where its
 * credits start (`credits=812.5`), and optionally how long analysis takes (`ms=4000`,
 * default ENDCUE_FAKE_DETECT_MS or 300). Every start and finish is appended to
 * ENDCUE_FAKE_DETECT_LOG as JSON lines {pid, event, file}, so tests can count runs.
 */
import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { DetectionResult, DetectOptions } from '../../server/detector/types.js';

export const modelVersion = 'fake-scale-1';

function note(event: 'start' | 'done' | 'aborted', file: string): void {
  const log = process.env.ENDCUE_FAKE_DETECT_LOG;
  if (log) appendFileSync(log, `${JSON.stringify({ pid: process.pid, event, file })}\n`);
}

const field = (text: string, name: string): number | undefined => {
  const match = new RegExp(`${name}=([0-9.]+)`).exec(text);
  return match ? Number(match[1]) : undefined;
};

export async function detect(
  source: string,
  options: DetectOptions = {},
): Promise<DetectionResult> {
  const text = await readFile(source, 'utf8');
  const ms = field(text, 'ms') ?? Number(process.env.ENDCUE_FAKE_DETECT_MS ?? 300);
  const duration = field(text, 'duration') ?? 1500;
  const creditsStart = field(text, 'credits') ?? null;
  note('start', source);
  const steps = 10;
  for (let step = 1; step <= steps; step++) {
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        note('aborted', source);
        reject(options.signal?.reason);
      };
      const timer = setTimeout(() => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms / steps);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
    options.onProgress?.({ phase: 'coarse', fraction: step / steps });
  }
  note('done', source);
  return {
    file: source,
    duration,
    fps: 25,
    creditsStart,
    creditsEnd: creditsStart === null ? null : duration,
    frame: creditsStart === null ? null : Math.round(creditsStart * 25),
    confidence: 0.93,
    segments:
      creditsStart === null ? [] : [{ kind: 'credits', start: creditsStart, end: duration }],
    modelVersion,
    backend: 'fake',
    elapsedMs: ms,
  };
}
