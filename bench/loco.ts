/**
 * `npm run eval:loco`: leave-one-clip-out figures for the decision step's parameters (issue 17).
 *
 * Replays the cached runs of the TUNING part (real clips and the split's tuning joins; never
 * the held-out part, whose runs are not even read) over a small grid per parameter, one
 * parameter at a time, the others at their defaults. For each title the value is chosen on
 * the other titles (those sharing no clip with it: bench/leave-one-out.ts), then the title
 * is scored with it. Prints, per parameter, the values chosen, the hits with the shipped
 * default and with the leave-one-clip-out choices, and the titles that flip.
 *
 *   npm run eval -- --only real     # once: caches every real title's samples
 *   npm run eval:loco               # the table (seconds: decisions only, no model)
 *   npm run eval:loco -- --generated   # also the generated titles (each its own clip)
 *   npm run eval:loco -- --partial  # go on when some tuning titles have no cached run
 *   npm run eval:loco -- --no-text  # the runs cached by `npm run eval -- --no-text`
 *   npm run eval:loco -- --json out.json
 *
 * The cached samples are those of the live runs: their fine pass sampled around the start the
 * shipped defaults found, so another value is judged on samples placed for the default.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DecideOptions } from '../server/detector/decide.js';
import { isHit, share, TOLERANCE_S } from './eval-scoring.js';
import { SPLIT } from './eval-split.js';
import {
  clipsOf,
  type LocoResult,
  type LocoRow,
  leaveOneClipOut,
  locoError,
  scoreByValue,
  type ValueScore,
} from './leave-one-out.js';
import {
  type CachedRun,
  type Calibration,
  latestModelVersion,
  readCachedRun,
  replayDecision,
  runsDir,
} from './replay.js';
import {
  type EvalTitle,
  generatedTitles,
  joinedTitles,
  realTitles,
  storyOnlyCuts,
} from './titles.js';

const { values } = parseArgs({
  options: {
    generated: { type: 'boolean', default: false },
    partial: { type: 'boolean', default: false },
    'no-text': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

type Value = number | string;

interface Setting {
  decide?: Partial<Omit<DecideOptions, 'duration' | 'from'>>;
  calibration?: Calibration;
}

interface Parameter {
  name: string;
  /** The shipped default (must be in the grid and be what decide.ts does without the option). */
  defaultValue: Value;
  grid: readonly Value[];
  setting: (value: Value) => Setting;
}

function steps(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; from + i * step <= to + 1e-9; i++)
    out.push(Math.round((from + i * step) * 1e6) / 1e6);
  return out;
}

const num = (v: Value) => v as number;

/** The decision step's parameters whose defaults were chosen looking at tuning titles. */
const PARAMETERS: readonly Parameter[] = [
  {
    name: 'confirmThreshold',
    defaultValue: 0.7,
    grid: steps(0.5, 0.9, 0.05),
    setting: (v) => ({ decide: { confirmThreshold: num(v) } }),
  },
  {
    name: 'maxConfirmShift (s)',
    defaultValue: 8,
    grid: [2, 4, 6, 8, 12, 16],
    setting: (v) => ({ decide: { maxConfirmShift: num(v) } }),
  },
  {
    // 'by range': clamp(0.02 x analysed range, 0.5, 2), decide.ts's default; else a fixed cost.
    name: 'switchCost',
    defaultValue: 'by range',
    grid: ['by range', 0.25, 0.5, 1, 1.5, 2, 3],
    setting: (v) => (v === 'by range' ? {} : { decide: { switchCost: num(v) } }),
  },
  {
    // Which titles get a per-title threshold: none (0.5 flat), tails of longer titles (from >
    // 0; the default), or every title.
    name: 'threshold calibration',
    defaultValue: 'tails',
    grid: ['off', 'tails', 'always'],
    setting: (v) =>
      v === 'off' ? { decide: { threshold: 0.5 } } : { calibration: { always: v === 'always' } },
  },
  {
    name: 'calibration quantile',
    defaultValue: 0.8,
    grid: [0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
    setting: (v) => ({ calibration: { quantile: num(v) } }),
  },
  {
    name: 'calibration max',
    defaultValue: 0.9,
    grid: [0.6, 0.7, 0.8, 0.9, 0.95],
    setting: (v) => ({ calibration: { max: num(v) } }),
  },
  {
    name: 'motionWeight',
    defaultValue: 3,
    grid: [0, 1, 2, 3, 4, 6],
    setting: (v) => ({ decide: { motionWeight: num(v) } }),
  },
  {
    name: 'textWeight',
    defaultValue: 10,
    grid: [2, 5, 10, 20],
    setting: (v) => ({ decide: { textWeight: num(v) } }),
  },
  {
    name: 'minLeadInGap (s)',
    defaultValue: 2,
    grid: [1, 2, 3, 5, Number.POSITIVE_INFINITY],
    setting: (v) => ({ decide: { minLeadInGap: num(v) } }),
  },
];

const HINT = 'run `npm run eval -- --only real` first';

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface Loaded {
  title: EvalTitle;
  clips: string[];
  run: CachedRun;
}

/** The tuning titles with a cached run, and what was left out and why. */
async function loadTitles(dir: string): Promise<{ loaded: Loaded[]; notes: string[] }> {
  const notes: string[] = [];
  const allReal = realTitles();
  const tuning = allReal.filter((t) => t.part === 'tuning');
  if (tuning.length === 0) {
    throw new Error('no tuning clips found in ../shared/data (bench/eval-split.json names them)');
  }
  notes.push(
    `held-out part: ${allReal.length - tuning.length} clips and ${SPLIT['held-out'].joins.length} joins not read`,
  );
  const ambiguous = tuning.filter((t) => t.ambiguous);
  if (ambiguous.length) {
    notes.push(
      `ambiguous end cards (not counted by eval either): ${ambiguous.map((t) => t.name).join(', ')}`,
    );
  }
  const clips = tuning.filter((t) => !t.ambiguous);
  const joinNames = SPLIT.tuning.joins.map(
    ([story, credits]) => `${path.parse(story).name}+${path.parse(credits).name}`,
  );
  const wanted = [...clips.map((t) => t.name), ...joinNames];
  const missing = wanted.filter((name) => !existsSync(path.join(dir, `${name}.json`)));
  if (missing.length === wanted.length) {
    throw new Error(`no cached runs of the tuning titles in ${dir}: ${HINT}`);
  }
  if (missing.length && !values.partial) {
    throw new Error(
      `${missing.length} of ${wanted.length} tuning titles have no cached run in ${dir} (${missing.join(', ')}): ${HINT} (or pass --partial)`,
    );
  }
  if (missing.length) notes.push(`no cached run, left out (--partial): ${missing.join(', ')}`);
  // Joins only once their runs are cached: their truth needs the encoded join (eval made it).
  const joins = joinNames.every((n) => missing.includes(n)) ? [] : joinedTitles(tuning);
  const titles = [...clips, ...joins.filter((t) => !missing.includes(t.name))];
  if (values.generated) {
    const generated = await generatedTitles(log);
    titles.push(...generated, ...storyOnlyCuts(generated));
  } else {
    notes.push('generated titles: not used (pass --generated)');
  }
  const loaded: Loaded[] = [];
  for (const title of titles.filter((t) => !missing.includes(t.name))) {
    const run = readCachedRun(dir, title.name);
    if (!run) {
      if (values.partial) {
        notes.push(`no cached run, left out (--partial): ${title.name}`);
        continue;
      }
      throw new Error(`no cached run of ${title.name} in ${dir}: ${HINT}`);
    }
    loaded.push({ title, clips: clipsOf(title, SPLIT.tuning.joins), run });
  }
  return { loaded, notes };
}

function predict(run: CachedRun, setting: Setting): number | null {
  return replayDecision(run, setting.decide, setting.calibration).creditsStart;
}

interface ParameterResult {
  parameter: Parameter;
  result: LocoResult<Value>;
  /** Each grid value scored on all titles. */
  byValue: ValueScore<Value>[];
  /** Titles where the explicit default decides otherwise than decide.ts without the option. */
  defaultMismatch: string[];
}

function evaluate(parameter: Parameter, loaded: readonly Loaded[]): ParameterResult {
  const rows: LocoRow<Value>[] = [];
  const defaultMismatch: string[] = [];
  for (const { title, clips, run } of loaded) {
    const shipped = predict(run, {});
    for (const value of parameter.grid) {
      const predicted = predict(run, parameter.setting(value));
      if (value === parameter.defaultValue && predicted !== shipped)
        defaultMismatch.push(title.name);
      rows.push({
        title: title.name,
        groups: clips,
        value,
        hit: isHit(title, predicted, TOLERANCE_S),
        absError: locoError(title, predicted),
      });
    }
  }
  return {
    parameter,
    result: leaveOneClipOut(rows, parameter.grid, parameter.defaultValue),
    byValue: scoreByValue(rows, parameter.grid, parameter.defaultValue),
    defaultMismatch,
  };
}

function fmt(v: Value): string {
  return typeof v === 'number' && !Number.isFinite(v) ? 'Infinity' : String(v);
}

function fmtTruth(t: EvalTitle): string {
  const start = t.creditsStart === null ? 'no credits' : `${t.creditsStart.toFixed(2)} s`;
  return t.creditsStartAlt === undefined
    ? start
    : `${start} (alt ${t.creditsStartAlt.toFixed(2)} s)`;
}

function report(
  loaded: readonly Loaded[],
  notes: readonly string[],
  results: ParameterResult[],
): string {
  const out: string[] = [];
  out.push(
    `Leave-one-clip-out over ${loaded.length} tuning titles (model ${latestModelVersion()}${values['no-text'] ? ', no text check' : ''}):`,
  );
  for (const { title, clips } of loaded) {
    const made = title.kind === 'real-join' ? `  [clips: ${clips.join(' + ')}]` : '';
    out.push(`  ${title.name.padEnd(52)} ${title.kind.padEnd(10)} truth ${fmtTruth(title)}${made}`);
  }
  for (const note of notes) out.push(`Left out: ${note}`);
  out.push('');
  out.push(
    `Right = start within ${TOLERANCE_S} s of a labelled start, or "no credits" on a title without. A left-out title's value is chosen on the titles sharing no clip with it: most hits, then smallest mean error (capped at 30 s), then the default, then the nearest grid value.`,
  );
  out.push('');
  out.push(
    '| parameter | default | LOCO-chosen values (titles) | chosen on all | hits with default | LOCO hits | titles that flip |',
  );
  out.push('|---|---:|---|---:|---:|---:|---|');
  for (const { parameter, result } of results) {
    const chosen = result.choices.map((c) => `${fmt(c.value)} (${c.count})`).join(', ');
    const flips = [...result.lost.map((t) => `−${t}`), ...result.gained.map((t) => `+${t}`)];
    out.push(
      `| ${parameter.name} | ${fmt(parameter.defaultValue)} | ${chosen} | ${fmt(result.chosenOnAll)} | ${share(result.defaultHits, result.total)} | ${share(result.locoHits, result.total)} | ${flips.length ? flips.join(', ') : 'none'} |`,
    );
  }
  out.push('');
  out.push(
    '−title: right with the default, wrong with its leave-one-clip-out choice; +title: the other way round.',
  );
  out.push('');
  out.push(
    'Each value on all titles: hits (mean error, s); titles it gets right (+) or wrong (−) unlike the default (*):',
  );
  for (const { parameter, byValue } of results) {
    out.push(`  ${parameter.name}`);
    for (const v of byValue) {
      const star = v.value === parameter.defaultValue ? '*' : '';
      const flips = [...v.lost.map((t) => `−${t}`), ...v.gained.map((t) => `+${t}`)].join(', ');
      out.push(
        `    ${`${fmt(v.value)}${star}`.padEnd(10)} ${String(v.hits).padStart(3)} (${v.meanError.toFixed(2)})  ${flips}`.trimEnd(),
      );
    }
  }
  out.push('');
  out.push('Left-out titles whose choice differs from the most common one:');
  for (const { parameter, result } of results) {
    const common = [...result.choices].sort((a, b) => b.count - a.count)[0]?.value;
    const others = result.titles.filter((t) => t.chosen !== common);
    if (others.length === 0) continue;
    out.push(
      `  ${parameter.name}: ${others.map((t) => `${t.title} -> ${fmt(t.chosen)}`).join(', ')}`,
    );
  }
  const mismatched = results.filter((r) => r.defaultMismatch.length);
  for (const r of mismatched) {
    out.push(
      `WARNING: ${r.parameter.name} = ${fmt(r.parameter.defaultValue)} does not reproduce decide.ts's default on ${r.defaultMismatch.join(', ')}`,
    );
  }
  return `${out.join('\n')}\n`;
}

async function main(): Promise<void> {
  const dir = runsDir(latestModelVersion(), values['no-text']);
  if (!existsSync(dir)) throw new Error(`no cached runs in ${dir}: ${HINT}`);
  const { loaded, notes } = await loadTitles(dir);
  log(`replaying ${loaded.length} tuning titles over ${PARAMETERS.length} parameters`);
  const results = PARAMETERS.map((p) => evaluate(p, loaded));
  process.stdout.write(report(loaded, notes, results));
  if (values.json) {
    writeFileSync(
      values.json,
      JSON.stringify(
        results.map((r) => ({
          parameter: r.parameter.name,
          grid: r.parameter.grid.map(fmt),
          byValue: r.byValue.map((v) => ({ ...v, value: fmt(v.value) })),
          ...r.result,
          defaultValue: fmt(r.result.defaultValue),
          chosenOnAll: fmt(r.result.chosenOnAll),
          choices: r.result.choices.map((c) => ({ value: fmt(c.value), count: c.count })),
          titles: r.result.titles.map((t) => ({ ...t, chosen: fmt(t.chosen) })),
        })),
        null,
        2,
      ),
    );
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`eval:loco: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
