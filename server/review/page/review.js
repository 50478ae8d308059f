// EndCue review page (issue 21): titles least sure first, frames around the start, and the
// admin override set from a frame or a typed time. Plain DOM, no build step.
// The admin key is asked once and kept in sessionStorage (this tab only); a link may carry
// it as #key=... (a fragment never reaches the server or its logs), removed on load.

const KEY_STORE = 'endcue-admin-key';
const STRIP = [-6, -4, -2, -1, 0, 1, 2, 4, 6, 10];
const $ = (id) => document.getElementById(id);

const state = { items: [], selected: null, postStart: null, mediaErrors: new Map(), urls: [] };

function takeKeyFromUrl() {
  const match = /(?:^#|&)key=([^&]+)/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(KEY_STORE, decodeURIComponent(match[1]));
  history.replaceState(null, '', location.pathname + location.search);
}

function say(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

async function api(path, init = {}) {
  const key = sessionStorage.getItem(KEY_STORE);
  const headers = { ...(init.headers || {}) };
  if (key) headers.Authorization = `Bearer ${key}`;
  const res = await fetch(path, { ...init, headers });
  if (res.ok) return res;
  let error = { code: String(res.status), message: res.statusText };
  try {
    error = (await res.json()).error || error;
  } catch {}
  if (res.status === 401 || (res.status === 403 && error.code === 'forbidden'))
    askKey(error.message);
  const failure = new Error(error.message + (error.hint ? ` (${error.hint})` : ''));
  failure.code = error.code;
  throw failure;
}

function askKey(why) {
  $('key-form').hidden = false;
  $('forget').hidden = true;
  say(why || 'This server needs its admin key.', true);
  $('key').focus();
}

const secs = (s) => (s === null || s === undefined ? '—' : `${Number(s).toFixed(1)} s`);
const conf = (c) => (c === null || c === undefined ? '—' : c.toFixed(2));
const name = (item) => item.title || item.id;

async function loadList() {
  // Every title, 1000 a page (the route's most).
  const items = [];
  let total = 0;
  do {
    const res = await api(`/v1/titles?sort=confidence&order=asc&limit=1000&offset=${items.length}`);
    const page = await res.json();
    total = page.total;
    items.push(...page.items);
    if (page.items.length === 0) break;
  } while (items.length < total);
  state.items = items;
  renderList();
  say(`${total} title${total === 1 ? '' : 's'}.`);
  $('forget').hidden = !sessionStorage.getItem(KEY_STORE);
  $('key-form').hidden = true;
}

function statusText(item) {
  const media = state.mediaErrors.get(item.id);
  if (media) return `media error: ${media.code}`;
  if (item.status === 'failed' && item.error) return `failed: ${item.error.code}`;
  return item.status;
}

/** The whole message, for the detail and the list cell's tooltip. */
function errorText(item) {
  const media = state.mediaErrors.get(item.id);
  if (media) return `${media.code}: ${media.message}`;
  return item.status === 'failed' && item.error ? `${item.error.code}: ${item.error.message}` : '';
}

function renderList() {
  const body = $('titles').tBodies[0];
  body.replaceChildren(
    ...state.items.map((item) => {
      const row = document.createElement('tr');
      row.dataset.id = item.id;
      if (state.selected === item.id) row.setAttribute('aria-current', 'true');
      const open = document.createElement('button');
      open.type = 'button';
      open.textContent = name(item);
      open.addEventListener('click', () => select(item.id));
      const cells = [
        rowThumb(item),
        open,
        statusText(item),
        secs(item.creditsStart),
        conf(item.confidence),
        item.source || '—',
      ];
      for (const content of cells) {
        const cell = document.createElement('td');
        cell.append(content);
        row.append(cell);
      }
      if (errorText(item)) {
        row.cells[2].classList.add('error');
        row.cells[2].title = errorText(item);
      }
      return row;
    }),
  );
}

// A small picture at each title's start, fetched when its row is in view: a title whose
// media vanished or cannot be decoded shows so in the list without being opened.
const rowThumbs = new Map(); // id -> blob URL | 'loading' | 'error'
const inView = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    inView.unobserve(entry.target);
    loadRowThumb(entry.target);
  }
});

function rowThumb(item) {
  const img = document.createElement('img');
  img.alt = '';
  img.className = 'row-thumb';
  img.width = 96;
  img.dataset.id = item.id;
  img.dataset.t = String(Math.round((item.creditsStart ?? 0) * 10) / 10);
  const known = rowThumbs.get(item.id);
  if (known?.startsWith('blob:')) img.src = known;
  else if (!known) inView.observe(img);
  return img;
}

async function loadRowThumb(img) {
  const id = img.dataset.id;
  rowThumbs.set(id, 'loading');
  try {
    const res = await api(`/v1/titles/${encodeURIComponent(id)}/thumbs/${img.dataset.t}.jpg`);
    const url = URL.createObjectURL(await res.blob());
    rowThumbs.set(id, url);
    for (const shown of document.querySelectorAll('img.row-thumb')) {
      if (shown.dataset.id === id) shown.src = url;
    }
  } catch (error) {
    rowThumbs.set(id, 'error');
    if (error.code !== 'invalid-input') mediaError(id, error);
  }
}

function mediaError(id, error) {
  if (state.mediaErrors.has(id)) return;
  state.mediaErrors.set(id, { code: error.code, message: error.message });
  const item = state.items.find((i) => i.id === id);
  const row = [...$('titles').tBodies[0].rows].find((r) => r.dataset.id === id);
  if (item && row) {
    row.cells[2].textContent = statusText(item);
    row.cells[2].title = errorText(item);
    row.cells[2].classList.add('error');
  }
  if (item && state.selected === id) renderAnswer(item);
}

function renderAnswer(item) {
  const post = item.postCredits
    ? `${secs(item.postCredits.start)} – ${secs(item.postCredits.end)}`
    : '—';
  const start =
    item.creditsStart === null && item.source === 'manual' ? 'no credits' : secs(item.creditsStart);
  const rows = [
    ['Start', start],
    ['End', secs(item.creditsEnd)],
    ['Post-credits', post],
    ['Confidence', conf(item.confidence)],
    ['Source', item.source || '—'],
    ['Status', statusText(item)],
  ];
  $('answer').replaceChildren(
    ...rows.flatMap(([term, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      dd.dataset.field = term.toLowerCase();
      return [dt, dd];
    }),
  );
  $('detail-error').textContent = errorText(item);
}

function select(id) {
  const item = state.items.find((i) => i.id === id);
  if (!item) return;
  state.selected = id;
  state.postStart = null;
  $('detail').hidden = false;
  $('detail-heading').textContent = name(item);
  renderAnswer(item);
  renderList();
  const centre = item.creditsStart ?? 0;
  $('centre').value = String(Math.round(centre));
  $('time').value = item.creditsStart === null ? '' : String(item.creditsStart);
  showFrames(centre, item.creditsStart);
  loadPlayer(item);
}

async function loadPlayer(item) {
  const video = $('player');
  video.removeAttribute('src');
  video.load();
  $('player-note').textContent = '';
  try {
    const res = await api(`/v1/titles/${encodeURIComponent(item.id)}/media-url`);
    const { url } = await res.json();
    if (state.selected === item.id) video.src = url;
  } catch (error) {
    $('player-note').textContent = `Cannot play: ${error.message}`;
  }
}

function playBefore() {
  const item = state.items.find((i) => i.id === state.selected);
  const video = $('player');
  if (!item || !video.src) return;
  const from = item.creditsStart ?? Number.parseFloat($('centre').value) ?? 0;
  video.currentTime = Math.max(0, from - 5);
  video.play().catch(() => {});
}

function showFrames(centre, start) {
  for (const url of state.urls) URL.revokeObjectURL(url);
  state.urls = [];
  const id = state.selected;
  const times = [...new Set(STRIP.map((d) => Math.max(0, Math.round((centre + d) * 10) / 10)))];
  $('strip').replaceChildren(
    ...times.map((t) => {
      const frame = document.createElement('button');
      frame.type = 'button';
      frame.className = 'frame';
      frame.setAttribute('aria-pressed', 'false');
      if (start !== null && t === Math.round(start * 10) / 10) frame.classList.add('start');
      const img = document.createElement('img');
      img.alt = `Frame at ${t.toFixed(1)} s`;
      img.width = 240;
      const label = document.createElement('span');
      label.textContent = `${t.toFixed(1)} s`;
      frame.append(img, label);
      frame.addEventListener('click', () => {
        for (const other of $('strip').children) other.setAttribute('aria-pressed', 'false');
        frame.setAttribute('aria-pressed', 'true');
        $('time').value = String(t);
        if ($('player').src) {
          $('player').pause();
          $('player').currentTime = t;
        }
        $('time').focus();
      });
      loadThumb(id, t, img, frame);
      return frame;
    }),
  );
}

async function loadThumb(id, t, img, frame) {
  try {
    const res = await api(`/v1/titles/${encodeURIComponent(id)}/thumbs/${t}.jpg`);
    const url = URL.createObjectURL(await res.blob());
    state.urls.push(url);
    img.src = url;
  } catch (error) {
    frame.disabled = true;
    img.alt = `No frame at ${t.toFixed(1)} s: ${error.message}`;
    if (error.code !== 'invalid-input') mediaError(id, error); // else: past the end
  }
}

function overrideBody(item, action, t) {
  let start = item.creditsStart;
  let end = item.creditsEnd;
  let post = item.postCredits;
  if (action === 'none') return { creditsStart: null };
  if (action === 'start') {
    start = t;
    if (end !== null && end < t) end = null;
  } else if (start === null) {
    throw new Error('Set the start first.');
  } else if (action === 'end') {
    if (t < start) throw new Error('The end must not be before the start.');
    end = t;
  } else if (action === 'post-end') {
    const from = state.postStart ?? post?.start;
    if (from === undefined || from === null) throw new Error('Set the post-credits start first.');
    if (t <= from) throw new Error('The post-credits end must be after its start.');
    post = { start: from, end: t };
  }
  if (post && post.start < (end ?? start)) post = null; // no longer after the credits
  return { creditsStart: start, creditsEnd: end, postCredits: post };
}

async function act(action) {
  const item = state.items.find((i) => i.id === state.selected);
  if (!item) return;
  const t = Number.parseFloat($('time').value);
  const needsTime = !['none', 'clear'].includes(action);
  if (needsTime && !(t >= 0)) return say('Type a time in seconds or choose a frame first.', true);
  if (action === 'post-start') {
    state.postStart = t;
    return say(`Post-credits start ${secs(t)}: now set its end.`);
  }
  try {
    if (action === 'clear') {
      await api(`/v1/titles/${encodeURIComponent(item.id)}/credits`, { method: 'DELETE' });
    } else {
      await api(`/v1/titles/${encodeURIComponent(item.id)}/credits`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(overrideBody(item, action, t)),
      });
    }
    state.postStart = null;
    await loadList();
    const fresh = state.items.find((i) => i.id === item.id);
    if (fresh) renderAnswer(fresh);
    say(action === 'clear' ? `Override of ${name(item)} removed.` : `Saved for ${name(item)}.`);
  } catch (error) {
    say(`Not saved: ${error.message}`, true);
  }
}

function init() {
  takeKeyFromUrl();
  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORE, $('key').value.trim());
    $('key').value = '';
    loadList().catch((error) => say(error.message, true));
  });
  $('forget').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORE);
    askKey('Key forgotten.');
  });
  for (const button of document.querySelectorAll('[data-set]')) {
    button.addEventListener('click', () => act(button.dataset.set));
  }
  $('play-before').addEventListener('click', playBefore);
  $('use-current').addEventListener('click', () => {
    $('time').value = String(Math.round($('player').currentTime * 10) / 10);
    $('time').focus();
  });
  $('show-frames').addEventListener('click', () => {
    const item = state.items.find((i) => i.id === state.selected);
    const centre = Number.parseFloat($('centre').value);
    if (item && centre >= 0) showFrames(centre, item.creditsStart);
  });
  loadList().catch((error) => say(error.message, true));
}

init();
