// The demo page's behaviour: a video.js player with the EndCue plugin, the stream switch
// (MP4, HLS via VHS, HLS via hls.js) and the episode list, refreshed from /demo/state.
// Plain browser JavaScript: the page loads it as is, without a build step.
/* global videojs, endcue, Hls */
(() => {
  const series = JSON.parse(document.getElementById('series').textContent);
  const params = new URLSearchParams(location.search);
  const FORMATS = ['mp4', 'vhs', 'hlsjs'];
  const format = FORMATS.includes(params.get('format')) ? params.get('format') : 'mp4';
  const countdown = Number(params.get('countdown')) > 0 ? Number(params.get('countdown')) : 10;
  // ?binge=N: "Are you still watching?" after N automatic episodes (the plugin's default: 3).
  const binge = params.has('binge') ? Number(params.get('binge')) : Number.NaN;
  const bingeLimit = Number.isInteger(binge) && binge >= 0 ? { episodes: binge } : undefined;
  const byId = new Map(series.episodes.map((e) => [e.id, e]));
  /** Latest server view per episode id. */
  const views = new Map();
  window.demoEvents = [];

  function sourceOf(episode) {
    return format === 'mp4'
      ? { src: episode.mp4, type: 'video/mp4', titleId: episode.id }
      : { src: episode.hls, type: 'application/x-mpegURL', titleId: episode.id };
  }

  function nextOf(titleId) {
    const index = series.episodes.findIndex((e) => e.id === titleId);
    const next = index >= 0 ? series.episodes[index + 1] : undefined;
    if (!next) return null;
    const { src, type } = sourceOf(next);
    return { titleId: next.id, src, type, title: `Episode ${next.episode}: ${next.title}` };
  }

  for (const input of document.querySelectorAll('input[name=format]')) {
    input.checked = input.value === format;
    input.addEventListener('change', () => {
      const here = new URLSearchParams(location.search);
      here.set('format', input.value);
      const playing = currentEpisode();
      if (playing) {
        here.set('episode', playing.id);
        here.set('t', String(Math.floor(window.player.currentTime() || 0)));
      }
      location.search = here.toString();
    });
  }

  if (format === 'hlsjs') window.hlsHandle = endcue.registerHlsJs(Hls);
  const player = videojs('player', {
    fluid: true,
    html5: {
      vhs: { overrideNative: format === 'vhs' },
      nativeAudioTracks: false,
      nativeVideoTracks: false,
    },
  });
  window.player = player;
  player.endcue({
    countdown,
    skipCredits: true,
    next: (current) => nextOf(current.titleId),
    ...(bingeLimit ? { bingeLimit } : {}),
  });
  const recorded = [
    'ready',
    'shown',
    'countdown',
    'next',
    'dismissed',
    'stillwatching',
    'error',
    'intro-shown',
    'intro-skipped',
  ];
  for (const type of recorded) {
    player.on(`endcue:${type}`, (_event, data) => {
      window.demoEvents.push({
        type,
        titleId: data?.titleId ?? null,
        time: player.currentTime(),
        src: player.currentSrc(),
      });
    });
  }

  function currentEpisode() {
    const src = player.currentSrc();
    if (!src) return undefined;
    const path = new URL(src, location.href).pathname;
    return series.episodes.find((e) => path === e.mp4 || path === e.hls);
  }

  function play(episode, at) {
    player.src(sourceOf(episode));
    player.one('loadedmetadata', () => {
      if (at > 0) player.currentTime(at);
      const started = player.play();
      if (started?.catch) started.catch(() => undefined);
    });
  }

  // ---- The episode list -------------------------------------------------------------
  const list = document.getElementById('episodes');
  const items = new Map();

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const STYLE_NAMES = {
    roll: 'credits roll',
    cards: 'credits cards',
    'over-picture': 'credits over picture',
  };

  for (const episode of series.episodes) {
    const li = el('li', 'episode');
    li.dataset.id = episode.id;
    li.dataset.state = 'queued';
    const head = el('div', 'head');
    head.append(
      el('span', 'number', `E${episode.episode}`),
      el('span', 'title', episode.title),
      el('span', 'style', STYLE_NAMES[episode.style] ?? episode.style),
    );
    const status = el('div', 'status', 'waiting for the server…');
    const introStatus = el('div', 'intro-status');
    const bar = el('div', 'progress');
    const fill = el('div', 'fill');
    bar.append(fill);
    const strip = el('div', 'strip');
    strip.title = 'Timeline: the detected credits segment is highlighted';
    const segments = el('div', 'segments');
    const truth = el('div', 'truth');
    const playhead = el('div', 'playhead');
    strip.append(segments, truth, playhead);
    const times = el('div', 'times');
    times.append(el('span', '', '00:00'), el('span', '', clock(episode.duration)));
    const actions = el('div', 'actions');
    const playButton = el('button', 'play', 'Play');
    playButton.type = 'button';
    playButton.addEventListener('click', () => play(episode, 0));
    const creditsButton = el('button', 'play-credits', 'Play from just before the credits');
    creditsButton.type = 'button';
    creditsButton.disabled = true;
    creditsButton.addEventListener('click', () => {
      const view = views.get(episode.id);
      if (view?.creditsStart != null) play(episode, Math.max(0, view.creditsStart - 6));
    });
    actions.append(playButton, creditsButton);
    li.append(head, status, introStatus, bar, strip, times, actions);
    list.append(li);
    items.set(episode.id, {
      li,
      status,
      introStatus,
      fill,
      segments,
      truth,
      playhead,
      creditsButton,
    });
  }

  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  }

  function render(view) {
    const item = items.get(view.id);
    if (!item) return;
    views.set(view.id, view);
    item.li.dataset.state = view.state;
    item.status.textContent = view.label;
    item.status.title = view.error ?? '';
    item.introStatus.textContent = view.introLabel;
    item.introStatus.title = view.truth.introLabel;
    item.fill.style.width = `${Math.round(view.progress * 100)}%`;
    item.creditsButton.disabled = view.creditsStart == null;
    item.truth.style.left = `${view.truth.left}%`;
    item.truth.title = view.truth.label;
    item.segments.replaceChildren(
      ...view.strip.map((bar) => {
        const node = el('div', `bar ${bar.kind}`);
        node.style.left = `${bar.left}%`;
        node.style.width = `${bar.width}%`;
        return node;
      }),
    );
  }

  let pollTimer = 0;
  async function poll() {
    let allDone = false;
    try {
      const res = await fetch('/demo/state', { cache: 'no-store' });
      const body = await res.json();
      for (const view of body.episodes) render(view);
      allDone = body.episodes.every((v) => v.state === 'done' || v.state === 'failed');
    } catch {
      // Server restarting: keep the last state and try again.
    }
    pollTimer = window.setTimeout(poll, allDone ? 5000 : 1000);
  }
  void pollTimer;
  poll();

  // ---- What is playing ----------------------------------------------------------------
  const now = document.getElementById('now');
  const FORMAT_NAMES = { mp4: 'MP4', vhs: 'HLS via VHS', hlsjs: 'HLS via hls.js' };
  function showPlaying() {
    const playing = currentEpisode();
    for (const [id, item] of items) item.li.classList.toggle('playing', id === playing?.id);
    const what = playing
      ? `Episode ${playing.episode}, ${playing.title} (${FORMAT_NAMES[format]})`
      : '';
    now.textContent = playing ? `${player.paused() ? 'Loaded' : 'Now playing'}: ${what}` : '';
  }
  player.on(['loadstart', 'play', 'pause'], showPlaying);
  player.on('timeupdate', () => {
    const playing = currentEpisode();
    if (!playing) return;
    const item = items.get(playing.id);
    const duration = player.duration() || playing.duration;
    if (item)
      item.playhead.style.left = `${Math.min(100, (player.currentTime() / duration) * 100)}%`;
  });

  const first = byId.get(params.get('episode')) ?? series.episodes[0];
  const at = Number(params.get('t')) || 0;
  if (params.has('episode')) play(first, at);
  else player.src(sourceOf(first));
})();
