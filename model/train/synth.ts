/**
 * Synthetic training frames rendered with ffmpeg drawtext (@fontsource fonts from
 * node_modules): closing credits the stills lack (rolls, crawls, name cards, two-column
 * lists, credits over dimmed/blurred picture, coloured, Latin/Japanese/Arabic) and the hard
 * negatives that fool a stills-only model (subtitles, signs, titles and opening credits over
 * picture, dark scenes, letterboxing) plus 'blank' frames (black, fades, flat colour).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ffmpegScaleFilter } from '../../server/detector/preprocess.js';
import { RAW_OUT } from './ffmpeg-frames.js';
import { between, intBetween, pick, type Rng } from './rng.js';

export type Label = 'credits' | 'other' | 'blank';

export interface SynthSpec {
  id: string;
  kind: string;
  label: Label;
  /** ffmpeg args producing exactly one rgb24 frame on stdout. */
  args: string[];
}

const require = createRequire(import.meta.url);

function fontDir(pkg: string): string {
  return path.join(path.dirname(require.resolve(`@fontsource/${pkg}/package.json`)), 'files');
}

function latinFonts(): string[] {
  const out: string[] = [];
  const families = [
    'dejavu-sans',
    'noto-sans',
    'lato',
    'oswald',
    'bebas-neue',
    'courier-prime',
    'libre-baskerville',
    'playfair-display',
    'roboto-condensed',
    'roboto-mono',
  ];
  for (const family of families) {
    for (const weight of [400, 700]) {
      const file = path.join(fontDir(family), `${family}-latin-${weight}-normal.woff`);
      if (existsSync(file)) out.push(file);
    }
  }
  return out;
}

const FIRST =
  `Anna Ben Carla David Elena Frank Grace Hiro Ines Jonas Karin Liam Maya Noah Olga Pablo
Quinn Rosa Sam Tara Umar Vera Will Xenia Yusuf Zoe Marco Giulia Pierre Amelie Lars Sofia Tomas Ewa
Rahul Priya Chen Mei Kofi Ama Diego Lucia Sean Niamh Ivan Nadia`.split(/\s+/);
const LAST = `Smith Rossi Muller Dubois Novak Tanaka Garcia Kowalski Jensen Silva Okafor Kim Chen
Nakamura Larsen Moreau Fischer Bianchi Horvath Andersen Costa Lindqvist Petrov Murphy Walsh Cohen
Haddad Mensah Ortiz Romano Schmidt Weber Yamamoto Zhang Kovacs Berg Hughes Fontaine Varga Eriksen`.split(
  /\s+/,
);
const ROLES =
  `Directed by|Written by|Produced by|Executive Producer|Director of Photography|Edited by
|Music by|Production Designer|Costume Designer|Casting by|Sound Designer|Visual Effects Supervisor
|Art Director|Animation Director|Lead Animator|Character Design|Storyboard Artist|Compositor
|Gaffer|Key Grip|Script Supervisor|Line Producer|Colorist|Re-recording Mixer|Stunt Coordinator
|Makeup Artist|Location Manager|Assistant Director|Camera Operator|Boom Operator|Foley Artist
|Production Coordinator|Technical Director|Lighting|Rigging|Layout|Matte Painter`
    .split('|')
    .map((s) => s.trim());
const HEADINGS = `CAST|CREW|MUSIC|SPECIAL THANKS|PRODUCTION|ANIMATION|VISUAL EFFECTS|SOUNDTRACK
|IN MEMORY OF|ADDITIONAL VOICES|STUNTS|CAMERA DEPARTMENT|ART DEPARTMENT`
  .split('|')
  .map((s) => s.trim());
const JP_NAMES =
  `山田 太郎|佐藤 花子|鈴木 一郎|高橋 美咲|田中 健|伊藤 さくら|渡辺 翔|中村 愛|小林 大輔|加藤 由美`.split(
    '|',
  );
const JP_ROLES =
  `監督|脚本|製作|音楽|撮影|編集|美術|原作|声の出演|作画監督|プロデューサー|キャスト`.split('|');
const AR_NAMES =
  `محمد علي|فاطمة حسن|أحمد خالد|ليلى سعيد|يوسف عمر|مريم نور|عمر فاروق|سارة منصور`.split('|');
const AR_ROLES = `إخراج|تأليف|إنتاج|موسيقى|تصوير|مونتاج|بطولة|شكر خاص`.split('|');
const TITLES =
  `THE LAST JOURNEY|Chapter One|NIGHTFALL|Part II|The Return|EPISODE 4|WINTER|Coming Soon
|A New Hope|THE END?|Prologue|Ten Years Later|Paris, 1968|BREAKING NEWS|OPEN|EXIT|HOTEL|POLICE
|Welcome to Springfield|Route 66|SALE 50%|CAFE|Level 3|GAME OVER|Press Start|Previously on...`
    .split('|')
    .map((s) => s.trim());
const SUBTITLES = `I told you we should have left earlier.|Where are you going?|Don't look back.
|We have to find him before dark.|- Is anyone there?|- I'm right here.|That's not what I meant.
|You never listen to me!|Come on, hurry up!|It was the only way.|[door creaks]|What happened here?`
  .split('|')
  .map((s) => s.trim());

function personName(rng: Rng): string {
  return `${pick(rng, FIRST)} ${pick(rng, LAST)}`;
}

interface Canvas {
  w: number;
  h: number;
}

const CANVASES: Canvas[] = [
  { w: 640, h: 360 },
  { w: 640, h: 360 },
  { w: 480, h: 360 },
  { w: 640, h: 272 },
  { w: 360, h: 640 },
];

const TEXT_COLOURS = [
  'white',
  'white',
  'white',
  '#e8e8e8',
  '#f0e6c8',
  '#ffd700',
  '#c0c0c0',
  '#a8d8ff',
];
const DARK_BG = ['black', 'black', 'black', '#101018', '#1a0a0a', '#0a1a2a', '#202020', '#1b1030'];

export interface SynthContext {
  /** Folder for text files drawtext reads (avoids escaping). */
  workDir: string;
  /** Content pictures (training split only) used as backgrounds. */
  pictures: string[];
  inputSize: number;
}

/** drawtext reading its text from a file: no escaping trouble with quotes or colons. */
function drawtext(
  ctx: SynthContext,
  id: string,
  text: string,
  opts: { font: string; size: number; colour: string; x: string; y: string; extra?: string },
): string {
  const file = path.join(ctx.workDir, `${id}.txt`);
  writeFileSync(file, text);
  const parts = [
    `fontfile='${opts.font}'`,
    `textfile='${file}'`,
    `fontsize=${Math.round(opts.size)}`,
    `fontcolor=${opts.colour}`,
    `x=${opts.x}`,
    `y=${opts.y}`,
  ];
  if (opts.extra) parts.push(opts.extra);
  return `drawtext=${parts.join(':')}`;
}

function background(
  ctx: SynthContext,
  rng: Rng,
  canvas: Canvas,
  mode: 'dark' | 'light' | 'dimmed-picture' | 'picture' | 'dark-picture',
): { input: string[]; chain: string[] } {
  const size = `${canvas.w}x${canvas.h}`;
  if (mode === 'dark' || mode === 'light') {
    const colour =
      mode === 'dark' ? pick(rng, DARK_BG) : pick(rng, ['white', '#f4f1ea', '#dfe8f0']);
    return { input: ['-f', 'lavfi', '-i', `color=c=${colour}:s=${size}:d=1`], chain: [] };
  }
  const picture = pick(rng, ctx.pictures);
  const chain = [`scale=${canvas.w}:${canvas.h}`, 'setsar=1'];
  if (mode === 'dimmed-picture') {
    chain.push(`gblur=sigma=${between(rng, 2, 14).toFixed(1)}`);
    chain.push(
      `eq=brightness=${between(rng, -0.45, -0.2).toFixed(2)}:saturation=${between(rng, 0.2, 0.8).toFixed(2)}`,
    );
  } else if (mode === 'dark-picture') {
    chain.push(
      `eq=brightness=${between(rng, -0.5, -0.25).toFixed(2)}:contrast=${between(rng, 0.6, 1).toFixed(2)}`,
    );
  }
  return { input: ['-loop', '1', '-i', picture], chain };
}

function finish(ctx: SynthContext, input: string[], chain: string[]): string[] {
  chain.push(ffmpegScaleFilter(ctx.inputSize));
  return [...input, '-frames:v', '1', '-vf', chain.join(','), ...RAW_OUT];
}

type Maker = (ctx: SynthContext, rng: Rng, id: string) => Omit<SynthSpec, 'id'>;

const rollLines = (rng: Rng, n: number): string[] =>
  Array.from({ length: n }, () => (rng() < 0.12 ? `\n${pick(rng, HEADINGS)}` : personName(rng)));

/** A snapshot of a rolling credit list (one or two columns), any vertical offset. */
const roll: Maker = (ctx, rng, id) => {
  const canvas = pick(rng, CANVASES);
  const bg = background(ctx, rng, canvas, rng() < 0.8 ? 'dark' : 'dimmed-picture');
  const font = pick(rng, latinFonts());
  const size = between(rng, 8, 17) * (canvas.h / 360);
  const colour = pick(rng, TEXT_COLOURS);
  const lines = Math.ceil((canvas.h / size) * 1.3);
  const spacing = Math.round(size * between(rng, 0.3, 0.9));
  const y = `${Math.round(-between(rng, 0, 0.5) * canvas.h)}`;
  const chain = [...bg.chain];
  if (rng() < 0.55) {
    const roles = Array.from({ length: lines }, () => pick(rng, ROLES)).join('\n');
    const names = rollLines(rng, lines).join('\n');
    const gap = Math.round(size * between(rng, 0.8, 2));
    chain.push(
      drawtext(ctx, `${id}-a`, roles, {
        font,
        size,
        colour,
        x: `w/2-tw-${gap}`,
        y,
        extra: `line_spacing=${spacing}`,
      }),
      drawtext(ctx, `${id}-b`, names, {
        font,
        size,
        colour,
        x: `w/2+${gap}`,
        y,
        extra: `line_spacing=${spacing}`,
      }),
    );
  } else {
    const text = rollLines(rng, lines).join('\n');
    const x = rng() < 0.7 ? '(w-tw)/2' : `${Math.round(between(rng, 0.05, 0.5) * canvas.w)}`;
    chain.push(
      drawtext(ctx, `${id}-a`, text, {
        font,
        size,
        colour,
        x,
        y,
        extra: `line_spacing=${spacing}`,
      }),
    );
  }
  return { kind: 'roll', label: 'credits', args: finish(ctx, bg.input, chain) };
};

/** A name card: role + one to three names, centred or lower third, static on a plain ground. */
const nameCard: Maker = (ctx, rng, id) => {
  const canvas = pick(rng, CANVASES);
  const mode = rng() < 0.7 ? 'dark' : rng() < 0.5 ? 'light' : 'dimmed-picture';
  const bg = background(ctx, rng, canvas, mode);
  const font = pick(rng, latinFonts());
  const colour =
    mode === 'light' ? pick(rng, ['black', '#202040', '#303030']) : pick(rng, TEXT_COLOURS);
  const big = between(rng, 14, 34) * (canvas.h / 360);
  const small = big * between(rng, 0.5, 0.8);
  const names = Array.from({ length: intBetween(rng, 1, 3) }, () => personName(rng)).join('\n');
  const cy = between(rng, 0.3, 0.6);
  const chain = [
    ...bg.chain,
    drawtext(ctx, `${id}-r`, pick(rng, ROLES), {
      font,
      size: small,
      colour,
      x: '(w-tw)/2',
      y: `h*${cy.toFixed(2)}-${Math.round(small * 1.8)}`,
    }),
    drawtext(ctx, `${id}-n`, rng() < 0.5 ? names.toUpperCase() : names, {
      font,
      size: big,
      colour,
      x: '(w-tw)/2',
      y: `h*${cy.toFixed(2)}`,
      extra: `line_spacing=${Math.round(big * 0.4)}`,
    }),
  ];
  return { kind: 'name-card', label: 'credits', args: finish(ctx, bg.input, chain) };
};

/** Credits in Japanese or Arabic (two columns or a card). */
const nonLatin: Maker = (ctx, rng, id) => {
  const canvas = pick(rng, CANVASES.slice(0, 4));
  const bg = background(ctx, rng, canvas, rng() < 0.8 ? 'dark' : 'dimmed-picture');
  const jp = rng() < 0.55;
  const font = jp
    ? path.join(fontDir('noto-sans-jp'), 'noto-sans-jp-japanese-400-normal.woff2')
    : path.join(fontDir('noto-sans-arabic'), 'noto-sans-arabic-arabic-400-normal.woff');
  const names = jp ? JP_NAMES : AR_NAMES;
  const roles = jp ? JP_ROLES : AR_ROLES;
  const size = between(rng, 9, 22) * (canvas.h / 360);
  const n = Math.max(1, Math.floor(between(rng, 0.15, 0.8) * (canvas.h / (size * 1.6))));
  const colour = pick(rng, TEXT_COLOURS);
  const y = `(h-th)/2+${Math.round(between(rng, -0.2, 0.2) * canvas.h)}`;
  const spacing = `line_spacing=${Math.round(size * 0.6)}`;
  const chain = [
    ...bg.chain,
    drawtext(ctx, `${id}-a`, Array.from({ length: n }, () => pick(rng, roles)).join('\n'), {
      font,
      size,
      colour,
      x: 'w/2-tw-20',
      y,
      extra: spacing,
    }),
    drawtext(ctx, `${id}-b`, Array.from({ length: n }, () => pick(rng, names)).join('\n'), {
      font,
      size,
      colour,
      x: 'w/2+20',
      y,
      extra: spacing,
    }),
  ];
  return {
    kind: jp ? 'credits-jp' : 'credits-ar',
    label: 'credits',
    args: finish(ctx, bg.input, chain),
  };
};

/** A crawl: small monospace/yellow lines, a block low or high on black (Star-Wars-like, flat). */
const crawl: Maker = (ctx, rng, id) => {
  const canvas = pick(rng, CANVASES.slice(0, 4));
  const bg = background(ctx, rng, canvas, 'dark');
  const font = pick(rng, latinFonts());
  const size = between(rng, 7, 12) * (canvas.h / 360);
  const lines = intBetween(rng, 4, 14);
  const text = Array.from({ length: lines }, () => `${pick(rng, ROLES)} - ${personName(rng)}`).join(
    '\n',
  );
  const chain = [
    ...bg.chain,
    drawtext(ctx, `${id}-a`, text, {
      font,
      size,
      colour: pick(rng, ['#ffd700', '#ffe066', 'white', '#80ff80']),
      x: '(w-tw)/2',
      y: `${Math.round(between(rng, 0.05, 0.8) * canvas.h)}`,
      extra: `line_spacing=${Math.round(size * 0.5)}`,
    }),
  ];
  return { kind: 'crawl', label: 'credits', args: finish(ctx, bg.input, chain) };
};

/** Burned-in subtitles over ordinary picture. */
const subtitle: Maker = (ctx, rng, id) => {
  const canvas = pick(rng, CANVASES.slice(0, 4));
  const bg = background(ctx, rng, canvas, rng() < 0.7 ? 'picture' : 'dark-picture');
  const font = pick(rng, latinFonts());
  const size = between(rng, 12, 22) * (canvas.h / 360);
  const text =
    rng() < 0.5 ? pick(rng, SUBTITLES) : `${pick(rng, SUBTITLES)}\n${pick(rng, SUBTITLES)}`;
  const boxed = rng() < 0.3;
  const chain = [
    ...bg.chain,
    drawtext(ctx, `${id}-s`, text, {
      font,
      size,
      colour: pick(rng, ['white', 'white', '#ffff80']),
      x: '(w-tw)/2',
      y: `h-th-${Math.round(between(rng, 0.04, 0.12) * canvas.h)}`,
      extra: boxed
        ? 'box=1:boxcolor=black@0.6:boxborderw=4'
        : `borderw=${intBetween(rng, 1, 3)}:bordercolor=black`,
    }),
  ];
  return { kind: 'subtitle', label: 'other', args: finish(ctx, bg.input, chain) };
};

/** Text that belongs to the story: signs, titles, opening credits and captions over picture. */
const textOverPicture: Maker = (ctx, rng, id) => {
  const canvas = pick(rng, CANVASES);
  const bg = background(ctx, rng, canvas, rng() < 0.75 ? 'picture' : 'dark-picture');
  const font = pick(rng, latinFonts());
  const opening = rng() < 0.4;
  const text = opening
    ? `${pick(rng, ['a film by', 'presents', 'starring', 'music by', 'in association with'])}\n${personName(rng)}`
    : pick(rng, TITLES);
  const size = between(rng, 14, 48) * (canvas.h / 360);
  const chain = [
    ...bg.chain,
    drawtext(ctx, `${id}-t`, rng() < 0.4 ? text.toUpperCase() : text, {
      font,
      size,
      colour: pick(rng, ['white', '#ffd700', '#ff4040', '#40c0ff', 'black']),
      x: `${between(rng, 0.05, 0.5).toFixed(2)}*(w-tw)+(w-tw)*${between(rng, 0, 0.5).toFixed(2)}`,
      y: `${between(rng, 0.05, 0.85).toFixed(2)}*(h-th)`,
      extra:
        rng() < 0.4
          ? `box=1:boxcolor=${pick(rng, ['black@0.5', 'white@0.7', '#204080@0.8'])}:boxborderw=6`
          : `borderw=${intBetween(rng, 0, 2)}`,
    }),
  ];
  return {
    kind: opening ? 'opening-over-picture' : 'sign-title',
    label: 'other',
    args: finish(ctx, bg.input, chain),
  };
};

/** Plain story frames: darkened (night), letterboxed/pillarboxed, or as is. */
const plainPicture: Maker = (ctx, rng) => {
  const canvas = pick(rng, CANVASES.slice(0, 4));
  const r = rng();
  const bg = background(ctx, rng, canvas, r < 0.5 ? 'dark-picture' : 'picture');
  const chain = [...bg.chain];
  let kind = r < 0.5 ? 'dark-scene' : 'picture';
  if (rng() < 0.5) {
    const bar = Math.round(canvas.h * between(rng, 0.08, 0.2));
    chain.push(
      `crop=${canvas.w}:${canvas.h - 2 * bar}`,
      `pad=${canvas.w}:${canvas.h}:0:${bar}:black`,
    );
    kind += '-letterbox';
  }
  return { kind, label: 'other', args: finish(ctx, bg.input, chain) };
};

/** Neutral frames: black, noisy near-black, fade-to-black of a picture, flat colours. */
const blank: Maker = (ctx, rng) => {
  const canvas = pick(rng, CANVASES.slice(0, 4));
  const r = rng();
  if (r < 0.4) {
    const bg = background(ctx, rng, canvas, 'picture');
    const chain = [
      ...bg.chain,
      `colorlevels=romax=${between(rng, 0.01, 0.07).toFixed(3)}:gomax=0.04:bomax=0.05`,
    ];
    if (rng() < 0.5) chain.push(`noise=alls=${intBetween(rng, 2, 8)}:allf=t`);
    return { kind: 'fade', label: 'blank', args: finish(ctx, bg.input, chain) };
  }
  const colour =
    r < 0.8
      ? pick(rng, ['black', 'black', '#050505', '#0a0a0a', '#101010'])
      : pick(rng, ['white', '#808080', '#203040', '#400000']);
  const bg = background(ctx, rng, canvas, 'dark');
  bg.input[bg.input.length - 1] = `color=c=${colour}:s=${canvas.w}x${canvas.h}:d=1`;
  const chain = rng() < 0.5 ? [`noise=alls=${intBetween(rng, 2, 10)}:allf=t`] : [];
  return { kind: 'flat', label: 'blank', args: finish(ctx, bg.input, chain) };
};

const PHRASES =
  `THIS SUMMER|IN A WORLD|ONE RABBIT|NO ESCAPE|Based on a true story|From the creators of
|THE ADVENTURE BEGINS|Everything changes|COMING SOON|NOW PLAYING|Only in cinemas|EARTH, 2157|ACT ONE
|Three days earlier|THE END OF AN ERA|Rated PG-13|HIGH SCORES|LOADING...|Chapter 7: The Storm|INTERMISSION`
    .split('|')
    .map((s) => s.trim());

/** Trailer text cards and intertitles: a short phrase, no names, on a plain ground. */
const textCard: Maker = (ctx, rng, id) => {
  const canvas = pick(rng, CANVASES.slice(0, 4));
  const mode = rng() < 0.6 ? 'light' : 'dark';
  const bg = background(ctx, rng, canvas, mode);
  if (mode === 'light' && rng() < 0.5) {
    bg.input[bg.input.length - 1] =
      `color=c=${pick(rng, ['#f0f0f0', '#fff8e0', '#e0f0ff', '#ffe0e0', '#203060', '#602020'])}:s=${canvas.w}x${canvas.h}:d=1`;
  }
  const font = pick(rng, latinFonts());
  const size = between(rng, 22, 52) * (canvas.h / 360);
  const text = pick(rng, PHRASES);
  const chain = [
    ...bg.chain,
    drawtext(ctx, `${id}-t`, rng() < 0.6 ? text.toUpperCase() : text, {
      font,
      size,
      colour:
        mode === 'light'
          ? pick(rng, ['#2050c0', '#202020', '#c03030', '#306030', 'white'])
          : pick(rng, ['white', '#ffd700', '#ff6040']),
      x: '(w-tw)/2',
      y: `(h-th)/2+${Math.round(between(rng, -0.15, 0.15) * canvas.h)}`,
    }),
  ];
  return { kind: 'text-card', label: 'other', args: finish(ctx, bg.input, chain) };
};

/** Game/score tables: rank, name, number columns (in-story lists of names, not credits). */
const scoreTable: Maker = (ctx, rng, id) => {
  const canvas = pick(rng, CANVASES.slice(0, 4));
  const bg = background(ctx, rng, canvas, rng() < 0.8 ? 'dark' : 'dimmed-picture');
  const font = pick(rng, latinFonts());
  const size = between(rng, 10, 20) * (canvas.h / 360);
  const rows = intBetween(rng, 5, 12);
  const ord = [
    '1ST',
    '2ND',
    '3RD',
    '4TH',
    '5TH',
    '6TH',
    '7TH',
    '8TH',
    '9TH',
    '10TH',
    '11TH',
    '12TH',
  ];
  const names = Array.from(
    { length: rows },
    (_, k) =>
      `${ord[k]}  ${rng() < 0.5 ? pick(rng, FIRST).toUpperCase().slice(0, 3) : pick(rng, FIRST).toUpperCase()}`,
  );
  const scores = Array.from({ length: rows }, (_, k) =>
    String(Math.round(999999 / (k + 1 + rng()))).padStart(7, '0'),
  );
  const colour = pick(rng, ['white', '#ffd700', '#40ff40', '#ff4040', '#40c0ff']);
  const spacing = `line_spacing=${Math.round(size * 0.5)}`;
  const y = `${Math.round(between(rng, 0.1, 0.3) * canvas.h)}`;
  const chain = [
    ...bg.chain,
    drawtext(
      ctx,
      `${id}-h`,
      pick(rng, ['HIGH SCORES', 'TOP PLAYERS', 'RANKING', 'LEADERBOARD', 'BEST TIMES']),
      { font, size: size * 1.4, colour, x: '(w-tw)/2', y: `${Math.round(0.04 * canvas.h)}` },
    ),
    drawtext(ctx, `${id}-a`, names.join('\n'), {
      font,
      size,
      colour,
      x: 'w*0.2',
      y,
      extra: spacing,
    }),
    drawtext(ctx, `${id}-b`, scores.join('\n'), {
      font,
      size,
      colour,
      x: 'w*0.6',
      y,
      extra: spacing,
    }),
  ];
  return { kind: 'score-table', label: 'other', args: finish(ctx, bg.input, chain) };
};

/** Presentation slides: a title, bullet lines and a picture block on a light ground. */
const slide: Maker = (ctx, rng, id) => {
  const canvas = pick(rng, CANVASES.slice(0, 2));
  const bg = background(ctx, rng, canvas, 'light');
  const font = pick(rng, latinFonts());
  const size = between(rng, 9, 16) * (canvas.h / 360);
  const bullets = Array.from(
    { length: intBetween(rng, 3, 7) },
    () => `- ${pick(rng, SUBTITLES)}`,
  ).join('\n');
  const colour = pick(rng, ['black', '#202060', '#303030']);
  const chain = [
    ...bg.chain,
    `drawbox=x=0:y=0:w=iw:h=ih*0.14:color=${pick(rng, ['#204080', '#802020', '#206040', '#404040'])}:t=fill`,
    drawtext(ctx, `${id}-h`, pick(rng, TITLES), {
      font,
      size: size * 1.6,
      colour: 'white',
      x: 'w*0.04',
      y: 'h*0.03',
    }),
    drawtext(ctx, `${id}-b`, bullets, {
      font,
      size,
      colour,
      x: 'w*0.05',
      y: 'h*0.22',
      extra: `line_spacing=${Math.round(size * 0.6)}`,
    }),
  ];
  if (rng() < 0.6) {
    chain.push(
      `drawbox=x=iw*0.62:y=ih*0.25:w=iw*0.33:h=ih*0.5:color=${pick(rng, ['#80a0c0', '#c08040', '#60a060'])}:t=fill`,
    );
  }
  return { kind: 'slide', label: 'other', args: finish(ctx, bg.input, chain) };
};

/**
 * Closing credits over an ordinary (sharp) picture: a cast or crew list of several lines on
 * one side or in the middle of the frame, sometimes on a translucent panel (end credits over
 * the last scene, a freeze frame or a montage). Several lines of names is what sets these
 * apart from the opening credits over picture taught as `other` (one role, one name).
 */
const listOverPicture: Maker = (ctx, rng, id) => {
  const canvas = pick(rng, CANVASES.slice(0, 4));
  const bg = background(ctx, rng, canvas, rng() < 0.6 ? 'picture' : 'dark-picture');
  const font = pick(rng, latinFonts());
  const size = between(rng, 8, 15) * (canvas.h / 360);
  const lines = intBetween(rng, 4, 12);
  const colour = pick(rng, TEXT_COLOURS);
  const spacing = `line_spacing=${Math.round(size * between(rng, 0.3, 0.8))}`;
  const outline = `borderw=${intBetween(rng, 0, 2)}:bordercolor=black@0.7`;
  // Left third, right third or centred block; the two columns meet at `mid`.
  const mid = pick(rng, [0.3, 0.5, 0.7]) * canvas.w;
  const y = `${Math.round(between(rng, 0.08, 0.45) * canvas.h)}`;
  const chain = [...bg.chain];
  if (rng() < 0.3) {
    chain.push(
      `drawbox=x=${Math.round(mid - 0.28 * canvas.w)}:y=0:w=${Math.round(0.56 * canvas.w)}:h=ih:color=black@${between(rng, 0.3, 0.6).toFixed(2)}:t=fill`,
    );
  }
  const left = Array.from({ length: lines }, () =>
    rng() < 0.5 ? pick(rng, ROLES) : personName(rng),
  ).join('\n');
  const right = Array.from({ length: lines }, () => personName(rng)).join('\n');
  const gap = Math.round(size * between(rng, 0.6, 1.5));
  chain.push(
    drawtext(ctx, `${id}-a`, left, {
      font,
      size: size * between(rng, 0.7, 1),
      colour,
      x: `${Math.round(mid)}-tw-${gap}`,
      y,
      extra: `${spacing}:${outline}`,
    }),
    drawtext(ctx, `${id}-b`, rng() < 0.5 ? right.toUpperCase() : right, {
      font,
      size,
      colour,
      x: `${Math.round(mid)}+${gap}`,
      y,
      extra: `${spacing}:${outline}`,
    }),
  );
  return { kind: 'list-over-picture', label: 'credits', args: finish(ctx, bg.input, chain) };
};

/** Credits over sharp picture (`--over-picture N`; a set of its own, like the extra negatives). */
export const OVER_PICTURE_MAKERS: Record<string, { make: Maker; share: number }> = {
  listOverPicture: { make: listOverPicture, share: 1 },
};

/** Hard negatives added after the first model (kept apart so caches of the rest stay valid). */
export const EXTRA_MAKERS: Record<string, { make: Maker; share: number }> = {
  textCard: { make: textCard, share: 0.4 },
  scoreTable: { make: scoreTable, share: 0.3 },
  slide: { make: slide, share: 0.3 },
};

export const MAKERS: Record<string, { make: Maker; share: number }> = {
  roll: { make: roll, share: 0.16 },
  nameCard: { make: nameCard, share: 0.16 },
  nonLatin: { make: nonLatin, share: 0.06 },
  crawl: { make: crawl, share: 0.05 },
  subtitle: { make: subtitle, share: 0.12 },
  textOverPicture: { make: textOverPicture, share: 0.18 },
  plainPicture: { make: plainPicture, share: 0.15 },
  blank: { make: blank, share: 0.12 },
};

/** Deterministic list of `count` synthetic frame specs. */
export function synthSpecs(
  ctx: SynthContext,
  rng: Rng,
  count: number,
  makers: Record<string, { make: Maker; share: number }> = MAKERS,
): SynthSpec[] {
  mkdirSync(ctx.workDir, { recursive: true });
  const specs: SynthSpec[] = [];
  for (const [name, { make, share }] of Object.entries(makers)) {
    const n = Math.round(count * share);
    for (let i = 0; i < n; i++) {
      const id = `synth-${name}-${i}`;
      specs.push({ id, ...make(ctx, rng, id) });
    }
  }
  return specs;
}
