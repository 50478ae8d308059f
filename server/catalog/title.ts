/** What a title is: an id, a media source, and optional series ordering. Shared by the
 * catalog file, the admin API and the store. Web-standard only (used by edge read routes). */
import { z } from 'zod';

/** Stable (issue 5): ids are safe in URLs, file names and log lines as they are. */
export const TITLE_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

export const TitleIdSchema = z.string().regex(TITLE_ID_PATTERN, {
  message: 'must match ^[A-Za-z0-9._-]{1,128}$',
});

/** Body of `PUT /v1/titles/:id` and one catalog entry (minus the id). */
export const TitleInputSchema = z
  .object({
    src: z.string().min(1).max(4096),
    title: z.string().max(512).optional(),
    series: z.string().min(1).max(128).optional(),
    season: z.number().int().min(0).max(100_000).optional(),
    episode: z.number().int().min(0).max(100_000).optional(),
  })
  .strict();

export type TitleInput = z.infer<typeof TitleInputSchema>;

export interface Title extends TitleInput {
  id: string;
}

/** Where a title came from: catalog titles are replaced on catalog reload, admin ones kept. */
export type TitleOrigin = 'catalog' | 'admin';

export interface TitleRecord extends Title {
  origin: TitleOrigin;
  updatedAt: number;
}
