/**
 * OCR of single frames (I/O): tesseract.js (WebAssembly) with the English model shipped
 * inside the `@tesseract.js-data/eng` package, read from disk: no network at run time.
 * It runs in a worker thread of its own (text-thread.mjs) whose stdout/stderr are captured:
 * the wasm core prints diagnostics we must keep off the CLI's output. What the words mean is
 * decided in text-cues.ts.
 *
 * Frames English cannot read (CJK, Cyrillic) are read again with the models of those
 * scripts (model/ocr/, vendored: no network either), in threads of their own started the
 * first time such a frame comes (text-cues-scripts.ts says what the words mean).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  CAPTION_TOP,
  MIN_WORD_CONFIDENCE,
  type OcrWord,
  readCreditsText,
  type TextLayout,
  type TextReading,
} from './text-cues.js';
import {
  type OtherScript,
  readScriptText,
  SCRIPT_LANGUAGES,
  scriptsToTry,
} from './text-cues-scripts.js';

export interface RgbFrame {
  /** rgb24, width x height x 3 bytes, row-major. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface TextReader {
  /** Frames it reads at once (read() calls beyond that wait their turn). */
  readonly concurrency: number;
  read(frame: RgbFrame): Promise<OcrWord[]>;
  /** Reads with another script's models (their thread starts on the first call). */
  readScript?(frame: RgbFrame, script: OtherScript): Promise<OcrWord[]>;
  /**
   * Reads with PP-OCR, which finds text before reading it: stylised type, text over
   * picture and small print that tesseract's page layout misses (its thread starts on the
   * first call).
   */
  readScene?(frame: RgbFrame): Promise<OcrWord[]>;
  dispose(): Promise<void>;
}

export interface TextReaderOptions {
  /** OCR engines side by side (default 1). */
  workers?: number;
  /** Give up starting after this long (default 30 s). */
  startTimeoutMs?: number;
  /** Offer PP-OCR's look (readScene; default on, ENDCUE_SCENE_TEXT=off turns it off). */
  sceneText?: boolean;
}

type Reply =
  | { id: 0; ready: true }
  | { id: number; words: OcrWord[] }
  | { id: number; error: string };

const require = createRequire(import.meta.url);

/** The directory holding eng.traineddata.gz (the integer model: the same words here, 3 MB not 11). */
export function englishModelDir(): string {
  const pkg = require.resolve('@tesseract.js-data/eng/package.json');
  return path.join(path.dirname(pkg), '4.0.0_best_int');
}

/** model/ocr at the repository root: the other scripts' models (see its README). */
export const SCRIPT_MODEL_DIR = fileURLToPath(new URL('../../model/ocr', import.meta.url));

/**
 * Starts the English OCR thread (~0.3 s per engine). Rejects when tesseract.js or its model
 * cannot load. Another script's thread starts when a frame first needs it (readScript).
 */
export async function createTextReader(options: TextReaderOptions = {}): Promise<TextReader> {
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const english = await startOcrThread(
    TESSERACT_WORKER,
    { langs: 'eng', langPath: englishModelDir(), workers },
    startTimeoutMs,
  );
  const scripts = new Map<OtherScript, Promise<TextReader>>();
  let scene: Promise<TextReader> | undefined;
  const sceneText = options.sceneText ?? process.env.ENDCUE_SCENE_TEXT !== 'off';
  return {
    concurrency: english.concurrency,
    read: (frame) => english.read(frame),
    async readScript(frame, script) {
      let reader = scripts.get(script);
      if (!reader) {
        const langs = SCRIPT_LANGUAGES[script];
        reader = startOcrThread(
          TESSERACT_WORKER,
          { langs, langPath: SCRIPT_MODEL_DIR, workers },
          startTimeoutMs,
        );
        scripts.set(script, reader);
      }
      return (await reader).read(frame);
    },
    ...(sceneText
      ? {
          async readScene(frame: RgbFrame) {
            scene ??= startOcrThread(PPOCR_WORKER, { workers: 1 }, startTimeoutMs);
            return (await scene).read(frame);
          },
        }
      : {}),
    async dispose() {
      const others = [...scripts.values(), ...(scene ? [scene] : [])].map((r) =>
        r.then(
          (t) => t.dispose(),
          () => {},
        ),
      );
      await Promise.all([english.dispose(), ...others]);
    },
  };
}

const TESSERACT_WORKER = new URL('./text-thread.mjs', import.meta.url);
const PPOCR_WORKER = new URL('./ppocr/worker.mjs', import.meta.url);

/**
 * One OCR thread: tesseract (`workers` engines with the models `langs` names, as eng+jpn)
 * or PP-OCR; both answer a PPM image with its words.
 */
async function startOcrThread(
  worker: URL,
  data: { langs?: string; langPath?: string; workers: number },
  startTimeoutMs: number,
): Promise<TextReader> {
  const { workers } = data;
  const thread = new Worker(worker, {
    workerData: data,
    stdout: true,
    stderr: true,
  });
  // Kept short, for the error message should the thread die.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-2000);
  };
  thread.stdout.on('data', keep);
  thread.stderr.on('data', keep);

  const pending = new Map<number, { resolve(w: OcrWord[]): void; reject(e: Error): void }>();
  let nextId = 1;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  await threadReady(thread, startTimeoutMs);

  // Idle, the thread must not keep the process alive (a server's detector keeps one reader).
  thread.unref();
  thread.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) thread.unref();
    if ('error' in reply) p.reject(new Error(`OCR failed: ${reply.error}`));
    else if ('words' in reply) p.resolve(reply.words);
  });
  thread.on('error', (error) => failAll(error));
  thread.on('exit', (code) => {
    failAll(new Error(`OCR thread exited (code ${code}): ${output.trim().slice(-300)}`));
  });

  return {
    concurrency: workers,
    read(frame) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      const image = toPpm(frame);
      return new Promise<OcrWord[]>((resolve, reject) => {
        if (pending.size === 0) thread.ref();
        pending.set(id, { resolve, reject });
        thread.postMessage({ id, image }, [image.buffer as ArrayBuffer]);
      });
    },
    async dispose() {
      failure ??= new Error('OCR reader disposed');
      thread.ref(); // awaited below: the loop must wait for it
      thread.postMessage({ stop: true });
      // The thread closes its port once tesseract has stopped; don't wait on a stuck one.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => thread.once('exit', () => resolve())),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 2000);
        }),
      ]);
      clearTimeout(timer);
      await thread.terminate();
    },
  };
}

/** Resolves when the OCR thread says it has started; rejects (and stops it) when it cannot. */
function threadReady(thread: Worker, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`OCR did not start within ${timeoutMs} ms`));
      void thread.terminate();
    }, timeoutMs);
    thread.once('message', (reply: Reply) => {
      clearTimeout(timer);
      if ('error' in reply) {
        reject(new Error(`OCR could not start: ${reply.error}`));
        void thread.terminate();
      } else {
        resolve();
      }
    });
    thread.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** rgb24 -> a binary PPM image, which tesseract's image loader (Leptonica) reads as is. */
export function toPpm(frame: RgbFrame): Uint8Array {
  const expected = frame.width * frame.height * 3;
  if (frame.data.length !== expected) {
    throw new RangeError(
      `frame has ${frame.data.length} bytes, expected ${expected} (${frame.width}x${frame.height} rgb24)`,
    );
  }
  const header = new TextEncoder().encode(`P6\n${frame.width} ${frame.height}\n255\n`);
  const image = new Uint8Array(header.length + expected);
  image.set(header, 0);
  image.set(frame.data, header.length);
  return image;
}

/**
 * A frame's text, read twice where the first look finds no evidence: white text on a
 * coloured box (a banner, a name plate) on a dark frame binarises into the box, and the
 * words vanish. Its second look is at `whiteTextImage`, where only near-white stays bright;
 * the words of both looks are read together. A frame that looks like credits (`likelyCredits`,
 * the default) is tried harder where neither look finds evidence: where they read almost no
 * confident words, a third look at `brightTextImage` (white subtitles over grain or noise,
 * which binarise into the noise); where the words are mostly unsure, other scripts.
 */
export async function readFrameText(
  reader: TextReader,
  frame: RgbFrame,
  options: { likelyCredits?: boolean } = {},
): Promise<TextReading> {
  const layout: TextLayout = {
    height: frame.height,
    pictureAbove: isPictureAbove(frame, CAPTION_TOP),
  };
  const words = await reader.read(frame);
  const first = readCreditsText(words, layout);
  if (first.cue !== 0) return first;
  // The second look's lines are its own: renumber them past the first look's.
  const lines = words.reduce((n, w) => Math.max(n, (w.line ?? -1) + 1), 0);
  const second = (await reader.read(whiteTextImage(frame))).map((w) =>
    w.line === undefined ? w : { ...w, line: w.line + lines },
  );
  const both = readCreditsText([...words, ...second], layout);
  const harder = options.likelyCredits !== false;
  if (both.cue === 0 && harder && confidentWords([...words, ...second]) < MIN_READ_WORDS) {
    const third = readCreditsText(await reader.read(brightTextImage(frame)), layout);
    if (third.cue !== 0) return third;
  }
  const scripts = both.cue === 0 && harder && reader.readScript ? scriptsToTry(words) : [];
  const script =
    scripts.length > 0 ? await readOtherScripts(reader, frame, layout, scripts) : undefined;
  if (script) return script;
  if (both.cue === 0 && harder && reader.readScene) {
    const scene = await readScene(reader, frame, layout);
    if (scene && scene.cue !== 0) return scene;
    // PP-OCR found text it could not read either, where English read no word to ask for
    // another script (Hangul, which its recogniser does not know): try the other scripts.
    if (scene && scene.words > 0 && scripts.length === 0 && reader.readScript) {
      const other = await readOtherScripts(reader, frame, layout, ['cjk', 'cyrillic']);
      if (other && other.cue !== 0) return other;
    }
  }
  return both;
}

/** PP-OCR's reading of a frame; undefined when it cannot run (not installed, failed to load). */
async function readScene(
  reader: TextReader,
  frame: RgbFrame,
  layout: TextLayout,
): Promise<TextReading | undefined> {
  try {
    const words = (await reader.readScene?.(frame)) ?? [];
    // Its recogniser reads Chinese characters too: kanji/hanzi roles (監督, 音楽) are read
    // by the CJK rules, anything else by the Latin ones.
    return readScriptText(words, 'cjk', layout) ?? readCreditsText(words, layout);
  } catch {
    return undefined; // the tesseract reading stands
  }
}

/** The script each reader last found (tried first on its next unreadable frame). */
const lastScript = new WeakMap<TextReader, OtherScript>();

/**
 * A frame English could not read, read with each of `scripts`' models until one finds its
 * letters (the script last found first). Undefined when none does, or none can start.
 */
async function readOtherScripts(
  reader: TextReader,
  frame: RgbFrame,
  layout: TextLayout,
  scripts: readonly OtherScript[],
): Promise<TextReading | undefined> {
  const last = lastScript.get(reader);
  const order =
    last && scripts.includes(last) ? [last, ...scripts.filter((s) => s !== last)] : scripts;
  for (const script of order) {
    let words: OcrWord[];
    try {
      words = (await reader.readScript?.(frame, script)) ?? [];
    } catch {
      continue; // its models failed to load: the English reading stands
    }
    const reading = readScriptText(words, script, layout);
    if (reading) {
      lastScript.set(reader, script);
      return reading;
    }
  }
  return undefined;
}

/**
 * Luma spread that marks picture (PURE helper's threshold): a plain ground, black or a
 * colour, with text on it spreads far less; a scene spreads more.
 */
export const PICTURE_LUMA_SPREAD = 20;

/**
 * Is the frame above `fraction` of its height picture, not a plain ground? (PURE) The
 * standard deviation of luma there, every 4th pixel of every 4th row, against
 * PICTURE_LUMA_SPREAD.
 */
export function isPictureAbove(frame: RgbFrame, fraction: number): boolean {
  const rows = Math.floor(frame.height * fraction);
  let n = 0;
  let sum = 0;
  let squares = 0;
  for (let y = 0; y < rows; y += 4) {
    for (let x = 0; x < frame.width; x += 4) {
      const i = (y * frame.width + x) * 3;
      const luma =
        0.299 * (frame.data[i] as number) +
        0.587 * (frame.data[i + 1] as number) +
        0.114 * (frame.data[i + 2] as number);
      n++;
      sum += luma;
      squares += luma * luma;
    }
  }
  if (n === 0) return false;
  const mean = sum / n;
  return Math.sqrt(Math.max(0, squares / n - mean * mean)) >= PICTURE_LUMA_SPREAD;
}

/** Confident words below which a frame counts as unread (and gets brightTextImage's look). */
export const MIN_READ_WORDS = 2;

function confidentWords(words: readonly OcrWord[]): number {
  return words.filter((w) => w.confidence >= MIN_WORD_CONFIDENCE).length;
}

/** Channel minimum from which a pixel counts as bright text (brightTextImage). */
export const BRIGHT_TEXT_MIN = 160;

/**
 * Each pixel as grey at its channels' minimum, and black below BRIGHT_TEXT_MIN (PURE): white
 * text stays, a grey or coloured ground goes black. Tesseract's binarisation splits a noisy
 * grey picture into speckles and loses white subtitles in them; this leaves only the text.
 */
export function brightTextImage(frame: RgbFrame): RgbFrame {
  const image = whiteTextImage(frame);
  for (let i = 0; i < image.data.length; i++) {
    if ((image.data[i] as number) < BRIGHT_TEXT_MIN) image.data[i] = 0;
  }
  return image;
}

/** Each pixel as grey at its channels' minimum (PURE): white stays white, colours darken. */
export function whiteTextImage(frame: RgbFrame): RgbFrame {
  const data = new Uint8Array(frame.data.length);
  for (let i = 0; i + 2 < data.length; i += 3) {
    const grey = Math.min(
      frame.data[i] as number,
      frame.data[i + 1] as number,
      frame.data[i + 2] as number,
    );
    data[i] = grey;
    data[i + 1] = grey;
    data[i + 2] = grey;
  }
  return { data, width: frame.width, height: frame.height };
}
