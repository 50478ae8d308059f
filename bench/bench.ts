/**
 * `npm run bench`: EndCue vs the research script's policy on generated 1080p features
 * (30 min and 2 h): wall time, frames decoded, frames classified, peak RSS, answer.
 * Each run is its own process; peak RSS is sampled over its whole process tree (node and
 * ffmpeg) every 50 ms. The baseline runs on the 30-minute title only unless --baseline-2h
 * (it is slow by design: every frame of the last 20% is decoded).
 *
 *   npm run bench
 *   npm run bench -- --only 30m --backend wasm --json bench.json
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateLongFeature, type LongFeature } from '../tests/fixtures/long.js';
import type { RunOneResult } from './run-one.js';
import { ROOT } from './titles.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    'baseline-2h': { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

interface Measured extends RunOneResult {
  title: string;
  truth: number;
  peakTreeRssMb: number;
  processWallMs: number;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** RSS of a process and all its descendants, in kB (Linux /proc). */
function treeRssKb(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      rss.set(Number(entry), kb);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // process ended while we looked
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

function measure(
  mode: 'endcue' | 'baseline',
  feature: LongFeature,
  title: string,
): Promise<Measured> {
  return new Promise((resolve, reject) => {
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
      });
    });
  });
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const t = (x: number | null | undefined) => (x === null || x === undefined ? 'none' : x.toFixed(1));

async function main(): Promise<void> {
  const titles: Array<[string, number]> = [
    ['30 min 1080p', 1800],
    ['2 h 1080p', 7200],
  ];
  const picked = titles.filter(([, d]) =>
    values.only === '30m' ? d === 1800 : values.only === '2h' ? d === 7200 : true,
  );
  const rows: Measured[] = [];
  for (const [title, durationSec] of picked) {
    log(`generating the ${title} feature (cached after the first time)...`);
    const feature = await generateLongFeature({ durationSec, width: 1920, height: 1080 });
    log(`EndCue on ${title}...`);
    const endcue = await measure('endcue', feature, title);
    rows.push(endcue);
    log(
      `  ${s(endcue.processWallMs)}, start ${t(endcue.creditsStart)} (truth ${t(feature.creditsStart)})`,
    );
    const runBaseline = !values['no-baseline'] && (durationSec === 1800 || values['baseline-2h']);
    if (runBaseline) {
      log(`baseline (research script policy) on ${title}: slow by design...`);
      const baseline = await measure('baseline', feature, title);
      rows.push(baseline);
      log(`  ${s(baseline.processWallMs)}, start ${t(baseline.creditsStart)}`);
    }
  }

  const lines: string[] = [];
  lines.push(
    `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(
        ' ',
      )} at the end; backend ${rows[0]?.backend ?? '?'}; model ${rows[0]?.modelVersion ?? '?'}`,
  );
  lines.push('');
  lines.push(
    '| title | method | wall (process) | wall (detection) | frames decoded | frames classified | peak RSS (node+ffmpeg) | start found (s) | truth (s) |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const start =
      r.mode === 'baseline'
        ? `${t(r.creditsStart)} (first >= 0.5: ${t(r.naiveStart)})`
        : t(r.creditsStart);
    lines.push(
      `| ${r.title} | ${r.mode === 'endcue' ? 'EndCue' : 'baseline: every frame of last 20%, 10 fps classified'} | ${s(
        r.processWallMs,
      )} | ${s(r.wallMs)} | ${r.framesDecoded} | ${r.framesClassified} | ${r.peakTreeRssMb} MB | ${start} | ${t(
        r.truth,
      )} |`,
    );
  }
  for (const title of new Set(rows.map((r) => r.title))) {
    const e = rows.find((r) => r.title === title && r.mode === 'endcue');
    const b = rows.find((r) => r.title === title && r.mode === 'baseline');
    if (e && b)
      lines.push(
        '',
        `${title}: EndCue is ${(b.processWallMs / e.processWallMs).toFixed(1)}x faster than the baseline.`,
      );
  }
  if (!rows.some((r) => r.mode === 'baseline' && r.title.startsWith('2 h'))) {
    lines.push(
      '',
      'The baseline runs on the 30-minute title only (slow by design; --baseline-2h to run it on 2 h).',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
}

await main();
