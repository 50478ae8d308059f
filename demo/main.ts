/**
 * `npm start`: the whole product on embedded defaults. Builds the plugin bundle if needed,
 * generates (or reuses) the demo series, starts the EndCue server with the real detector
 * and the shipped model (SQLite in ./data, in-process queue), mounts the demo page on the
 * same app, asks for every episode's credits so the analyses start at once, and prints
 * the URL.
 *
 * Env: ENDCUE_PORT (or PORT), ENDCUE_DATA_DIR, ENDCUE_CONCURRENCY (default 1 here: the
 * episodes are analysed one after another), ENDCUE_LOG_LEVEL (default warn here), and
 * FFMPEG_PATH / FFPROBE_PATH as everywhere.
 */
import { isEndcueError } from '../server/errors.js';
import { type RunningServer, startServer } from '../server/http/start.js';
import { demoEnv } from './env.js';
import { ensurePluginBundle } from './plugin-bundle.js';
import { buildReporter } from './progress.js';
import { mountDemo, seriesState } from './routes.js';
import { buildSeries, type DemoSeries, SERIES_ID } from './series.js';
import { type EpisodeView, formatClock } from './state.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

/** One console line per episode state change, until every analysis has finished. */
function watchAnalyses(server: RunningServer, series: DemoSeries): () => void {
  const seen = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const describe = (view: EpisodeView) => {
    const name = `  E${view.episode} ${view.title}`;
    if (view.state !== 'done') return `${name}: ${view.label}`;
    const truth = `generated credits start ${formatClock(view.truth.creditsStart)}`;
    return `${name}: ${view.label} (${truth})`;
  };
  const tick = async () => {
    const views = await seriesState(server.app, series).catch(() => []);
    for (const view of views) {
      // Running progress changes often: report the state, not every percent.
      const key = view.state === 'done' || view.state === 'failed' ? view.label : view.state;
      if (seen.get(view.id) !== key) {
        seen.set(view.id, key);
        out(describe(view));
      }
    }
    const finished =
      views.length > 0 && views.every((v) => v.state === 'done' || v.state === 'failed');
    if (finished) out('All episodes analysed.');
    else if (!stopped) timer = setTimeout(tick, 1000);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  out('EndCue demo');
  ensurePluginBundle(out);

  const reporter = buildReporter();
  let series: DemoSeries;
  try {
    series = await buildSeries({ onProgress: (p) => reporter.onProgress(p) });
  } finally {
    reporter.stop();
  }
  out(`Series ready in ${series.mediaDir}`);

  const env = demoEnv(process.env);
  let server: RunningServer;
  try {
    server = await startServer({
      // No detector given: the server runs the real one, with the shipped model, in a thread.
      env,
      mediaRoots: [series.mediaDir],
      titles: series.episodes.map((e) => ({
        id: e.id,
        src: e.mp4,
        title: `Episode ${e.episode}: ${e.title}`,
        series: SERIES_ID,
        season: 1,
        episode: e.episode,
      })),
      publicSrc: (title) => `/media/${title.src}`,
      configureApp: (app) => mountDemo(app, series),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(
        `endcue demo: port ${env.ENDCUE_PORT} is in use. Start it on another one: ENDCUE_PORT=8081 npm start\n`,
      );
      process.exit(2);
    }
    throw error;
  }

  const stopWatching = watchAnalyses(server, series);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  out(
    `Data: ${server.config.dataDir} (SQLite); in-process queue; the shipped model in a detector thread.`,
  );
  out(`Ready in ${seconds} s. Open http://localhost:${server.port}/`);

  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    stopWatching();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (isEndcueError(error)) {
    process.stderr.write(`endcue demo: ${error.toLine()}\n`);
    process.exit(2);
  }
  throw error;
});
