/** Test doubles shared by the server tests: a fake detector, temp media roots, an app in memory. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DetectionResult, DetectOptions, Detector } from '../../../server/detector/types.js';

export interface FakeDetector extends Detector {
  calls: string[];
  /** Resolves every pending call held by `hold`. */
  release(): void;
}

export interface FakeDetectorOptions {
  creditsStart?: number | null;
  duration?: number;
  modelVersion?: string | (() => string);
  /** When true, calls wait for release() (or abort). */
  hold?: boolean;
  /** Thrown by every call (or by the first `failTimes` calls). */
  error?: Error;
  failTimes?: number;
}

export function fakeDetector(options: FakeDetectorOptions = {}): FakeDetector {
  const calls: string[] = [];
  let waiting: (() => void)[] = [];
  const detector = (async (source: string, opts: DetectOptions = {}): Promise<DetectionResult> => {
    calls.push(source);
    opts.onProgress?.({ phase: 'coarse', fraction: 0.5 });
    if (options.hold) {
      await new Promise<void>((resolve, reject) => {
        waiting.push(resolve);
        opts.signal?.addEventListener('abort', () => reject(opts.signal?.reason), { once: true });
      });
    }
    if (options.error && (options.failTimes === undefined || calls.length <= options.failTimes)) {
      throw options.error;
    }
    const duration = options.duration ?? 100;
    const creditsStart = options.creditsStart === undefined ? 90 : options.creditsStart;
    const modelVersion =
      typeof options.modelVersion === 'function'
        ? options.modelVersion()
        : (options.modelVersion ?? 'fake-1');
    return {
      file: source,
      duration,
      fps: 25,
      creditsStart,
      creditsEnd: creditsStart === null ? null : duration,
      frame: creditsStart === null ? null : creditsStart * 25,
      confidence: 0.9,
      segments:
        creditsStart === null ? [] : [{ kind: 'credits', start: creditsStart, end: duration }],
      modelVersion,
      backend: 'fake',
      elapsedMs: 1,
    };
  }) as FakeDetector;
  detector.calls = calls;
  detector.release = () => {
    const all = waiting;
    waiting = [];
    for (const resolve of all) resolve();
  };
  return detector;
}

export interface TempMedia {
  dir: string;
  root: string;
  dataDir: string;
  /** Writes a (fake) media file under the root. */
  write(relative: string, content?: string): string;
  cleanup(): void;
}

export function tempMedia(): TempMedia {
  const dir = mkdtempSync(path.join(tmpdir(), 'endcue-server-'));
  const root = path.join(dir, 'media');
  const dataDir = path.join(dir, 'data');
  mkdirSync(root, { recursive: true });
  return {
    dir,
    root,
    dataDir,
    write(relative, content = 'not really a video') {
      const file = path.join(root, relative);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Polls `check` until it returns a value (or throws after `timeoutMs`). */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('waitFor: timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
