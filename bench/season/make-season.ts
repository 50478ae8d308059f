/**
 * `npm run season`: renders the generated test season (issue 22) and prints where it is.
 *
 *   npm run season                 # 10 episodes of 9 min, story from ../shared/data's clips
 *   npm run season -- --short      # 4 episodes of 2.5 min, generated media only (the tests')
 *   npm run season -- --seed 7 --cache-dir /tmp/season
 *
 * The truth (intro start/end, credits start, end music, post-credits) is `season.json` in
 * the printed folder.
 */
import { parseArgs } from 'node:util';
import { renderSeason } from './render.js';

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    'cache-dir': { type: 'string' },
  },
});

const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0) {
  process.stderr.write(`--seed must be a whole number >= 0, got "${values.seed}"\n`);
  process.exit(2);
}
const started = performance.now();
const season = await renderSeason({
  seed,
  size: values.short ? 'short' : 'full',
  ...(values['cache-dir'] ? { cacheDir: values['cache-dir'] } : {}),
  onEpisode: (episode) => process.stderr.write(`rendering ${episode.file}...\n`),
});
process.stderr.write(
  `${season.episodes.length} episodes in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
process.stdout.write(`${season.dir}\n`);
