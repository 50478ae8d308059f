import { describe, expect, it } from 'vitest';
import {
  isCaption,
  isEndTitleCard,
  isLowerCaseText,
  isNameCard,
  isProse,
  isRoleNameColumns,
  isStoryLike,
  type OcrWord,
  readCreditsText,
} from '../../../server/detector/text-cues.js';

/** OCR words of a line of text, all read with the given confidence. */
function words(text: string, confidence = 90): OcrWord[] {
  return text.split(/\s+/).map((w) => ({ text: w, confidence }));
}

/** OCR words of one line of a frame, on line number `line`. */
function onLine(text: string, line: number): OcrWord[] {
  return words(text).map((w) => ({ ...w, line }));
}

describe('readCreditsText', () => {
  it.each([
    ['Directed by Jane Doe', 'directed by'],
    ['A project by Miguel Pires Supervised by Luis Pereira', 'a project by'],
    ['SPECIAL THANKS to everyone', 'special thanks'],
    ['Original Music by Someone', 'music by'],
    ['Executive Producers Ann Lee', 'executive producers'],
    ['Thanks for playing!', 'thanks for playing'],
    ['This is the end credits. Thank you for watching!', 'end credits'],
    ['Réalisé par Agnès Varda', 'realise par'],
    ['Dirigida por Ana Ruiz', 'dirigida por'],
    ['Regia di Paolo Sorrentino', 'regia'],
    ['A product of STEP', 'a product of'],
    ['Thank you for your attention', 'thank you for your attention'],
    ["(GRAZIE PER L'ATTENZIONE!)", "grazie per l'attenzione"],
    ['GRAZIE PER L’ATTENZIONE', 'grazie per lattenzione'],
    ['Merci de votre attention', 'merci de votre attention'],
    ['Danke für Ihre Aufmerksamkeit', 'danke fur ihre aufmerksamkeit'],
  ])('reads "%s" as closing credits', (line, phrase) => {
    const r = readCreditsText(words(line));
    expect(r.cue).toBe(1);
    expect(r.credits.join(' | ')).toContain(phrase);
  });

  it.each([
    ['Coming soon', 'coming soon'],
    ['THE BLENDER FOUNDATION presents', 'presents'],
    ['7 A HI-SCORE 4888', 'hi-score'],
    ['Enter your name : K.Y.S', 'enter your name'],
    ['PRESS ANY KEY', 'press any'],
    ['LEVEL . . . . 2', 'level 2'],
    ['In theaters July 4', 'in theaters'],
  ])('reads "%s" as another kind of text screen', (line, phrase) => {
    const r = readCreditsText(words(line));
    expect(r.cue).toBe(-1);
    expect(r.other.join(' | ')).toContain(phrase);
  });

  it.each([
    ['Colourist Jonas Eriksen', 'colourist'],
    ['Foley Artist Maya Whitfield', 'foley'],
    ['Lead Programmer Ann Lee', 'lead programmer'],
    ['Published by Devolver', 'published by'],
    ['Un juego de Estudio Tres', 'un juego de'],
    ['Desarrollado por Equipo Azul', 'desarrollado por'],
    ['Guionista Marta Gil', 'guionista'],
    ['Diseño de niveles Pablo Ruiz', 'diseno de niveles'],
    ['Écrit par Anne Roy', 'ecrit par'],
    ['Scénariste Paul Blanc', 'scenariste'],
    ['Scritto da Luca Neri', 'scritto da'],
    ['Um jogo de Ana Lima', 'um jogo de'],
    ['Ein Film von Jan Berg', 'ein film von'],
    ['Produzentin Eva Roth', 'produzentin'],
  ])('reads the role "%s" as closing credits', (line, phrase) => {
    const r = readCreditsText(words(line));
    expect(r.cue).toBe(1);
    expect(r.credits.join(' | ')).toContain(phrase);
  });

  it('reads a line that is only a credits heading as credits, not the same word in a line', () => {
    const card = [...onLine('CAST', 0), ...onLine('Jonas Eriksen', 1)];
    expect(readCreditsText(card).credits).toEqual(['heading: cast']);
    expect(readCreditsText([...onLine('Programación:', 0)]).credits).toEqual([
      'heading: programacion',
    ]);
    // "cast" inside a sentence, and a menu's "Credits" entry: no heading.
    expect(readCreditsText(onLine('They cast a long shadow', 0)).credits).toEqual([]);
    const menu = ['New Game', 'Options', 'Credits', 'Quit'].flatMap((l, i) => onLine(l, i));
    expect(readCreditsText(menu).cue).toBe(0);
  });

  it.each([['THE END'], ['The End?'], ['FIN'], ['Ende'], ['FINE'], ['Fin de partie']])(
    'reads the card "%s" as an end title, not credits',
    (line) => {
      const r = readCreditsText(words(line));
      expect(r.cue).toBe(-1);
      expect(r.other).toEqual(['end title card']);
      expect(r.credits).toEqual([]);
    },
  );

  it('leaves "The End" to the credits beside it, and to longer text', () => {
    expect(readCreditsText(words('THE END Directed by Jane Doe')).cue).toBe(1);
    expect(readCreditsText(words('The End Thanks for playing!')).cue).toBe(1);
    // More than an end title card holds: no evidence either way from these words.
    expect(readCreditsText(words('THE END OF THE ROAD TOUR 2024')).cue).toBe(0);
    expect(isEndTitleCard(['fine', 'art', 'prints', 'sale', 'today'])).toBe(false);
    expect(isEndTitleCard(['finale'])).toBe(false);
  });

  it('reads a list of several people as credits, but not names inside a sentence', () => {
    const r = readCreditsText(words('ZOE Galagher Greta Breman Rosa Tanaka'));
    expect(r.cue).toBe(1);
    expect(r.credits).toEqual(['names: zoe, greta, rosa']);
    expect(readCreditsText(words('Krishan Ryan and Julie')).cue).toBe(0);
    // Lower-case words inside a sentence are not names on a card.
    expect(readCreditsText(words('where did anna and paul and tom go')).credits).toEqual([]);
  });

  it('reads a name card (a name or two and nothing else) as credits', () => {
    expect(readCreditsText(words('VIKTOR SCHNEIDER')).credits).toEqual([
      'name card: viktor schneider',
    ]);
    expect(readCreditsText(words('Ana de la Cruz')).cue).toBe(1);
    expect(readCreditsText(words('Ana Ruiz Tom Ng')).cue).toBe(1);
    // Two looks at one frame reading one name twice are still one name.
    expect(readCreditsText(words('MAYA MAYA')).cue).toBe(0);
  });

  it('takes no title with a name inside, no sentence and no lower third for a name card', () => {
    const card = (text: string) =>
      words(text).map((w) => ({ ...w, read: w.text, folded: w.text.toLowerCase() }));
    // The first word must be a given name.
    expect(isNameCard(card('SUPER MARIO BROS'))).toBe(false);
    expect(isNameCard(card('Original Score Hans Z'))).toBe(false);
    // Capitalised words only (particles aside), and not many of them.
    expect(isNameCard(card('Rosa went home'))).toBe(false);
    expect(isNameCard(card('Rosa Ann Tom Ng Bo Li Cy'))).toBe(false);
    expect(isNameCard(card('Rosa Larsen'))).toBe(true);
    // All of it low on a picture: a lower third naming a speaker in the story.
    const low = card('Rosa Larsen').map((w, i) => ({
      ...w,
      box: { x0: 100 + i * 80, y0: 460, x1: 170 + i * 80, y1: 490 },
    }));
    expect(isNameCard(low, { height: 540, pictureAbove: true })).toBe(false);
    expect(isNameCard(low, { height: 540, pictureAbove: false })).toBe(true);
  });

  it('is no evidence for a title card, or nothing legible', () => {
    expect(readCreditsText(words('CHILDREN of the CITY')).cue).toBe(0);
    expect(readCreditsText([]).cue).toBe(0);
    // A subtitle's "Thank you" is dialogue, not a sign-off.
    expect(readCreditsText(words('Thank you')).cue).toBe(0);
  });

  it('ignores words OCR is unsure of (garbage read from pictures)', () => {
    const r = readCreditsText(words('Directed by Coming soon', 30));
    expect(r).toEqual({ cue: 0, credits: [], other: [], words: 0, terms: [], storyLike: false });
  });

  it('does not take a game menu\'s "Credits" entry, or music and level design roles, as other screens', () => {
    expect(readCreditsText(words('Start Options Credits Quit')).cue).toBe(0);
    expect(readCreditsText(words('Level Design Ann Lee')).cue).toBe(1);
    expect(readCreditsText(words('Original Score Hans Z')).cue).toBe(0);
  });

  it('reads a card with only a web address (and a licence notice) as an end card, not credits', () => {
    const card = readCreditsText(
      words('WWW.BIGBUCKBUNNY.ORG © LICENCED AS CREATIVE COMMONS 3.0 ATTRIBUTION'),
    );
    expect(card.cue).toBe(-1);
    expect(card.other).toEqual(['web address card']);
    expect(readCreditsText(words('https://example.com/watch')).cue).toBe(-1);
    // Sites listed in a roll, or an address under names and roles, are credits or nothing.
    expect(
      readCreditsText(words('gameart2d opengameart.org Removal. Al Remove.bg Fotor')).cue,
    ).toBe(0);
    expect(readCreditsText(words('itch.io CraftPix.net')).cue).toBe(0);
    expect(
      readCreditsText(words('Produced by Blender Institute http://durian.blender.org')).cue,
    ).toBe(1);
  });

  it('lets the majority decide when a frame has both kinds of text', () => {
    const r = readCreditsText(
      words('CREDITS This program is prepared by : 1. Ann 2. Bo (Enter any key to return)'),
    );
    expect(r.credits).toEqual(['prepared by']);
    expect(r.other).toEqual([]);
    expect(r.cue).toBe(1);
    expect(readCreditsText(words('Written by Ann Coming soon in cinemas')).cue).toBe(-1);
  });
});

describe('running text', () => {
  it.each([
    ['I know you were there when it happened'],
    ['BREAKING: this is not what they told us'],
    ['Hope you liked the game, it was made with love'],
    ['Years later, nobody could remember why they had left'],
    ['No sé si ella está aquí pero yo no me voy'],
    ["Je ne sais pas ce qu'il veut, mais il est ici"],
    ['Ich weiß nicht, wo er ist, aber sie war hier'],
  ])('reads "%s" as another kind of text screen', (line) => {
    const r = readCreditsText(words(line));
    expect(r.cue).toBe(-1);
    expect(r.other).toContain('running text');
  });

  it('leaves credits, name lists and titles alone', () => {
    // Role words win over the sentence around them.
    expect(readCreditsText(words('This film was directed by Jane Doe and it is hers')).cue).toBe(1);
    expect(readCreditsText(words('Thank you so much for watching, we hope you had fun')).cue).toBe(
      1,
    );
    // Prepositions and articles credits use are not running text.
    expect(isProse('director of photography con la colaboracion de la banda'.split(' '))).toBe(
      false,
    );
    expect(isProse('jane doe as mary and tom lee as the man in the car'.split(' '))).toBe(false);
    expect(readCreditsText(words('CHILDREN of the CITY')).cue).toBe(0);
  });

  it('needs three distinct function words making up a fifth of the words', () => {
    expect(isProse(['it', 'is', 'you'])).toBe(true);
    expect(isProse(['it', 'is', 'it', 'is'])).toBe(false);
    const names = 'ann bo cy dee eve fay gus hal ivy jo kim lu max ned'.split(' ');
    expect(isProse([...names, 'it', 'is', 'you'])).toBe(false);
    expect(isProse([...names.slice(0, 8), 'it', 'is', 'you'])).toBe(true);
  });
});

describe('captions', () => {
  /** Words on numbered lines, each line's top at the given y (pixels of a 540 px frame). */
  function placed(lines: [string, number][]): OcrWord[] {
    return lines.flatMap(([text, y], line) =>
      text.split(' ').map((w, i) => ({
        text: w,
        confidence: 90,
        box: { x0: 100 + i * 80, y0: y, x1: 170 + i * 80, y1: y + 30 },
        line,
      })),
    );
  }
  const overPicture = { height: 540, pictureAbove: true };

  it('reads one or two lines low on a picture as a caption, which is not credits', () => {
    const caption = placed([['Okay. Go now!', 460]]);
    expect(isCaption(caption, overPicture)).toBe(true);
    const r = readCreditsText(caption, overPicture);
    expect(r.cue).toBe(-1);
    expect(r.other).toEqual(['caption']);
    expect(
      isCaption(
        placed([
          ['Where were', 420],
          ['you then', 470],
        ]),
        overPicture,
      ),
    ).toBe(true);
  });

  it('is no caption on a plain ground, higher up, in three lines, or unplaced', () => {
    const low = placed([['Jane Doe', 460]]);
    expect(isCaption(low, { height: 540, pictureAbove: false })).toBe(false);
    expect(isCaption(placed([['Jane Doe', 200]]), overPicture)).toBe(false);
    expect(
      isCaption(
        placed([
          ['a b', 380],
          ['c d', 430],
          ['e f', 480],
        ]),
        overPicture,
      ),
    ).toBe(false);
    expect(isCaption(words('Okay. Go now!'), overPicture)).toBe(false);
    // Capitalised names low over the last scene are credits over picture, not dialogue.
    expect(isCaption(placed([['Zoe Galagher Greta', 460]]), overPicture)).toBe(false);
    expect(isCaption(placed([['OKAY. GO!', 460]]), overPicture)).toBe(false);
  });

  it('lets credits words over the last scene stay credits', () => {
    const r = readCreditsText(placed([['Directed by Jane Doe', 460]]), overPicture);
    expect(r.cue).toBe(1);
  });
});

describe('lower-case text', () => {
  it('reads a frame of mostly lower-case words as another kind of text screen', () => {
    const post = readCreditsText(words('@felix just watched the sunrise from the old pier'));
    expect(post.cue).toBe(-1);
    expect(post.other).toEqual(['lower-case text']);
  });

  it('leaves names, capitals and credits with a few lower-case words alone', () => {
    expect(isLowerCaseText('Jane Doe Tomas Nunez Rosa Tanaka'.split(' '))).toBe(false);
    expect(isLowerCaseText('DONATE TO THE LIGHTHOUSE FUND TODAY'.split(' '))).toBe(false);
    expect(isLowerCaseText('Filmed on location in Porto and Lisbon'.split(' '))).toBe(false);
    expect(readCreditsText(words('special thanks to all our friends and families here')).cue).toBe(
      1,
    );
  });

  it('needs five lower-case words making up half of the words', () => {
    expect(isLowerCaseText('aaa bbb ccc ddd eee'.split(' '))).toBe(true);
    expect(isLowerCaseText('aaa bbb ccc ddd'.split(' '))).toBe(false);
    expect(isLowerCaseText('aaa bbb ccc ddd eee Aa Bb Cc Dd Ee Ff'.split(' '))).toBe(false);
    // Numbers and handles are neither.
    expect(isLowerCaseText('aaa bbb ccc ddd eee 15h @x_40 2026 Aa Bb'.split(' '))).toBe(true);
  });
});

describe('story-like text', () => {
  const storyLike = (text: string) => readCreditsText(words(text)).storyLike;

  it('reads a line with a lower-case word, or four words, as story', () => {
    expect(storyLike('Tavor con Ilsa')).toBe(true);
    expect(storyLike('Volviendo a su hogar')).toBe(true);
    expect(storyLike('AFTER A LONG AND HARD WINTER')).toBe(true);
    expect(storyLike('VOLVIENDO A SU HOGAR')).toBe(true);
  });

  it('reads name cards, names with particles and short titles as not story', () => {
    expect(storyLike('KEIKO ARAI')).toBe(false);
    expect(storyLike('Ludwig van Beethoven')).toBe(false);
    expect(storyLike('MARÍA DE LA CRUZ')).toBe(false);
    expect(storyLike('THE LAST HARBOUR')).toBe(false);
    // A capitalised given name makes it people, whatever else is read.
    expect(storyLike('photography by Zoe Yilmaz')).toBe(false);
  });

  it('strips punctuation around a word before judging its case', () => {
    const read = (text: string) => ({ read: text, folded: text.toLowerCase() });
    expect(isStoryLike(['¡Vamos', 'a', 'casa!'].map(read))).toBe(true);
    expect(isStoryLike(['"Ortiz"', 'y', 'Bravo'].map(read))).toBe(false);
  });

  it('needs three words: two are a name, or another script misread as Latin letters', () => {
    expect(readCreditsText(words('pexuccep ahha')).storyLike).toBe(false);
    // The same line read twice (two looks at one frame) is still two words.
    expect(readCreditsText(words('Pexuccep AHHa Pexuccep AHHa')).storyLike).toBe(false);
    expect(readCreditsText(words('pexuccep ahha oneparop')).storyLike).toBe(true);
  });
});

/** A row of words laid out from x, 20 px tall at y; "|" marks a wide gap (a column break). */
function row(text: string, x: number, y: number): OcrWord[] {
  const out: OcrWord[] = [];
  for (const part of text.split('|')) {
    for (const word of part.trim().split(/\s+/)) {
      const w = word.length * 10;
      out.push({ text: word, confidence: 90, box: { x0: x, y0: y, x1: x + w, y1: y + 20 } });
      x += w + 8;
    }
    x += 60;
  }
  return out;
}

describe('isRoleNameColumns', () => {
  it('finds role-name pairs whose names start at one x', () => {
    // Right-aligned roles, left-aligned names: the names all start at x = 300.
    const card = [
      ...row('The Mayor', 300 - 60 - 98, 0),
      ...row('Xandr Vosk', 300, 0),
      ...row('Young Nora', 300 - 60 - 108, 40),
      ...row('Yelda Kroon', 300, 40),
      ...row('Narrator', 300 - 60 - 80, 80),
      ...row('Quill Marsh', 300, 80),
    ];
    expect(isRoleNameColumns(card.map((w) => ({ read: w.text, box: w.box })))).toBe(true);
    expect(readCreditsText(card).credits).toEqual(['role-name columns']);
  });

  it('needs three rows, a name on the right and a gap between the columns', () => {
    const asRead = (ws: OcrWord[]) => ws.map((w) => ({ read: w.text, box: w.box }));
    const two = [...row('Mayor | Rosa Larsen', 100, 0), ...row('Nora | Luis Santos', 100, 40)];
    expect(isRoleNameColumns(asRead(two))).toBe(false);
    const settings = [
      ...row('Language | English', 100, 0),
      ...row('Theme | Dark', 100, 40),
      ...row('Volume | 80', 100, 80),
    ];
    expect(isRoleNameColumns(asRead(settings))).toBe(false);
    const scores = [
      ...row('ACE | 50000', 100, 0),
      ...row('BOB | 40000', 100, 40),
      ...row('CAT | 30000', 100, 80),
    ];
    expect(isRoleNameColumns(asRead(scores))).toBe(false);
    // Sentences: no wide gap inside a row.
    const prose = [
      ...row('When the Rain Came Back', 100, 0),
      ...row('We Walked Home Again', 100, 40),
      ...row('And Never Looked Back', 100, 80),
    ];
    expect(isRoleNameColumns(asRead(prose))).toBe(false);
  });
});
