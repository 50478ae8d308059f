/**
 * Leave-one-clip-out figures for a decision parameter (PURE; `npm run eval:loco`, issue 17).
 *
 * Every title was scored once per value of the parameter's grid. For each title, the value is
 * chosen on the other titles alone: titles that share a clip with it (a join is made of two
 * clips; a clip is in every join made of it) are left out with it. The left-out title is
 * then scored with that value. Comparing those hits with the hits at the shipped default
 * shows how much of the default's score came from choosing it on the titles it is scored on.
 *
 * A value is chosen by most hits, then smallest mean absolute error, then the shipped
 * default, then the value nearest the default in grid order (the earlier one of two as near).
 */
import { isHit, type ScoredTitle, TOLERANCE_S } from './eval-scoring.js';

export interface LocoRow<V> {
  title: string;
  /** The clips the title is made of (a clip: itself; a join: its two clips). */
  groups: readonly string[];
  value: V;
  hit: boolean;
  /** Error used to break ties between values with as many hits (see `locoError`). */
  absError: number;
}

export interface LocoTitle<V> {
  title: string;
  /** The value chosen on the other titles (those sharing no clip with this one). */
  chosen: V;
  /** How many titles it was chosen on. */
  trainedOn: number;
  hitWithChosen: boolean;
  hitWithDefault: boolean;
}

export interface LocoResult<V> {
  defaultValue: V;
  titles: LocoTitle<V>[];
  /** Distinct values chosen, in grid order, with how many left-out titles chose each. */
  choices: Array<{ value: V; count: number }>;
  total: number;
  /** Hits with the shipped default on every title. */
  defaultHits: number;
  /** Hits with each title's own leave-one-clip-out choice. */
  locoHits: number;
  /** Titles right with the default and wrong with their LOCO choice (and the other way round). */
  lost: string[];
  gained: string[];
  /** The value chosen on all titles at once (what tuning on the whole part would pick). */
  chosenOnAll: V;
}

/** Errors above this count as this much (and a missing or spurious start as all of it). */
export const ERROR_CAP_S = 30;

/**
 * A title's error for breaking ties: 0 for "no credits" on a title without; the distance to
 * the nearest labelled start (alternative included), at most ERROR_CAP_S; ERROR_CAP_S for a
 * start missed or a start reported on a title without credits (unless near its alternative).
 */
export function locoError(title: ScoredTitle, predicted: number | null): number {
  const starts = [title.creditsStart, title.creditsStartAlt].filter(
    (s): s is number => typeof s === 'number',
  );
  if (predicted === null) return title.creditsStart === null ? 0 : ERROR_CAP_S;
  if (title.creditsStart === null && !isHit(title, predicted, TOLERANCE_S)) return ERROR_CAP_S;
  const nearest = Math.min(...starts.map((s) => Math.abs(predicted - s)));
  return Math.min(ERROR_CAP_S, nearest);
}

interface Score {
  hits: number;
  meanError: number;
}

/**
 * The value scoring best on `titles` (all of them when omitted): most hits, then smallest mean
 * error, then the default, then the nearest to the default in grid order. The default when
 * `titles` is empty.
 */
export function chooseValue<V>(
  rows: readonly LocoRow<V>[],
  grid: readonly V[],
  defaultValue: V,
  titles?: ReadonlySet<string>,
): V {
  const defaultIndex = indexIn(grid, defaultValue);
  const scores = grid.map((value): Score => {
    const picked = rows.filter(
      (r) => Object.is(r.value, value) && (titles === undefined || titles.has(r.title)),
    );
    const error = picked.reduce((acc, r) => acc + r.absError, 0);
    return {
      hits: picked.filter((r) => r.hit).length,
      meanError: picked.length ? error / picked.length : 0,
    };
  });
  let best = defaultIndex;
  for (let i = 0; i < grid.length; i++) {
    if (better(scores, i, best, defaultIndex)) best = i;
  }
  return grid[best] as V;
}

/** Whether grid value i beats grid value j (see `chooseValue`). */
function better(scores: readonly Score[], i: number, j: number, defaultIndex: number): boolean {
  const a = scores[i] as Score;
  const b = scores[j] as Score;
  if (a.hits !== b.hits) return a.hits > b.hits;
  if (Math.abs(a.meanError - b.meanError) > 1e-9) return a.meanError < b.meanError;
  if (j === defaultIndex) return false;
  if (i === defaultIndex) return true;
  const da = Math.abs(i - defaultIndex);
  const db = Math.abs(j - defaultIndex);
  return da !== db ? da < db : i < j;
}

/** Leave-one-clip-out over `rows`: one row per title per grid value. */
export function leaveOneClipOut<V>(
  rows: readonly LocoRow<V>[],
  grid: readonly V[],
  defaultValue: V,
): LocoResult<V> {
  indexIn(grid, defaultValue);
  if (new Set(grid).size !== grid.length) throw new Error('grid values must be distinct');
  const groups = new Map<string, ReadonlySet<string>>();
  for (const r of rows) {
    if (!groups.has(r.title)) groups.set(r.title, new Set([r.title, ...r.groups]));
  }
  const rowFor = new Map<string, LocoRow<V>>();
  for (const r of rows) {
    const key = `${r.title}\u0000${indexIn(grid, r.value)}`;
    if (rowFor.has(key)) throw new Error(`two rows for ${r.title} at ${String(r.value)}`);
    rowFor.set(key, r);
  }
  const names = [...groups.keys()];
  const row = (title: string, value: V): LocoRow<V> => {
    const found = rowFor.get(`${title}\u0000${indexIn(grid, value)}`);
    if (!found) throw new Error(`no row for ${title} at ${String(value)}`);
    return found;
  };
  for (const name of names) for (const value of grid) row(name, value);

  const titles = names.map((name): LocoTitle<V> => {
    const own = groups.get(name) as ReadonlySet<string>;
    const others = new Set(
      names.filter(
        (other) => ![...(groups.get(other) as ReadonlySet<string>)].some((g) => own.has(g)),
      ),
    );
    const chosen = chooseValue(rows, grid, defaultValue, others);
    return {
      title: name,
      chosen,
      trainedOn: others.size,
      hitWithChosen: row(name, chosen).hit,
      hitWithDefault: row(name, defaultValue).hit,
    };
  });
  const choices = grid
    .map((value) => ({ value, count: titles.filter((t) => Object.is(t.chosen, value)).length }))
    .filter((c) => c.count > 0);
  return {
    defaultValue,
    titles,
    choices,
    total: titles.length,
    defaultHits: titles.filter((t) => t.hitWithDefault).length,
    locoHits: titles.filter((t) => t.hitWithChosen).length,
    lost: titles.filter((t) => t.hitWithDefault && !t.hitWithChosen).map((t) => t.title),
    gained: titles.filter((t) => !t.hitWithDefault && t.hitWithChosen).map((t) => t.title),
    chosenOnAll: chooseValue(rows, grid, defaultValue),
  };
}

export interface ValueScore<V> {
  value: V;
  hits: number;
  meanError: number;
  /** Titles wrong with the default and right with this value, and the other way round. */
  gained: string[];
  lost: string[];
}

/** Every grid value scored on all titles, beside the default. */
export function scoreByValue<V>(
  rows: readonly LocoRow<V>[],
  grid: readonly V[],
  defaultValue: V,
): ValueScore<V>[] {
  indexIn(grid, defaultValue);
  const rightAtDefault = new Set(
    rows.filter((r) => Object.is(r.value, defaultValue) && r.hit).map((r) => r.title),
  );
  return grid.map((value) => {
    const at = rows.filter((r) => Object.is(r.value, value));
    return {
      value,
      hits: at.filter((r) => r.hit).length,
      meanError: at.length ? at.reduce((acc, r) => acc + r.absError, 0) / at.length : 0,
      gained: at.filter((r) => r.hit && !rightAtDefault.has(r.title)).map((r) => r.title),
      lost: at.filter((r) => !r.hit && rightAtDefault.has(r.title)).map((r) => r.title),
    };
  });
}

/**
 * The clips a title is made of: a join (`kind` 'real-join', named `<story>+<credits>` after the
 * two files without their extensions) is made of the two clips of its pair in `joins`
 * (paths as in bench/eval-split.json); any other title is its own clip.
 */
export function clipsOf(
  title: { name: string; kind: string },
  joins: ReadonlyArray<readonly [string, string]>,
): string[] {
  if (title.kind !== 'real-join') return [title.name];
  const base = (file: string) => (file.split('/').pop() ?? file).replace(/\.[^.]*$/, '');
  const file = (p: string) => p.split('/').pop() ?? p;
  const pair = joins.find(([story, credits]) => `${base(story)}+${base(credits)}` === title.name);
  if (!pair) throw new Error(`join ${title.name} is not in the split's joins`);
  return [file(pair[0]), file(pair[1])];
}

function indexIn<V>(grid: readonly V[], value: V): number {
  const i = grid.findIndex((g) => Object.is(g, value));
  if (i < 0) throw new Error(`${String(value)} is not in the grid`);
  return i;
}
