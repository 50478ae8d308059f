/**
 * Where the training clips show a card whose only message is words, outside their closing
 * credits: a "presents" card, a film's title, "COMING SOON", a story card, "THE END".
 *
 * Labelled "other", these cards teach the classifier that clean words on a plain ground are
 * not credits, and it then doubts real credit cards (session 16's retrained model scored a
 * white-on-black "Directed by" card 0.65 where the shipped one says 0.94). Whether a card of
 * words is credits is the text plan's question (server/detector/text-plan.ts reads it), so
 * with `--skip-word-cards` these frames are left out of training: neither credits nor other.
 *
 * Spans in seconds, from the data set's notes and contact sheets of the tuning clips only
 * (held-out clips are never trained on). Captions over story, signs, menus and score tables
 * are not listed: those stay "other" (the issue's rule: captions are story).
 */
export const WORD_CARD_SPANS: Readonly<Record<string, ReadonlyArray<readonly [number, number]>>> = {
  // "The Blender Foundation presents"; the SINTEL title, then "COMING SOON".
  'sintel_trailer_204p.mp4': [
    [9, 11],
    [40.5, 48.5],
  ],
  'sintel_trailer_opening_720p.mp4': [[9, 11]],
  // "THE PEACH OPEN MOVIE PROJECT PRESENTS" and the title, over the picture.
  'bbb_first_minute.mp4': [
    [19.5, 23],
    [25.5, 29],
  ],
  // Blue-on-white story cards between shots, the title, "COMING SOON", the URL card.
  'bbb_trailer_480p.mkv': [
    [0, 3.5],
    [6.5, 9],
    [11, 13],
    [16.5, 19],
    [23, 25],
    [26.5, 33.1],
  ],
  // "DDP Productions presents", "A Marks Polakovs Film"; the title, "Coming soon".
  'ddp_trailer.mp4': [
    [0, 3.5],
    [11, 18.7],
  ],
  // "THE END" in pixel type on black.
  'neg_szczur_the_end.mp4': [[8.4, 10.7]],
  // Pixel-type story cards on black before the credits block.
  'darkdungeons_victory_es.mp4': [[1, 19]],
  'darkdungeons_defeat_es.mp4': [[1, 19]],
  // A company ident, and an instruction card after a team card.
  'ictus_credits.mp4': [[0, 5.1]],
  'marshmallow_credits.mp4': [[6.5, 8.5]],
  // The game's logo and "YOU HAVE WON" over the art.
  'gmtk22_ending.mp4': [[3, 8.6]],
};

/** Whether a clip's frame at `t` s is on a word card listed above. */
export function onWordCard(file: string, t: number): boolean {
  return (WORD_CARD_SPANS[file] ?? []).some(([from, to]) => t >= from && t <= to);
}
