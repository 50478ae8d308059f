/**
 * GET /v1/titles (PURE): every title with its status and stored answer, filtered, sorted
 * and paged. The answer is the newest stored one (an override wins), weighed by its season's
 * end music as the credits answer is (a start bounded by the music included); whether it is
 * still current for the media is checked when a player asks (GET /v1/titles/:id/credits).
 */
import type { Title } from '../catalog/title.js';
import { currentIntro, type IntroState } from '../series/season-key.js';
import type { TitleSummary } from '../store/types.js';
import { creditsAnswer } from './answer.js';
import type { TitleListItem, TitleListPage, TitleListQuery } from './service.js';

/** Every summary listed, each with its series' titles (its season's members are among them). */
export function listItems(summaries: readonly TitleSummary[]): TitleListItem[] {
  const bySeries = new Map<string, Title[]>();
  for (const { title } of summaries) {
    if (title.series === undefined) continue;
    const titles = bySeries.get(title.series) ?? [];
    titles.push(title);
    bySeries.set(title.series, titles);
  }
  return summaries.map((summary) =>
    listItem(summary, bySeries.get(summary.title.series ?? '') ?? []),
  );
}

/**
 * Status from the store alone; titles without an answer or failure are 'not-analysed'.
 * `seriesTitles`: the title's series (none: the answer without its season, as before).
 */
export function listItem(
  summary: TitleSummary,
  seriesTitles: readonly Title[] = [],
): TitleListItem {
  const { title, result, failure, override } = summary;
  const answered = override !== undefined || result !== undefined;
  const failedLater = failure && (!result || failure.createdAt > result.createdAt) && !override;
  const answer = answered
    ? creditsAnswer(title.id, result, override, seasonState(summary, seriesTitles))
    : undefined;
  const post = answer?.segments.find((s) => s.kind === 'post-credits');
  return {
    id: title.id,
    src: title.src,
    ...(title.title !== undefined ? { title: title.title } : {}),
    ...(title.series !== undefined ? { series: title.series } : {}),
    ...(title.season !== undefined ? { season: title.season } : {}),
    ...(title.episode !== undefined ? { episode: title.episode } : {}),
    status: failedLater ? 'failed' : answered ? 'done' : 'not-analysed',
    creditsStart: answer?.creditsStart ?? null,
    creditsEnd: answer?.creditsEnd ?? null,
    postCredits: post ? { start: post.start, end: post.end } : null,
    confidence: answer ? answer.confidence : null,
    source: answer ? answer.source : null,
    modelVersion: answer?.modelVersion ?? null,
    updatedAt: override?.updatedAt ?? result?.createdAt ?? null,
    ...(failedLater ? { error: failure.error } : {}),
  };
}

/**
 * The season state the credits route would find: the stored intro row while its season's
 * members are the same and it is for the listed result's media (the route checks the media
 * as it is now). Undefined outside a series or without a season to look at.
 */
function seasonState(
  summary: TitleSummary,
  seriesTitles: readonly Title[],
): IntroState | undefined {
  const { title, result, intro } = summary;
  if (title.series === undefined || !result || seriesTitles.length === 0) return undefined;
  return currentIntro(title, seriesTitles, intro, result.fingerprint);
}

/** Filters, sorts (confidence: least sure first by default, unanswered last) and pages. */
export function pageTitles(items: readonly TitleListItem[], query: TitleListQuery): TitleListPage {
  let list = query.status ? items.filter((item) => item.status === query.status) : [...items];
  if (query.sort === 'confidence') {
    const sign = query.order === 'desc' ? -1 : 1;
    list = list.sort((a, b) => {
      if (a.confidence === null || b.confidence === null) {
        return a.confidence === b.confidence
          ? a.id.localeCompare(b.id)
          : a.confidence === null
            ? 1
            : -1;
      }
      return sign * (a.confidence - b.confidence) || a.id.localeCompare(b.id);
    });
  } else if (query.order === 'desc') {
    list.reverse();
  }
  return {
    total: list.length,
    limit: query.limit,
    offset: query.offset,
    items: list.slice(query.offset, query.offset + query.limit),
  };
}
