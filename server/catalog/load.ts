/**
 * Catalog files (JSON or YAML). Three shapes are accepted so hand-written files stay short:
 *   [{id, src, ...}, ...]            a list
 *   {titles: [{id, src, ...}, ...]}  a list under `titles`
 *   {titles: {id: {src, ...}, ...}}  a map by id (also accepted at the top level)
 * Optional `series` blocks group episodes: {series: {id: {episodes: [{id, src, season?, episode?}]}}}
 * where episodes without numbers are numbered in file order.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { EndcueError } from '../errors.js';
import { type Title, TitleIdSchema, TitleInputSchema } from './title.js';

const EntrySchema = TitleInputSchema.extend({ id: TitleIdSchema });
const MapValueSchema = z.union([TitleInputSchema, z.string().min(1)]);

const SeriesSchema = z.record(
  TitleIdSchema,
  z.object({
    title: z.string().optional(),
    episodes: z.array(TitleInputSchema.omit({ series: true }).extend({ id: TitleIdSchema })),
  }),
);

function fail(file: string, what: string): never {
  throw new EndcueError('invalid-input', `Catalog ${file}: ${what}`, {
    hint: 'Each title needs an id matching ^[A-Za-z0-9._-]{1,128}$ and a src (a path under a media root or an allow-listed http(s) URL).',
  });
}

function entriesFromMap(file: string, map: unknown): Title[] {
  if (typeof map !== 'object' || map === null) fail(file, '`titles` must be a list or a map');
  return Object.entries(map).map(([id, value]) => {
    if (!TitleIdSchema.safeParse(id).success) fail(file, `invalid title id "${id}"`);
    const parsed = MapValueSchema.safeParse(value);
    if (!parsed.success) fail(file, `title "${id}": ${parsed.error.issues[0]?.message}`);
    return typeof parsed.data === 'string' ? { id, src: parsed.data } : { id, ...parsed.data };
  });
}

function entriesFromList(file: string, list: unknown[]): Title[] {
  return list.map((value, index) => {
    const parsed = EntrySchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail(file, `entry ${index + 1} (${issue?.path.join('.') || 'entry'}): ${issue?.message}`);
    }
    return parsed.data;
  });
}

/** Parses catalog text; `file` names it in errors and picks YAML vs JSON by extension. */
export function parseCatalog(text: string, file = 'catalog'): Title[] {
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new EndcueError('invalid-input', `Catalog ${file} is not valid JSON/YAML`, {
      hint: (cause as Error).message,
      cause,
    });
  }
  if (doc === null || doc === undefined) return [];
  let titles: Title[];
  if (Array.isArray(doc)) {
    titles = entriesFromList(file, doc);
  } else if (typeof doc === 'object') {
    const record = doc as Record<string, unknown>;
    titles = [];
    if ('titles' in record) {
      titles = Array.isArray(record.titles)
        ? entriesFromList(file, record.titles)
        : entriesFromMap(file, record.titles);
    } else if (!('series' in record)) {
      titles = entriesFromMap(file, record);
    }
    if ('series' in record) {
      const series = SeriesSchema.safeParse(record.series);
      if (!series.success) {
        const issue = series.error.issues[0];
        fail(file, `series ${issue?.path.join('.')}: ${issue?.message}`);
      }
      for (const [seriesId, block] of Object.entries(series.data)) {
        block.episodes.forEach((episode, index) => {
          titles.push({ ...episode, series: seriesId, episode: episode.episode ?? index + 1 });
        });
      }
    }
  } else {
    fail(file, 'expected a list or a map of titles');
  }
  const seen = new Set<string>();
  for (const title of titles) {
    if (seen.has(title.id)) fail(file, `duplicate title id "${title.id}"`);
    seen.add(title.id);
  }
  return titles;
}

export async function loadCatalogFile(file: string): Promise<Title[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new EndcueError('not-found', `Catalog file ${file} cannot be read`, {
      hint: 'Check ENDCUE_CATALOG / --catalog.',
      cause,
    });
  }
  return parseCatalog(text, path.basename(file));
}
