/**
 * The season bench row (issue 22): EndCue beside a baseline with intro-skipper's rules on the
 * generated test season (render.ts), scored against its truth, with the cost of each step.
 *
 *   npm run bench -- --only season          # or: npx tsx bench/season/bench-season.ts
 *   npx tsx bench/season/bench-season.ts --short --no-detect --json season.json
 *
 * EndCue: `endcue detect EP1 ... --series`'s own code (each episode's own detection, then
 * analyzeSeason's intros and shared end music, which weighs the credits start and bounds it
 * from below: a start well before the music is detected again from there). Baseline: intro-skipper-baseline.ts on the same fingerprints (the same 25%
 * windows), credits where its closing windows' shared run begins.
 * Speed: fingerprinting a 45-minute episode (5 copies of an episode joined by an ffconcat
 * list, so nothing is re-encoded), and aligning a season of ten such episodes. Peak RSS of
 * this process and its ffmpeg children, sampled every 50 ms, for the series steps.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { detectSeries } from '../../server/cli/detect-series.js';
import { fingerprintEpisode } from '../../server/fingerprint/chromaprint.js';
import type { EpisodeFingerprints } from '../../server/fingerprint/types.js';
import { analyzeSeason, type EpisodeReader } from '../../server/series/season.js';
import { treeRssKb } from '../rss.js';
import { baselineCredits, baselineIntros } from './intro-skipper-baseline.js';
import { type RenderedSeason, renderSeason } from './render.js';
import { type EpisodeAnswer, type SeasonScore, scoreSeason } from './score.js';

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    'no-detect': { type: 'boolean', default: false },
    'no-long': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Peak RSS (MB) of this process tree while `work` runs. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peak = treeRssKb(process.pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssKb(process.pid));
  }, 50);
  try {
    const value = await work();
    return { value, peakMb: Math.round(Math.max(peak, treeRssKb(process.pid)) / 1024) };
  } finally {
    clearInterval(timer);
  }
}

async function timed<T>(work: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** A reader that answers from fingerprints already read (speed 1), else reads. */
function memoReader(known: Map<string, EpisodeFingerprints>): EpisodeReader {
  return (source, options) => {
    const hit = known.get(source);
    if (hit && (options?.speed ?? 1) === 1) return Promise.resolve(hit);
    return fingerprintEpisode(source, options);
  };
}

const windowOf = (f: EpisodeFingerprints, side: 'opening' | 'closing') =>
  f.kind === 'fingerprinted' ? { start: f[side].start, items: f[side].items } : null;

/**
 * What `endcue detect EP1 ... --series` does, through its own code (detectSeries): each
 * episode's own detection, the season's intros and end music, and a re-run bounded by the
 * music for a start well before it.
 */
async function detectSeason(files: readonly string[], read: EpisodeReader) {
  const started = performance.now();
  const answers = await detectSeries(files, { detector: { readText: true }, season: { read } });
  log(`  detected the season in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return answers.map((a) => {
    const base = {
      file: path.basename(a.file),
      intro: a.intro,
      introReason: a.introReason,
      endMusic: a.endMusic,
    };
    if ('error' in a) {
      return {
        ...base,
        creditsStart: null,
        singleTitleStart: null,
        confidence: 0,
        evidence: 'none',
      };
    }
    log(
      `  ${base.file}: credits ${a.result.creditsStart ?? 'none'} (single-title ${a.singleCreditsStart ?? 'none'}, ${a.endMusicEvidence})`,
    );
    return {
      ...base,
      creditsStart: a.result.creditsStart,
      singleTitleStart: a.singleCreditsStart ?? a.result.creditsStart,
      confidence: a.seriesConfidence,
      evidence: a.endMusicEvidence,
    };
  });
}

interface SpeedRows {
  fingerprintMs: number[];
  alignMs: number;
  baselineAlignMs: number;
  episodeSeconds: number;
  peakMb: number;
}

/** Fingerprints 45-minute episodes (ffconcat of 5 copies) and aligns a season of them. */
async function longSeasonSpeed(season: RenderedSeason): Promise<SpeedRows> {
  const copies = Math.ceil(2700 / (season.episodes[0]?.seconds ?? 540));
  const lists = season.episodes.map((episode) => {
    const list = path.join(season.dir, `long-${episode.number}.ffconcat`);
    const entry = `file ${path.basename(episode.path)}\nduration ${episode.seconds}\n`;
    writeFileSync(list, `ffconcat version 1.0\n${entry.repeat(copies)}`);
    return list;
  });
  const { value, peakMb } = await peakRss(async () => {
    const known = new Map<string, EpisodeFingerprints>();
    const fingerprintMs: number[] = [];
    for (const list of lists) {
      const read = await timed(() => fingerprintEpisode(list));
      known.set(list, read.value);
      fingerprintMs.push(read.ms);
      log(`  45-min episode fingerprinted in ${(read.ms / 1000).toFixed(2)} s`);
    }
    const align = await timed(() =>
      analyzeSeason(
        lists.map((p) => ({ path: p })),
        { read: memoReader(known), palSpeeds: false },
      ),
    );
    const all = [...known.values()];
    const baseline = await timed(() => {
      baselineIntros(all.map((f) => windowOf(f, 'opening')));
      baselineCredits(all.map((f) => windowOf(f, 'closing')));
    });
    return {
      fingerprintMs,
      alignMs: align.ms,
      baselineAlignMs: baseline.ms,
      episodeSeconds: copies * (season.episodes[0]?.seconds ?? 0),
    };
  });
  return { ...value, peakMb };
}

interface MethodResult {
  answers: EpisodeAnswer[];
  score: SeasonScore;
}

async function main(): Promise<void> {
  const seed = Number(values.seed);
  log(`rendering the ${values.short ? 'short' : 'full'} season (cached after the first time)...`);
  const season = await renderSeason({
    seed,
    size: values.short ? 'short' : 'full',
    onEpisode: (e) => log(`  rendering ${e.file}...`),
  });
  const truth = season.episodes.map((e) => ({ intro: e.intro, creditsStart: e.credits.start }));
  const files = season.episodes.map((e) => e.path);

  log('fingerprinting the episodes (EndCue and the baseline share them)...');
  const known = new Map<string, EpisodeFingerprints>();
  const series = await peakRss(async () => {
    const fingerprintMs: number[] = [];
    for (const file of files) {
      const read = await timed(() => fingerprintEpisode(file));
      known.set(file, read.value);
      fingerprintMs.push(read.ms);
    }
    const align = await timed(() =>
      analyzeSeason(
        files.map((p) => ({ path: p })),
        { read: memoReader(known), palSpeeds: false },
      ),
    );
    return { fingerprintMs, alignMs: align.ms, answers: align.value };
  });
  const prints = files.map((f) => known.get(f) as EpisodeFingerprints);
  const baselineTime = await timed(() => ({
    intros: baselineIntros(prints.map((f) => windowOf(f, 'opening'))),
    credits: baselineCredits(prints.map((f) => windowOf(f, 'closing'))),
  }));
  const baselineAnswers = truth.map(
    (_, i): EpisodeAnswer => ({
      intro: baselineTime.value.intros[i] ?? null,
      creditsStart: baselineTime.value.credits[i] ?? null,
    }),
  );

  let endcue: MethodResult | null = null;
  let detectMs = 0;
  let detectPeakMb = 0;
  let endcueRaw: unknown = null;
  if (!values['no-detect']) {
    log("EndCue: detect EP1 ... --series (each episode's detection, then the season)...");
    const run = await peakRss(() => timed(() => detectSeason(files, memoReader(known))));
    detectMs = run.value.ms;
    detectPeakMb = run.peakMb;
    endcueRaw = run.value.value;
    const answers = run.value.value.map(
      (a): EpisodeAnswer => ({ intro: a.intro, creditsStart: a.creditsStart }),
    );
    endcue = { answers, score: scoreSeason(truth, answers) };
    // The acceptance's "no worse than the single-title decision on any episode".
    const singles = run.value.value.map(
      (a): EpisodeAnswer => ({ intro: a.intro, creditsStart: a.singleTitleStart }),
    );
    const single = scoreSeason(truth, singles);
    const worse = endcue.score.creditsSigned.filter((e, i) => {
      const s = single.creditsSigned[i];
      return s !== null && s !== undefined && (e === null || Math.abs(e) > Math.abs(s) + 0.05);
    }).length;
    log(
      `single-title credits: ${single.credits.within}/${single.credits.count} within 2 s, max ${f2(single.credits.max)} s; the series' start is worse on ${worse} episode(s)`,
    );
  } else {
    // Intros only: analyzeSeason's answers on the same fingerprints; no credits detection.
    const answers = series.value.answers.map(
      (a): EpisodeAnswer => ({ intro: a.intro, creditsStart: null }),
    );
    endcue = { answers, score: scoreSeason(truth, answers) };
  }
  const baseline: MethodResult = {
    answers: baselineAnswers,
    score: scoreSeason(truth, baselineAnswers),
  };

  const speed = values['no-long'] ? null : await longSeasonSpeedLogged(season);
  const report = {
    measuredAt: new Date().toISOString(),
    season: { dir: season.dir, size: season.plan.size, seed, episodes: season.episodes.length },
    truth: season.episodes.map((e) => ({
      file: e.file,
      intro: e.intro,
      creditsStart: e.credits.start,
      endMusic: e.endMusic,
      postCredits: e.postCredits,
      encoding: e.encoding,
    })),
    endcue,
    endcueRaw,
    baseline,
    cost: {
      seasonFingerprintMs: series.value.fingerprintMs.map(Math.round),
      seasonAlignMs: Math.round(series.value.alignMs),
      seasonBaselineAlignMs: Math.round(baselineTime.ms),
      seriesPeakMb: series.peakMb,
      detectSeriesMs: Math.round(detectMs),
      detectSeriesPeakMb: detectPeakMb,
      long: speed,
    },
  };
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  printTable(report.endcue?.score ?? null, baseline.score, report.cost, truth.length);
  printEpisodes(season, endcue?.answers ?? null, baselineAnswers);
}

async function longSeasonSpeedLogged(season: RenderedSeason): Promise<SpeedRows> {
  log('speed: 45-minute episodes (5 copies each, by an ffconcat list)...');
  return longSeasonSpeed(season);
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

function printTable(
  endcue: SeasonScore | null,
  baseline: SeasonScore,
  cost: {
    seasonAlignMs: number;
    seasonBaselineAlignMs: number;
    seriesPeakMb: number;
    long: SpeedRows | null;
  },
  episodes: number,
): void {
  const row = (name: string, e: string, b: string) =>
    process.stdout.write(`| ${name} | ${e} | ${b} |\n`);
  const both = (fn: (s: SeasonScore) => string) => [endcue ? fn(endcue) : 'not run', fn(baseline)];
  process.stdout.write(
    `\n| ${episodes} episodes | EndCue | intro-skipper rules |\n|---|---:|---:|\n`,
  );
  const err = (k: 'introStart' | 'introEnd' | 'credits') => (s: SeasonScore) =>
    `${f2(s[k].mean)} / ${f2(s[k].max)} s (${s[k].within}/${s[k].count} within ${s[k].tolerance} s)`;
  row('intro start error, mean / max', ...(both(err('introStart')) as [string, string]));
  row('intro end error, mean / max', ...(both(err('introEnd')) as [string, string]));
  row(
    'intros missed',
    ...(both((s) => `${s.introMissed}/${s.introStart.count + s.introMissed}`) as [string, string]),
  );
  row(
    '"no intro" right',
    ...(both((s) => `${s.noIntroRight}/${s.noIntroTotal}`) as [string, string]),
  );
  // --no-detect: EndCue's intros are scored, its credits were not looked for.
  const credits = (fn: (s: SeasonScore) => string): [string, string] => {
    const [e, b] = both(fn) as [string, string];
    return [values['no-detect'] ? 'not run' : e, b];
  };
  row('credits start error, mean / max', ...credits(err('credits')));
  row('credits: no start given', ...credits((s) => `${s.creditsMissed}/${s.creditsSigned.length}`));
  row(
    'align the season (its windows)',
    `${cost.seasonAlignMs} ms`,
    `${cost.seasonBaselineAlignMs} ms`,
  );
  if (cost.long) {
    const sorted = [...cost.long.fingerprintMs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    row(
      `fingerprint a ${Math.round(cost.long.episodeSeconds / 60)}-min episode, median (range)`,
      `${f2(median / 1000)} s (${f2((sorted[0] ?? 0) / 1000)}-${f2((sorted.at(-1) ?? 0) / 1000)})`,
      'same fingerprints',
    );
    row(
      `align ${cost.long.fingerprintMs.length} such episodes (600 s windows)`,
      `${Math.round(cost.long.alignMs)} ms`,
      `${Math.round(cost.long.baselineAlignMs)} ms (every shift)`,
    );
    row('peak RSS, fingerprinting + aligning (node + ffmpeg)', `${cost.long.peakMb} MB`, '');
  }
  row('peak RSS, the season (node + ffmpeg)', `${cost.seriesPeakMb} MB`, '');
}

function printEpisodes(
  season: RenderedSeason,
  endcue: EpisodeAnswer[] | null,
  baseline: EpisodeAnswer[],
): void {
  const span = (s: { start: number; end: number } | null) =>
    s ? `${f1(s.start)}-${f1(s.end)}` : 'none';
  const at = (x: number | null) => (x === null ? 'none' : f1(x));
  process.stdout.write(
    '\n| episode | intro truth | EndCue | baseline | credits truth | EndCue | baseline |\n' +
      '|---|---|---|---|---:|---:|---:|\n',
  );
  season.episodes.forEach((e, i) => {
    const ec = endcue?.[i];
    const b = baseline[i] as EpisodeAnswer;
    process.stdout.write(
      `| ${e.file} (${e.encoding.codec} ${e.encoding.bitrate} ${e.encoding.channels === 6 ? '5.1' : 'stereo'} ${e.encoding.gainDb} dB${e.endMusic.song === 'finale' ? ', finale' : ''}) ` +
        `| ${span(e.intro)} | ${ec ? span(ec.intro) : '-'} | ${span(b.intro)} ` +
        `| ${f1(e.credits.start)} | ${ec ? at(ec.creditsStart) : '-'} | ${at(b.creditsStart)} |\n`,
    );
  });
}

await main();
