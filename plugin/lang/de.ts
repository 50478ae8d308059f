/** German strings for video.js `localize` (player language `de`). */
export const de: Record<string, string> = {
  'Next episode': 'Nächste Folge',
  'Next episode in {1} s': 'Nächste Folge in {1} s',
  'Skipping credits in {1} s': 'Abspann wird in {1} s übersprungen',
  'Next episode: {1}. Plays in {2} seconds.': 'Nächste Folge: {1}. Startet in {2} Sekunden.',
  'Next episode: {1}.': 'Nächste Folge: {1}.',
  'Play next': 'Jetzt abspielen',
  'Watch credits': 'Abspann ansehen',
  'Skip credits': 'Abspann überspringen',
  Close: 'Schließen',
  'Are you still watching?': 'Schaust du noch?',
  'Continue watching': 'Weiterschauen',
  'Skip intro': 'Intro überspringen',
  'Skip intro available': 'Intro überspringen möglich',
  'Intro skipped': 'Intro übersprungen',
};
