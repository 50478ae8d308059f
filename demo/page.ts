/**
 * The demo page: video.js with the EndCue plugin on the left, the episodes with their
 * analysis state and a timeline strip on the right. The behaviour is in
 * demo/public/demo.js; this is the markup and the series it starts from.
 */

import type { DemoSeries } from './series.js';
import { SERIES_NAME } from './series.js';

/** JSON safe inside a <script> element (no `</script>`, no `<!--`). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}

export function renderPage(series: DemoSeries): string {
  const episodes = series.episodes.map((e) => ({
    id: e.id,
    episode: e.episode,
    title: e.title,
    style: e.style,
    duration: e.duration,
    mp4: `/media/${e.mp4}`,
    hls: `/media/${e.hls}`,
  }));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>EndCue demo · ${SERIES_NAME}</title>
<link rel="stylesheet" href="/vendor/video/video-js.min.css">
<link rel="stylesheet" href="/plugin/endcue.css">
<link rel="stylesheet" href="/demo/assets/demo.css">
</head>
<body>
<header>
  <h1><span class="brand">EndCue</span> demo</h1>
  <p>${SERIES_NAME}: three generated episodes. The server analyses each one with the shipped model; the player offers <em>Skip intro</em> during the theme the episodes share, and shows the <em>Next episode</em> card where the credits begin.</p>
</header>
<main>
  <section class="stage">
    <video id="player" class="video-js vjs-big-play-centered" controls playsinline preload="metadata"></video>
    <fieldset class="formats" id="formats">
      <legend>Stream</legend>
      <label><input type="radio" name="format" value="mp4"> MP4</label>
      <label><input type="radio" name="format" value="vhs"> HLS via VHS</label>
      <label><input type="radio" name="format" value="hlsjs"> HLS via hls.js</label>
    </fieldset>
    <p class="now" id="now" aria-live="polite"></p>
  </section>
  <aside class="episodes" aria-label="Episodes">
    <ol id="episodes"></ol>
    <p class="legend"><span class="key intro"></span> intro (shared by the episodes) <span class="key credits"></span> detected credits <span class="key post"></span> post-credits scene <span class="key truth"></span> generated credits start</p>
    <p class="legend">Add <code>?binge=1</code> to the address to be asked "Are you still watching?" after one automatic episode (<code>?binge=0</code>: at the first countdown; default 3).</p>
  </aside>
</main>
<script id="series" type="application/json">${scriptJson({ name: SERIES_NAME, episodes })}</script>
<script src="/vendor/video/video.min.js"></script>
<script src="/vendor/hls/hls.min.js"></script>
<script src="/plugin/endcue.umd.min.js"></script>
<script src="/demo/assets/demo.js"></script>
</body>
</html>`;
}
