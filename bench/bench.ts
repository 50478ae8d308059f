/**
 * `npm run bench`: EndCue vs the research script's policy on generated 1080p features
 * (30 min and 2 h): wall time, frames decoded, frames classified, peak RSS, answer.
 * Each run is its own process; peak RSS is sampled over its whole process tree (node and
 * ffmpeg) every 50 ms. The baseline runs on the 30-minute title only unless --baseline-2h
 * (it is slow by design: every frame of the last 20% is decoded; ~5 min on 2 h).
 * A "x faster" line is printed only for a title whose baseline was measured, in this run or
 * in an earlier one given with --baseline-json (labelled with that run's date and load).
 *
 *   npm run bench
 *   npm run bench -- --only 30m --backend wasm --json bench.json
 *   npm run bench -- --repeat 3                 # EndCue 3 times per title, median shown
 *   npm run bench -- --baseline-2h --json b.json # once; later: --baseline-json b.json
 *   npm run bench -- --variants                 # + EndCue on 30-min features in other
 *                                               #   credits styles (accuracy on long tails)
 *   npm run bench -- --only season              # series (issue 22): EndCue vs intro-skipper's
 *                                               #   rules on the generated season (bench/season)
 *   npm run bench -- --only install             # what the OCR beyond English adds to the install
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateLongFeature, type LongFeature } from '../tests/fixtures/long.js';
import { installSize, installSizeTable } from './install-size.js';
import { treeRssKb } from './rss.js';
import type { RunOneResult } from './run-one.js';
import { ROOT } from './titles.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    'baseline-2h': { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
    'baseline-json': { type: 'string' },
    repeat: { type: 'string', default: '1' },
    variants: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

interface Measured extends RunOneResult {
  title: string;
  truth: number;
  peakTreeRssMb: number;
  processWallMs: number;
  /** When it ran and the 1-minute load average just before (other jobs share the cores). */
  measuredAt: string;
  loadBefore: number;
  /** All runs' process wall times when --repeat > 1 (the row shows the median run). */
  runsMs?: number[];
  /** Taken from --baseline-json, not measured in this run. */
  earlier?: boolean;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function measure(
  mode: 'endcue' | 'baseline',
  feature: LongFeature,
  title: string,
): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const measuredAt = new Date().toISOString();
    const loadBefore = os.loadavg()[0] ?? 0;
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'bench/run-one.ts'),
        mode,
        feature.path,
        '--backend',
        values.backend as string,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let peak = 0;
    const timer = setInterval(() => {
      if (child.pid) peak = Math.max(peak, treeRssKb(child.pid));
    }, 50);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      if (code !== 0) {
        reject(new Error(`${mode} on ${title} exited with ${code}`));
        return;
      }
      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as RunOneResult;
      resolve({
        ...result,
        title,
        truth: feature.creditsStart,
        peakTreeRssMb: Math.round(peak / 1024),
        processWallMs: Math.round(performance.now() - started),
        measuredAt,
        loadBefore: Math.round(loadBefore * 10) / 10,
      });
    });
  });
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const t = (x: number | null | undefined) => (x === null || x === undefined ? 'none' : x.toFixed(1));

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

/** Runs EndCue `repeat` times and keeps the median run (by process wall time). */
async function measureEndcue(feature: LongFeature, title: string): Promise<Measured> {
  const repeat = Math.max(1, Number(values.repeat) || 1);
  const runs: Measured[] = [];
  for (let i = 0; i < repeat; i++) {
    const run = await measure('endcue', feature, title);
    log(
      `  ${s(run.processWallMs)} (load ${run.loadBefore}), start ${t(run.creditsStart)} (truth ${t(feature.creditsStart)})`,
    );
    runs.push(run);
  }
  const sorted = [...runs].sort((a, b) => a.processWallMs - b.processWallMs);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as Measured;
  return repeat > 1 ? { ...median, runsMs: runs.map((r) => r.processWallMs) } : median;
}

/** Baseline rows of an earlier `--json` output, to reuse a slow measurement honestly. */
function earlierBaselines(): Measured[] {
  const file = values['baseline-json'];
  if (!file) return [];
  const rows = JSON.parse(readFileSync(file, 'utf8')) as Measured[];
  return rows.filter((r) => r.mode === 'baseline').map((r) => ({ ...r, earlier: true }));
}

/** Extra 30-minute features in other credits styles: is the answer still right on long tails? */
const VARIANTS = [
  { style: 'cards', seed: 2, creditsDuration: 90 },
  { style: 'over-picture', seed: 3, creditsDuration: 150 },
  { style: 'roll', seed: 4, creditsDuration: 240, postCredits: 60 },
  { style: 'cards', seed: 5, creditsDuration: 60, postCredits: 30 },
] as const;

/** The series row lives in its own script (bench/season/bench-season.ts); --json goes along. */
function seasonBench(): Promise<void> {
  const args = ['--import', 'tsx', path.join(ROOT, 'bench/season/bench-season.ts')];
  if (values.json) args.push('--json', values.json);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`the season bench exited with ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  if (values.only === 'season') return seasonBench();
  if (values.only === 'install') {
    console.log(installSizeTable(installSize(ROOT)));
    return;
  }
  const loadAtStart = load();
  const titles: Array<[string, number]> = [
    ['30 min 1080p', 1800],
    ['2 h 1080p', 7200],
  ];
  const picked = titles.filter(([, d]) =>
    values.only === '30m' ? d === 1800 : values.only === '2h' ? d === 7200 : true,
  );
  const earlier = earlierBaselines();
  const rows: Measured[] = [];
  for (const [title, durationSec] of picked) {
    log(`generating the ${title} feature (cached after the first time)...`);
    const feature = await generateLongFeature({ durationSec, width: 1920, height: 1080 });
    log(`EndCue on ${title}...`);
    rows.push(await measureEndcue(feature, title));
    const runBaseline = !values['no-baseline'] && (durationSec === 1800 || values['baseline-2h']);
    const reused = earlier.find((r) => r.title === title);
    if (runBaseline) {
      log(`baseline (research script policy) on ${title}: slow by design...`);
      const baseline = await measure('baseline', feature, title);
      rows.push(baseline);
      log(`  ${s(baseline.processWallMs)}, start ${t(baseline.creditsStart)}`);
    } else if (reused) {
      log(`baseline on ${title}: reusing the run of ${reused.measuredAt} (--baseline-json)`);
      rows.push(reused);
    }
  }

  const variantRows: Array<Measured & { label: string }> = [];
  if (values.variants) {
    for (const v of VARIANTS) {
      const label = `${v.style}, credits ${v.creditsDuration} s${'postCredits' in v ? `, post-credits ${v.postCredits} s` : ''}`;
      log(`generating the 30 min 720p ${label} feature (cached after the first time)...`);
      const feature = await generateLongFeature({
        durationSec: 1800,
        width: 1280,
        height: 720,
        ...v,
      });
      log(`EndCue on 30 min 720p ${label}...`);
      variantRows.push({ ...(await measure('endcue', feature, '30 min 720p')), label });
    }
  }

  const lines: string[] = [];
  lines.push(
    `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), load average ${loadAtStart} at the start, ${load()} at the end; backend ${rows[0]?.backend ?? '?'}; model ${rows[0]?.modelVersion ?? '?'}`,
  );
  lines.push('');
  lines.push(
    '| title | method | wall (process) | wall (detection) | frames decoded | frames classified | peak RSS (node+ffmpeg) | start found (s) | truth (s) | load before |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const start =
      r.mode === 'baseline'
        ? `${t(r.creditsStart)} (first >= 0.5: ${t(r.naiveStart)})`
        : t(r.creditsStart);
    const method =
      r.mode === 'endcue'
        ? `EndCue${r.runsMs ? ` (median of ${r.runsMs.length}: ${r.runsMs.map(s).join(', ')})` : ''}`
        : `baseline: every frame of last 20%, 10 fps classified${r.earlier ? ` (earlier run, ${r.measuredAt.slice(0, 16).replace('T', ' ')} UTC, model ${r.modelVersion})` : ''}`;
    lines.push(
      `| ${r.title} | ${method} | ${s(r.processWallMs)} | ${s(r.wallMs)} | ${r.framesDecoded} | ${r.framesClassified} | ${r.peakTreeRssMb} MB | ${start} | ${t(r.truth)} | ${r.loadBefore?.toFixed(1) ?? '?'} |`,
    );
  }
  for (const title of new Set(rows.map((r) => r.title))) {
    const e = rows.find((r) => r.title === title && r.mode === 'endcue');
    const b = rows.find((r) => r.title === title && r.mode === 'baseline');
    if (e && b)
      lines.push(
        '',
        `${title}: EndCue is ${(b.processWallMs / e.processWallMs).toFixed(1)}x faster than the baseline${b.earlier ? ` (baseline from an earlier run, load ${b.loadBefore} before it; EndCue from this one)` : ''}.`,
      );
    else if (e)
      lines.push(
        '',
        values['no-baseline']
          ? `${title}: baseline skipped (--no-baseline).`
          : `${title}: no baseline measured (--baseline-2h runs it, ~5 min; --baseline-json reuses an earlier one).`,
      );
  }

  // Where EndCue's time goes (ms from the detector's own clock; startup = node + tsx + imports).
  const endcueRows = [...rows.filter((r) => r.mode === 'endcue'), ...variantRows];
  if (endcueRows.some((r) => r.timings)) {
    lines.push(
      '',
      '| EndCue run | startup | probe (model loads alongside) | first frame at | worker threads, ready at | coarse pass | fine pass | of which text check (OCR) | waiting on classifier | waiting on ffmpeg | coarse + fine frames |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const r of endcueRows) {
      const x = r.timings;
      if (!x) continue;
      const name = 'label' in r ? `${r.title}, ${(r as { label: string }).label}` : r.title;
      lines.push(
        `| ${name} | ${s(r.startupMs ?? 0)} | ${s(x.probe)} | ${x.firstFrame === null ? '-' : s(x.firstFrame)} | ${x.poolReady === null ? (r.classifierWorkers ?? 0) : `${r.classifierWorkers ?? '?'}, ${s(x.poolReady)}`} | ${s(x.coarse)} | ${s(x.fine)} | ${x.text === undefined ? '-' : s(x.text)} | ${s(x.classify)} | ${s(x.decodeWait)} | ${r.coarseFrames ?? '?'} + ${r.fineFrames ?? '?'} |`,
      );
    }
  }

  if (variantRows.length > 0) {
    lines.push(
      '',
      '| 30 min 720p variant | start found (s) | truth (s) | error (s) | frames classified | wall (process) |',
      '|---|---:|---:|---:|---:|---:|',
    );
    for (const r of variantRows) {
      const error = r.creditsStart === null ? 'missed' : (r.creditsStart - r.truth).toFixed(2);
      lines.push(
        `| ${r.label} | ${t(r.creditsStart)} | ${t(r.truth)} | ${error} | ${r.framesClassified} | ${s(r.processWallMs)} |`,
      );
    }
  }
  lines.push('', installSizeTable(installSize(ROOT)));
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.json) writeFileSync(values.json, JSON.stringify([...rows, ...variantRows], null, 2));
}

await main();
