/** English strings; keys are the English text, as video.js `localize` expects. */
export const en: Record<string, string> = {
  'Next episode': 'Next episode',
  'Next episode in {1} s': 'Next episode in {1} s',
  'Skipping credits in {1} s': 'Skipping credits in {1} s',
  'Next episode: {1}. Plays in {2} seconds.': 'Next episode: {1}. Plays in {2} seconds.',
  'Next episode: {1}.': 'Next episode: {1}.',
  'Play next': 'Play next',
  'Watch credits': 'Watch credits',
  'Skip credits': 'Skip credits',
  Close: 'Close',
  'Are you still watching?': 'Are you still watching?',
  'Continue watching': 'Continue watching',
  'Skip intro': 'Skip intro',
  'Skip intro available': 'Skip intro available',
  'Intro skipped': 'Intro skipped',
};
