/**
 * A title's current answer from the store, without analysing anything: the media's
 * fingerprint now, then the override or the newest result for exactly that media.
 */
import type { Title } from '../catalog/title.js';
import { creditsAnswer } from '../http/answer.js';
import type { CreditsAnswer } from '../http/service.js';
import { type ResolvedSource, resolveSource, type SourcePolicy } from '../media/sources.js';
import type { CreditsStore, StoredError } from '../store/types.js';

export type StoredLookup =
  | { status: 'ready'; media: ResolvedSource; answer: CreditsAnswer }
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
    return { status: 'ready', media, answer: creditsAnswer(title.id, stored, override) };
  }
  const failure = await store.getFailure(title.id, media.fingerprint);
  return failure
    ? { status: 'failed', media, error: failure.error }
    : { status: 'not-analysed', media };
}
