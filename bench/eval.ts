/**
 * `npm run eval`: whole-title accuracy of the detector. Prints per-title error and a summary,
 * generated and real titles apart (real ones are what counts).
 *
 *   npm run eval                      # everything (generates and caches what it needs)
 *   npm run eval -- --only real       # real clips and joins only
 *   npm run eval -- --only generated  # generated titles only (fixtures, story-only cuts and
 *                                     #   text screens)
 *   npm run eval -- --only text-screens  # the generated text screens only (lyric captions,
 *                                     #   posts, epilogues, tickers, subtitles...; and stories
 *                                     #   full of text before credits)
 *   npm run eval -- --only test-fixtures  # the titles the test suite runs the model on
 *   npm run eval -- --match 'lyric'   # titles whose name matches a regular expression
 *   npm run eval -- --replay          # re-decide from the cached samples (tuning the
 *                                     #   decision without re-running the model)
 *   npm run eval -- --json out.json   # also write the rows
 *   npm run eval -- --no-text         # frame scores alone (no OCR text check)
 *   npm run eval -- --all-joins       # also every story clip x every credits clip (a wider
 *                                     #   check, reported on its own row)
 *
 * A title "hits" when the start is within 2 s of the truth, or when both say "no credits".
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type BackendName, loadClassifier } from '../server/detector/classify.js';
import type { DecideOptions } from '../server/detector/decide.js';
import { runDetection } from '../server/detector/detect.js';
import { isEndcueError } from '../server/errors.js';
import {
  confidenceBands,
  expectedCalibrationError,
  isHit,
  share,
  TOLERANCE_S,
} from './eval-scoring.js';
import {
  type CachedRun,
  runsDir as cachedRunsDir,
  latestModelVersion,
  readCachedRun,
  replayDecision,
} from './replay.js';
import {
  allJoinedTitles,
  type EvalTitle,
  generatedTitles,
  joinedTitles,
  realTitles,
  storyOnlyCuts,
  testFixtureTitles,
  textScreenTitles,
} from './titles.js';

interface Row {
  title: EvalTitle;
  predicted: number | null;
  confidence: number;
  error: number | null;
  hit: boolean;
  ms: number;
  frames: number;
  /** The text check's readings (time and cue): what confirmed or vetoed the start. */
  reads?: Array<{ t: number; cue: -1 | 0 | 1 }>;
  failure?: string;
}

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    match: { type: 'string' },
    'no-keyframe-motion': { type: 'boolean', default: false },
    'no-text': { type: 'boolean', default: false },
    'all-joins': { type: 'boolean', default: false },
    replay: { type: 'boolean', default: false },
    json: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    threshold: { type: 'string' },
    clip: { type: 'string' },
    'switch-cost': { type: 'string' },
    confirm: { type: 'string' },
    'confirm-shift': { type: 'string' },
    calibrate: { type: 'string' },
    'motion-weight': { type: 'string' },
    quantile: { type: 'string' },
    max: { type: 'string' },
  },
});

const decideTuning: Partial<DecideOptions> = {
  ...(values.threshold ? { threshold: Number(values.threshold) } : {}),
  ...(values.clip ? { clip: Number(values.clip) } : {}),
  ...(values['switch-cost'] ? { switchCost: Number(values['switch-cost']) } : {}),
  ...(values['motion-weight'] ? { motionWeight: Number(values['motion-weight']) } : {}),
  ...(values.confirm ? { confirmThreshold: Number(values.confirm) } : {}),
  ...(values['confirm-shift'] ? { maxConfirmShift: Number(values['confirm-shift']) } : {}),
};

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The sets `--only` can pick. */
const ONLY = ['real', 'generated', 'text-screens', 'test-fixtures'] as const;

async function main(): Promise<void> {
  const only = values.only;
  if (only !== undefined && !(ONLY as readonly string[]).includes(only)) {
    throw new Error(`--only must be one of ${ONLY.join(', ')} (got "${only}")`);
  }
  const titles: EvalTitle[] = [];
  if (only === undefined || only === 'generated') {
    const generated = await generatedTitles(log);
    titles.push(...generated, ...storyOnlyCuts(generated));
  }
  if (only === undefined || only === 'generated' || only === 'text-screens') {
    titles.push(...(await textScreenTitles(log)));
  }
  if (only === undefined || only === 'generated' || only === 'test-fixtures') {
    titles.push(...(await testFixtureTitles(log)));
  }
  if (only === undefined || only === 'real') {
    const real = realTitles();
    if (real.length === 0)
      log('no real clips found (../shared/data): reporting generated titles only');
    titles.push(...real, ...joinedTitles(real));
    if (values['all-joins']) titles.push(...allJoinedTitles(real));
  }

  if (values.match) {
    const pattern = new RegExp(values.match);
    titles.splice(0, titles.length, ...titles.filter((t) => pattern.test(t.name)));
  }
  const classifier = values.replay
    ? undefined
    : await loadClassifier({ backend: values.backend as BackendName });
  const modelVersion = classifier?.modelVersion ?? latestModelVersion();
  // Runs without the text check are cached apart: --replay must know which it re-decides.
  const runsDir = cachedRunsDir(modelVersion, values['no-text']);
  mkdirSync(runsDir, { recursive: true });
  log(
    `model ${modelVersion}${classifier ? ` on ${classifier.backend}` : ' (replay)'}; ${titles.length} titles`,
  );

  const rows: Row[] = [];
  for (const title of titles) {
    const cacheFile = path.join(runsDir, `${title.name}.json`);
    const started = performance.now();
    let predicted: number | null = null;
    let confidence = 0;
    let frames = 0;
    let reads: Row['reads'];
    let failure: string | undefined;
    try {
      if (classifier) {
        const run = await runDetection(title.path, {
          classifier,
          decide: decideTuning,
          keyframeMotion: !values['no-keyframe-motion'],
          readText: !values['no-text'],
        });
        predicted = run.result.creditsStart;
        confidence = run.result.confidence;
        frames = run.stats.framesClassified;
        reads = run.stats.textReads.map(({ t, cue }) => ({ t, cue })).sort((a, b) => a.t - b.t);
        const cached: CachedRun = {
          samples: run.samples,
          from: run.stats.analysedFrom,
          duration: run.result.duration,
          reads,
        };
        writeFileSync(cacheFile, JSON.stringify(cached));
      } else {
        const cached = readCachedRun(runsDir, title.name);
        if (!cached) throw new Error('no cached run; run without --replay first');
        const d = replayDecision(cached, decideTuning, {
          always: values.calibrate === 'all',
          ...(values.quantile ? { quantile: Number(values.quantile) } : {}),
          ...(values.max ? { max: Number(values.max) } : {}),
        });
        predicted = d.creditsStart;
        confidence = d.confidence;
        frames = cached.samples.length;
        reads = cached.reads;
      }
    } catch (error) {
      failure = isEndcueError(error) ? `${error.code}: ${error.message}` : String(error);
    }
    const error =
      predicted !== null && title.creditsStart !== null ? predicted - title.creditsStart : null;
    const hit = failure === undefined && isHit(title, predicted, TOLERANCE_S);
    const row: Row = {
      title,
      predicted,
      confidence,
      error,
      hit,
      ms: Math.round(performance.now() - started),
      frames,
      ...(reads ? { reads } : {}),
      ...(failure ? { failure } : {}),
    };
    rows.push(row);
    log(formatRow(row));
  }

  printTable(rows);
  if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
  classifier?.dispose();
}

function fmt(x: number | null): string {
  return x === null ? 'none' : x.toFixed(2);
}

function formatRow(r: Row): string {
  const err = r.error === null ? '' : `${r.error >= 0 ? '+' : ''}${r.error.toFixed(2)}`;
  return [
    r.hit ? 'ok  ' : 'MISS',
    r.title.name.padEnd(58),
    `truth ${fmt(r.title.creditsStart).padStart(7)}`,
    `got ${fmt(r.predicted).padStart(7)}`,
    err.padStart(7),
    `conf ${r.confidence.toFixed(2)}`,
    `${(r.ms / 1000).toFixed(1)}s`.padStart(6),
    r.title.ambiguous ? '(ambiguous)' : '',
    r.failure ?? '',
  ].join('  ');
}

function printTable(rows: Row[]): void {
  const out: string[] = [];
  out.push('');
  out.push('| title | kind | truth (s) | detected (s) | error (s) | ok |');
  out.push('|---|---|---:|---:|---:|:-:|');
  for (const r of rows) {
    out.push(
      `| ${r.title.name}${r.title.ambiguous ? ' (ambiguous)' : ''} | ${r.title.kind} | ${fmt(
        r.title.creditsStart,
      )} | ${fmt(r.predicted)} | ${r.error === null ? '' : r.error.toFixed(2)} | ${
        r.hit ? 'yes' : r.failure ? `fail: ${r.failure}` : 'no'
      } |`,
    );
  }
  out.push('');
  const real = (r: Row) => r.title.kind.startsWith('real') && !r.title.ambiguous;
  const textScreen = (r: Row) => r.title.set === 'text-screens';
  const testFixture = (r: Row) => r.title.set === 'test-fixtures';
  const groups: Array<[string, (r: Row) => boolean]> = [
    ['generated', (r) => r.title.kind.startsWith('generated') && r.title.set === undefined],
    ['generated text screens', textScreen],
    ["generated, the tests' own titles", testFixture],
    ['real clips', (r) => real(r) && r.title.kind === 'real'],
    ['real joins (story + real credits)', (r) => real(r) && r.title.kind === 'real-join'],
    ['**real, all (clips + joins)**', (r) => real(r) && r.title.kind !== 'real-join-extra'],
    [
      'every other story x credits join (--all-joins)',
      (r) => real(r) && r.title.kind === 'real-join-extra',
    ],
  ];
  out.push('');
  out.push(
    `Headline: the held-out part (bench/eval-split.json: no rule or threshold was chosen on it); the tuning part beside it. Right = start within ${TOLERANCE_S} s of a labelled start, or "no credits" on a title without.`,
  );
  out.push('');
  out.push(
    '| set | part | titles with credits: start within 2 s | titles without credits: null | median abs error (s) |',
  );
  out.push('|---|---|---:|---:|---:|');
  for (const [name, pick] of groups) {
    const parts: Array<[string, (r: Row) => boolean]> = name.startsWith('generated')
      ? [['-', () => true]]
      : [
          ['**held-out**', (r) => r.title.part === 'held-out'],
          ['tuning', (r) => r.title.part !== 'held-out'],
        ];
    for (const [partName, inPart] of parts) {
      const set = rows.filter((r) => pick(r) && inPart(r));
      if (set.length === 0) continue;
      const withCredits = set.filter((r) => r.title.creditsStart !== null);
      const without = set.filter((r) => r.title.creditsStart === null);
      const errors = withCredits
        .map((r) => (r.error === null ? Number.POSITIVE_INFINITY : Math.abs(r.error)))
        .sort((x, y) => x - y);
      const median = errors.length ? errors[Math.floor((errors.length - 1) / 2)] : undefined;
      out.push(
        `| ${name} | ${partName} | ${share(withCredits.filter((r) => r.hit).length, withCredits.length)} | ${share(
          without.filter((r) => r.hit).length,
          without.length,
        )} | ${median === undefined ? '-' : Number.isFinite(median) ? median.toFixed(2) : 'n/a'} |`,
      );
    }
  }
  const falseStarts = rows.filter(
    (r) => textScreen(r) && r.title.creditsStart === null && r.predicted !== null,
  );
  if (falseStarts.length) {
    out.push('');
    out.push(
      `Text screens without credits given a start: ${falseStarts
        .map((r) => `${r.title.name} at ${fmt(r.predicted)} (conf ${r.confidence.toFixed(2)})`)
        .join(', ')}`,
    );
  }
  out.push(...confidenceTable(rows));
  const ambiguous = rows.filter((r) => r.title.ambiguous);
  if (ambiguous.length) {
    out.push('');
    out.push(
      `Ambiguous end cards (not counted): ${ambiguous.map((r) => `${r.title.name} ${r.hit ? 'ok' : 'miss'}`).join(', ')}`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * How far a reported start can be trusted, by its confidence, per part (real titles, every
 * row kind): what a player's `minConfidence` trades. Right = the title has credits and the
 * start is within the tolerance; a start reported on a title without credits is wrong.
 */
function confidenceTable(rows: Row[]): string[] {
  const out: string[] = [];
  for (const part of ['held-out', 'tuning'] as const) {
    const reported = rows.filter(
      (r) =>
        r.title.kind.startsWith('real') &&
        !r.title.ambiguous &&
        r.predicted !== null &&
        (r.title.part ?? 'tuning') === part,
    );
    if (reported.length === 0) continue;
    const bands = confidenceBands(reported);
    out.push('', `| confidence of a reported start (${part}) | starts | right | mean confidence |`);
    out.push('|---|---:|---:|---:|');
    for (const b of bands) {
      out.push(
        `| ${b.from.toFixed(1)}-${b.to.toFixed(1)} | ${b.count} | ${share(b.right, b.count)} | ${
          b.count ? b.meanConfidence.toFixed(2) : '-'
        } |`,
      );
    }
    const high = reported.filter((r) => r.confidence >= 0.9);
    out.push(
      `| >= 0.9 | ${high.length} | ${share(high.filter((r) => r.hit).length, high.length)} | |`,
    );
    out.push(`Expected calibration error (${part}): ${expectedCalibrationError(bands).toFixed(3)}`);
  }
  return out;
}

await main();
