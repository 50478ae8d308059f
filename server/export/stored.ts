/**
 * A title's current answer from the store, without analysing anything: the media's
 * fingerprint now, then the override or the newest result for exactly that media.
 */
import type { Title } from '../catalog/title.js';
import { creditsAnswer } from '../http/answer.js';
import type { CreditsAnswer } from '../http/service.js';
import { type ResolvedSource, resolveSource, type SourcePolicy } from '../media/sources.js';
import { currentIntro, type IntroState } from '../series/season-key.js';
import type { CreditsStore, StoredError, StoredResult } from '../store/types.js';

export type StoredLookup =
  | { status: 'ready'; media: ResolvedSource; answer: CreditsAnswer; stored?: StoredResult }
  | { status: 'not-analysed'; media: ResolvedSource }
  | { status: 'failed'; media: ResolvedSource; error: StoredError };

/** Throws EndcueError when the media cannot be found or is not allowed. */
export async function storedAnswer(
  store: CreditsStore,
  title: Title,
  policy: SourcePolicy,
): Promise<StoredLookup> {
  const media = await resolveSource(title.src, policy);
  const override = await store.getOverride(title.id);
  const stored = await store.getResult(title.id, media.fingerprint);
  if (override || stored) {
    const answer = creditsAnswer(title.id, stored, override, await introNow(store, title, media));
    return { status: 'ready', media, answer, ...(stored ? { stored } : {}) };
  }
  const failure = await store.getFailure(title.id, media.fingerprint);
  return failure
    ? { status: 'failed', media, error: failure.error }
    : { status: 'not-analysed', media };
}

/**
 * After chapters were embedded the file's fingerprint is new, but its media is the same
 * (every stream copied as it was): the result moves to the new fingerprint, so the title
 * is not taken for new media and analysed again.
 */
export async function rekeyResult(
  store: CreditsStore,
  title: Title,
  policy: SourcePolicy,
  stored: StoredResult,
): Promise<void> {
  const media = await resolveSource(title.src, policy);
  if (media.fingerprint !== stored.fingerprint) {
    await store.putResult({ ...stored, fingerprint: media.fingerprint });
    // Its audio is the same too: the season's intro holds for the new fingerprint.
    const intro = await store.getIntro(title.id);
    if (intro?.fingerprint === stored.fingerprint) {
      await store.putIntros([{ ...intro, fingerprint: media.fingerprint }]);
    }
  }
}

/** The title's intro from its season, if its season's analysis still holds (else none). */
async function introNow(
  store: CreditsStore,
  title: Title,
  media: ResolvedSource,
): Promise<IntroState | undefined> {
  if (title.series === undefined) return undefined;
  const siblings = await store.seriesTitles(title.series);
  return currentIntro(title, siblings, await store.getIntro(title.id), media.fingerprint);
}
