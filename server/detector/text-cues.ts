/**
 * What the words on a frame say about it (PURE): closing credits read as roles and thanks
 * ("Directed by", "Music", "Special thanks"); the text screens a frame classifier confuses
 * with them read otherwise ("Coming soon", "X presents", "HI-SCORE", "Press any key").
 * The OCR (text-reader.ts) turns pixels into words; this decides what they mean.
 *
 * Conservative on purpose: words OCR is unsure of are ignored, and text that matches
 * neither list (a title, a URL, another script) is no evidence either way. The exception is
 * running text: sentences that name no role or sign-off (prose slides, captions, lyrics,
 * posts) count against credits (isProse), as credits are lists, not sentences.
 */
import { isGivenName } from './given-names.js';

export interface OcrWord {
  text: string;
  /** Tesseract's confidence, 0..100. */
  confidence: number;
  /** Where the word is on the frame, pixels (absent: unknown). */
  box?: { x0: number; y0: number; x1: number; y1: number };
  /** Which line of the frame's text it is on (same number, same line). */
  line?: number;
}

/** What a frame's words are read against: where the text sits tells a caption from a card. */
export interface TextLayout {
  /** The frame's height, pixels (as the word boxes measure it). */
  height: number;
  /** The part of the frame above the caption band is picture, not a plain ground. */
  pictureAbove: boolean;
}

/** Where the caption band begins, as a share of the frame's height from the top. */
export const CAPTION_TOP = 0.62;
/** Most lines of text a caption has. */
export const MAX_CAPTION_LINES = 2;

export interface TextReading {
  /** +1 reads as closing credits, -1 as another kind of text screen, 0 no evidence. */
  cue: -1 | 0 | 1;
  /** The credits phrases found (diagnostics). */
  credits: string[];
  /** The other-screen phrases found (diagnostics). */
  other: string[];
  /** Confident words read. */
  words: number;
  /** The distinct confident words of three letters or more, folded (to tell one card from another). */
  terms: string[];
  /**
   * Reads like a line of story rather than a name card: no capitalised given name, and a
   * sentence's lower-case word or four words or more (see isStoryLike). Not evidence alone;
   * text-plan.ts weighs it against the credits text after it.
   */
  storyLike: boolean;
}

/** Words below this OCR confidence are ignored (garbage read from pictures scores 20-50). */
export const MIN_WORD_CONFIDENCE = 60;

/** Roles, departments and sign-offs of closing credits (whole words, accents folded). */
const CREDITS_PATTERNS: readonly RegExp[] = [
  // Not "credits" alone: game menus list a "Credits" entry.
  /\b(end|closing) credits\b/,
  /\b(directed|written|produced|developed|created|edited|composed|animated|designed|supervised|prepared|programmed|illustrated|narrated|made|presented) by\b/,
  /\ba (film|game|project|production|series|show|movie) by\b/,
  /\ba (product|production) of\b/,
  /\b(co-?)?(director|producer|writer|editor|composer|animator|programmer|screenwriter)s?\b/,
  /\b(screenplay|cinematography|starring|casting|choreography|orchestration)\b/,
  /\bdirector of photography\b/,
  /\b(special|additional) thanks\b/,
  // Sign-offs: a film's, a game's, a talk's last card.
  /\bthanks to\b/,
  /\bthank(s| you)( so much)? for (watching|playing|listening|your attention)\b/,
  /\b(original )?music( by)?\b/,
  /\b(sound|production|costume|set|art|game|level) design(er)?\b/,
  /\b(visual|special) effects\b/,
  /\b(executive|associate|line) producers?\b/,
  /\bmake-?up\b|\bgaffer\b|\bkey grip\b|\bstunts?\b|\bcamera operator\b/,
  /\banimations?\b/,
  /\bin (loving )?memory of\b/,
  /\bmeet the team\b/,
  // Other languages that OCR's Latin letters still read (accents folded before matching).
  /\b(realise par|realisation|scenario|musique originale|remerciements|mise en scene)\b/,
  /\b(dirigid[oa] por|guion|musica original|agradecimientos|direccion de fotografia)\b/,
  /\b(realizacao|roteiro|agradecimentos|direcao de fotografia)\b/,
  /\b(regia|sceneggiatura|montaggio|ringraziamenti|direttore della fotografia)\b/,
  /\b(regie|drehbuch|danksagung|musik von|kamera)\b/,
  /\bmerci (de|pour) votre attention\b|\bmerci d'?avoir (regarde|joue)\b/,
  /\bgracias por (su |tu |vuestra )?(atencion|ver|jugar)\b/,
  /\bobrigad[oa] (pela (sua )?atencao|por (assistir|jogar))\b/,
  /\bgrazie (per l'?attenzione|per la visione|per aver (guardato|giocato))\b/,
  /\bdanke (fur (ihre|eure|deine) aufmerksamkeit|furs (zuschauen|spielen))\b/,
  // Film and game crews' other roles, in the same languages (general credits vocabulary,
  // not any title's: "Colourist", "Foley Artist", "Lead Programmer", "Guionista").
  /\b(colou?rists?|foley|re-?recording mixers?|sound mixers?|boom operators?|best boy)\b/,
  /\b(script supervisor|production manager|assistant directors?|casting director|storyboards?)\b/,
  /\b(compositors?|compositing|rigging|lighting artists?|concept art(ists?)?|character design)\b/,
  /\b(lead|senior|technical|art|creative|audio|narrative) (programmers?|designers?|artists?|directors?|writers?)\b/,
  /\b(voice (actors?|cast|acting)|playtest(ers|ing)|beta testers|quality assurance|localization)\b/,
  /\b(published|arranged|performed|voiced|translated|localized) by\b/,
  /\b(escrit|producid|desarrollad|cread|disenad|compuest|animad|ilustrad|editad)[oa]s? por\b/,
  /\b(un|una) (juego|pelicula|corto|cortometraje|proyecto|produccion) de\b/,
  /\b(productor|director|programador|disenador|compositor|ilustrador|animador|desarrollador|guionista|montador)(a|es|as)?\b/,
  /\b(direccion de arte|diseno de (niveles|personajes|sonido|juego)|efectos (visuales|especiales))\b/,
  /\b(ecrit|produit|developpe|concu|compose|realise)e?s? par\b/,
  /\b(un film|un jeu|un court-metrage) de\b/,
  /\b(realisat(eur|rice)|scenariste|product(eur|rice)|monteu(r|se)|compositeur|programmeu(r|se)|graphiste)s?\b/,
  /\b(scritto|diretto|prodotto|sviluppato|creato|composto|montato)a? da\b/,
  /\b(un film|un gioco|un cortometraggio) di\b/,
  /\b(regista|sceneggiatore|produttore|montatore|compositore|programmatore)\b/,
  /\b(escrito|produzido|desenvolvido|criado|composto|dirigido)a? por\b/,
  /\b(um filme|um jogo|uma producao) de\b/,
  /\b(roteirista|produtor|diretor|programador|compositor)(a|es|as)?\b/,
  /\b(geschrieben|produziert|entwickelt|komponiert|inszeniert) von\b/,
  /\bein (film|spiel) von\b/,
  /\b(regisseur|produzent|komponist|kameramann|drehbuchautor|programmierer)(in|en|innen)?\b/,
];

/**
 * Lines that are a credits heading and nothing else ("CAST", "Programming", "Reparto"):
 * words a menu or a story does not put on a line of their own. Left out on purpose: "Credits"
 * (a menu entry), "Music", "Sound", "Art", "Design" (options menus and signs).
 */
const HEADINGS: ReadonlySet<string> = new Set([
  'cast',
  'the cast',
  'crew',
  'the crew',
  'staff',
  'production team',
  'development team',
  'dev team',
  'programming',
  'programmers',
  'direccion',
  'produccion',
  'musica',
  'diseno',
  'sonido',
  'animacion',
  'testers',
  'playtesters',
  'translation',
  'reparto',
  'elenco',
  'equipo',
  'programacion',
  'traduccion',
  'programmation',
  'distribution',
  'programmazione',
  'programacao',
  'besetzung',
  'darsteller',
  'programmierung',
]);

/** Phrases of trailers, opening titles, game screens and prompts: text that is not closing credits. */
const OTHER_PATTERNS: readonly RegExp[] = [
  /\bcoming soon\b/,
  /\b(in|at) (theaters|theatres|cinemas)\b/,
  /\bnow (playing|showing)\b/,
  /\bpresents\b/,
  /\bhi(gh)?[- ]?scores?\b/,
  /\bscore\s*[:=]?\s*\d/,
  /\blevel\W{0,12}\d/,
  /\b(press|hit) (any|a|the|start|space|enter|\w+ key)\b/,
  /\bpress start\b/,
  /\binsert coins?\b/,
  /\benter your name\b/,
  /\b(previously|next time) on\b/,
];

/**
 * Function words of running text in the languages the English OCR model reads letters of
 * (en, es, fr, de, it, pt): pronouns, auxiliary verbs, negations, conjunctions and a few
 * adverbs, folded. Left out on purpose: the prepositions, articles and "and" that credits
 * use ("music by", "director of photography", "con la colaboracion de", "von", "da"), and
 * single letters (OCR's garbage).
 */
const PROSE_WORDS: ReadonlySet<string> = new Set(
  `
i i'm im i've i'll i'd me my you you're your yours he he's him his she she's her hers it it's its
we we're our us they they're them their this that that's these those there there's here what
who whom whose which when why how is isn't are aren't was wasn't were weren't be been being am
have has hasn't haven't had do does doesn't did didn't don't will won't would wouldn't can
can't cannot could couldn't should shouldn't shall may might must not no yes if then than so
but or because just very too also still ever never always again only really let's lets
yo tu usted ella ellos ellas nosotros vosotros mi mis tus su sus es son fue era eres soy estoy
esta estas estan esto eso este ese que pero porque como cuando donde quien muy ya aqui hay
je tu il elle nous vous ils elles mon ma mes ton ta tes son sa ses est sont etait suis es ai
avons avez ont ne pas qui que mais parce quand comme tres ici ce cette cet ces
ich du er sie wir ihr ist sind war waren bin bist hat habe haben nicht kein keine aber weil
wenn wie wo wer was sehr auch noch schon hier dieser diese dieses das dass
io lui lei noi voi loro sono era ero non che ma perche quando come dove chi molto anche
questo questa qui
eu ele ela nos voce eles elas sou era nao mas porque quando como onde quem muito tambem isso
isto aqui
`
    .trim()
    .split(/\s+/),
);

/** Distinct function words that make a frame's words running text (see isProse). */
export const MIN_PROSE_WORDS = 3;
/** Share of a frame's confident words that function words must reach to make it running text. */
export const MIN_PROSE_SHARE = 0.2;

/**
 * "The End" and its translations (folded), as an end title card shows them. Not closing
 * credits: a film puts this card between its last scene and the credits (issue 17), and a
 * title may end on it with no credits at all.
 */
const END_TITLE = /\b(the end|fin|fine|ende|fim|einde|koniec|konec|vege)\b/;
/** Most confident words an end title card has ("THE END", "The End?", "Fin de la partie"). */
export const MAX_END_TITLE_WORDS = 4;

/** A web address as OCR reads it: "www.x.org", "http://x", "name.tld/path". */
const WEB_ADDRESS =
  /^(https?:\/\/|www\.)\S+$|^[\p{L}\d-]+(\.[\p{L}\d-]+)*\.(com|org|net|io|tv|co|info|uk|de|fr|it|es)(\/\S*)?$/iu;

/** The words of a licence or copyright notice (folded), which may share a web address's card. */
const NOTICE_WORDS = new Set(
  'c copyright licensed licenced license licence under as a the creative commons attribution cc by sa nc nd all rights reserved'.split(
    ' ',
  ),
);

/** Distinct given names on a frame that make it a list of people (a page of credits). */
export const MIN_NAMES = 3;

/** Reads the OCR words of one frame (laid out on it as `layout` says, where known). */
export function readCreditsText(words: readonly OcrWord[], layout?: TextLayout): TextReading {
  // Each confident word as read, and folded: lower case, accents removed, punctuation
  // other than what the patterns use dropped.
  const confident = words
    .filter((w) => w.confidence >= MIN_WORD_CONFIDENCE)
    .map((w) => ({
      ...w,
      read: w.text,
      folded: w.text
        .normalize('NFD')
        .replace(/\p{M}/gu, '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}'&:=-]+/gu, ''),
    }))
    .filter((w) => w.folded.length > 0);
  const text = confident.map((w) => w.folded).join(' ');
  const credits = matches(text, CREDITS_PATTERNS);
  // Names as read (capitalised): "Rosa", "ROSA"; not "rosa" inside a sentence. (Korean full
  // names are counted by the CJK reader, readCjkText: Hangul only comes from its models.)
  const names = new Set(
    confident
      .filter((w) => /^\p{Lu}/u.test(w.read) && isGivenName(w.folded))
      .map((w) => w.folded.replace(/[^a-z]/g, '')),
  );
  if (names.size >= MIN_NAMES) credits.push(`names: ${[...names].join(', ')}`);
  for (const heading of headingLines(confident)) credits.push(`heading: ${heading}`);
  if (credits.length === 0 && isRoleNameColumns(confident)) credits.push('role-name columns');
  if (credits.length === 0 && isNameCard(confident, layout)) {
    credits.push(`name card: ${[...new Set(confident.map((w) => w.folded))].join(' ')}`);
  }
  const other = matches(text, OTHER_PATTERNS);
  if (isAddressCard(confident)) other.push('web address card');
  if (credits.length === 0 && isEndTitleCard(confident.map((w) => w.folded))) {
    other.push('end title card');
  }
  if (credits.length === 0 && isProse(confident.map((w) => w.folded))) other.push('running text');
  else if (credits.length === 0 && isLowerCaseText(confident.map((w) => w.read))) {
    other.push('lower-case text');
  }
  if (credits.length === 0 && layout && isCaption(confident, layout)) other.push('caption');
  return textReading(credits, other, confident.length, {
    terms: wordTerms(confident.map((w) => w.folded)),
    storyLike: names.size === 0 && isStoryLike(confident),
  });
}

/** The distinct folded words of three letters or more (to tell one card from another). */
export function wordTerms(folded: readonly string[]): string[] {
  return [...new Set(folded.filter((w) => /^\p{L}{3,}$/u.test(w)))];
}

/** A reading from the phrases found: the cue is their balance (credits less other-screen). */
export function textReading(
  credits: string[],
  other: string[],
  words: number,
  rest: Pick<TextReading, 'terms' | 'storyLike'>,
): TextReading {
  const net = credits.length - other.length;
  return { cue: net > 0 ? 1 : net < 0 ? -1 : 0, credits, other, words, ...rest };
}

/** Lower-case words that name cards do have: the particles of surnames ("van", "de la"). */
const NAME_PARTICLES = new Set(
  'van von der den del della dei des dos das los las les ter ten zum zur bin ibn ben de la le di da du y e'.split(
    ' ',
  ),
);

/** Words (surname particles aside) that make text without a lower-case word a line, not a name. */
export const MIN_STORY_LINE_WORDS = 4;
/** Fewest words of a line of story: two are a name, or another script misread as Latin ("pexuccep ahha"). */
export const MIN_STORY_WORDS = 3;

/**
 * Text that reads as a line of story (an epilogue, the story's last text screen) rather than
 * a name card: at least MIN_STORY_WORDS words, with a word of three letters or more written
 * in lower case that is no surname particle ("Volviendo a su hogar"), or with
 * MIN_STORY_LINE_WORDS words or more besides the particles ("AFTER A LONG AND HARD WINTER").
 * A name card is one or two capitalised names ("KEIKO ARAI", "MARÍA DE LA CRUZ").
 */
export function isStoryLike(words: readonly { read: string; folded: string }[]): boolean {
  // Distinct words: two looks at one frame may read the same line twice.
  const all = new Set<string>();
  const named = new Set<string>();
  let lower = false;
  for (const w of words) {
    const letters = w.read.replace(/^[¡¿("']+|[.,;:!?"')]+$/gu, '');
    if (!/^\p{L}+$/u.test(letters)) continue;
    all.add(w.folded);
    if (NAME_PARTICLES.has(w.folded)) continue;
    if (/^\p{Ll}{3,}$/u.test(letters)) lower = true;
    named.add(w.folded);
  }
  return all.size >= MIN_STORY_WORDS && (lower || named.size >= MIN_STORY_LINE_WORDS);
}

/** Most words a name card has: a name or two ("MARÍA DE LA CRUZ", "Ana Ruiz  Tom Ng"). */
export const MAX_NAME_CARD_WORDS = 6;

/**
 * A name card: a person's name, or two, and nothing else ("ROSA LARSEN", "Ana de la Cruz"),
 * the form of closing credits that show one name at a time. Two to MAX_NAME_CARD_WORDS
 * capitalised words of letters (surname particles aside), the first a given name: a title
 * with a name inside ("SUPER MARIO BROS", "Original Score Hans Z") is not one. Not when all
 * of it sits low on a frame over picture: a documentary's lower third names a speaker in
 * the story.
 */
export function isNameCard(
  words: readonly { read: string; folded: string; box?: OcrWord['box'] }[],
  layout?: TextLayout,
): boolean {
  // Distinct words: two looks at one frame may read the same name twice ("MAYA", "MAYA").
  const distinct = new Set(words.map((w) => w.folded)).size;
  if (distinct < 2 || distinct > MAX_NAME_CARD_WORDS) return false;
  const capitalised = words.every(
    (w) =>
      NAME_PARTICLES.has(w.folded) || /^\p{Lu}[\p{L}'’-]*$/u.test(w.read.replace(/[.,]+$/, '')),
  );
  if (!capitalised || !isGivenName(words[0]?.folded ?? '')) return false;
  return !(layout && isLowerThird(words, layout));
}

/** All of the text in the caption band of a frame whose upper part is picture. */
export function isLowerThird(
  words: readonly { box?: OcrWord['box'] }[],
  layout: TextLayout,
): boolean {
  return (
    layout.pictureAbove &&
    words.every((w) => w.box !== undefined && w.box.y0 >= CAPTION_TOP * layout.height)
  );
}

/**
 * A card with a web address and nothing else but a licence or copyright notice: the end card
 * of a trailer or a promo ("visit us at"), which names nobody. A roll that lists sites among
 * other words is not one.
 */
function isAddressCard(words: readonly { read: string; folded: string }[]): boolean {
  let addresses = 0;
  for (const w of words) {
    if (WEB_ADDRESS.test(w.read.replace(/[.,;:!)]+$/, ''))) addresses++;
    else if (!NOTICE_WORDS.has(w.folded) && !/^\d+$/.test(w.folded)) return false;
  }
  return addresses === 1;
}

/** The lines of a frame's confident words that are a credits heading alone (HEADINGS). */
export function headingLines(words: readonly { folded: string; line?: number }[]): string[] {
  const lines = new Map<number, string[]>();
  for (const w of words) {
    if (w.line === undefined) continue;
    const line = lines.get(w.line) ?? [];
    line.push(w.folded.replace(/[:-]+$/, ''));
    lines.set(w.line, line);
  }
  const found = new Set<string>();
  for (const line of lines.values()) {
    const text = line.join(' ');
    if (HEADINGS.has(text)) found.add(text);
  }
  return [...found];
}

/** Rows of role-name pairs that make a frame a credits list (isRoleNameColumns). */
export const MIN_COLUMN_ROWS = 3;
/** Gap between a row's two columns, in text heights (words of one name are closer). */
export const MIN_COLUMN_GAP = 1.8;

type BoxedWord = { read: string; box: NonNullable<OcrWord['box']> };

/**
 * Role-name pairs in columns ("The Mayor    Rosa Larsen"): at least MIN_COLUMN_ROWS rows
 * of text split by a wide gap into a left part and a right part that is a name (two or more
 * capitalised words), the right parts starting at the same x (within a text height), or the
 * left parts ending there. Rows are found from the word boxes, not OCR's line numbers (which
 * may split a row at its gap). A settings screen's "Theme  Dark" and a score table's
 * "ACE  50000" have no name on the right.
 */
export function isRoleNameColumns(
  words: readonly { read: string; box?: OcrWord['box'] }[],
): boolean {
  const boxed = words.filter((w): w is BoxedWord => w.box !== undefined);
  const pairs: Array<{ leftEnd: number; rightStart: number; height: number }> = [];
  for (const row of rowsOf(boxed)) {
    const height = median(row.map((w) => w.box.y1 - w.box.y0));
    let split = -1;
    let widest = 0;
    for (let i = 1; i < row.length; i++) {
      const gap = (row[i]?.box.x0 ?? 0) - (row[i - 1]?.box.x1 ?? 0);
      if (gap > widest) [widest, split] = [gap, i];
    }
    if (split < 1 || widest < MIN_COLUMN_GAP * height) continue;
    if (!isName(row.slice(split).map((w) => w.read))) continue;
    const leftEnd = row[split - 1]?.box.x1 ?? 0;
    pairs.push({ leftEnd, rightStart: row[split]?.box.x0 ?? 0, height });
  }
  if (pairs.length < MIN_COLUMN_ROWS) return false;
  const tolerance = median(pairs.map((p) => p.height));
  const aligned = (key: 'leftEnd' | 'rightStart') =>
    pairs.some(
      (p) => pairs.filter((q) => Math.abs(q[key] - p[key]) <= tolerance).length >= MIN_COLUMN_ROWS,
    );
  return aligned('rightStart') || aligned('leftEnd');
}

/** Words grouped into rows by their boxes' vertical centres, each row sorted left to right. */
function rowsOf(words: readonly BoxedWord[]): BoxedWord[][] {
  const rows: BoxedWord[][] = [];
  const centre = (w: BoxedWord) => (w.box.y0 + w.box.y1) / 2;
  for (const w of [...words].sort((a, b) => centre(a) - centre(b))) {
    const row = rows[rows.length - 1];
    const first = row?.[0];
    if (row && first && Math.abs(centre(w) - centre(first)) <= (first.box.y1 - first.box.y0) / 2) {
      row.push(w);
    } else rows.push([w]);
  }
  return rows.map((row) => row.sort((a, b) => a.box.x0 - b.box.x0));
}

/** Two or more capitalised words of letters ("Rosa Larsen", "ROSA LARSEN", "Jean-Luc Ng"). */
function isName(read: readonly string[]): boolean {
  const words = read.map((w) => w.replace(/[.,;:]+$/, ''));
  return words.length >= 2 && words.every((w) => /^\p{Lu}[\p{L}'’-]*$/u.test(w));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** A short card that says "The End" (END_TITLE) and little else: the story's last card. */
export function isEndTitleCard(folded: readonly string[]): boolean {
  return folded.length <= MAX_END_TITLE_WORDS && END_TITLE.test(folded.join(' '));
}

/**
 * Running text (sentences): at least MIN_PROSE_WORDS distinct function words making up at
 * least MIN_PROSE_SHARE of the words. A page of credits is names and roles; a caption, a
 * lyric, a post or a story slide is sentences ("I know you were there").
 */
export function isProse(
  folded: readonly string[],
  functionWords: ReadonlySet<string> = PROSE_WORDS,
): boolean {
  if (folded.length === 0) return false;
  const prose = folded.filter((w) => functionWords.has(w));
  return new Set(prose).size >= MIN_PROSE_WORDS && prose.length / folded.length >= MIN_PROSE_SHARE;
}

/** Lower-case words (three letters or more) that make a frame's words sentences (isLowerCaseText). */
export const MIN_LOWER_CASE_WORDS = 5;
/** Share of a frame's confident words of letters only that they must make up. */
export const MIN_LOWER_CASE_SHARE = 0.5;

/**
 * Sentences told by their case: most words in lower case ("just watched the sunrise from
 * the old pier"). Credits are names and roles, capitalised or in capitals; the lower-case
 * words a credits card has ("music by", "special thanks to") match its patterns first.
 * Complements isProse where the function words are few (short posts, slogans).
 */
export function isLowerCaseText(read: readonly string[]): boolean {
  // Words of letters only: numbers, handles and symbols (a post's "15h", "@felix_40") say
  // nothing about case.
  const letters = read
    .map((w) => w.replace(/^[("']+|[.,;:!?"')]+$/gu, ''))
    .filter((w) => /^\p{L}{2,}$/u.test(w));
  const lower = letters.filter((w) => /^\p{Ll}{3,}$/u.test(w));
  return (
    lower.length >= MIN_LOWER_CASE_WORDS && lower.length / letters.length >= MIN_LOWER_CASE_SHARE
  );
}

/**
 * A caption (a subtitle, a burnt-in line of a vlog): one or two lines of text, all of it in
 * the lower part of a frame whose upper part is picture, written as a sentence (some word in
 * lower case). Closing credits over picture name roles (read first) or people, capitalised
 * ("Zoe Galagher"); a card or a roll on a plain ground is not a caption.
 */
export function isCaption(words: readonly OcrWord[], layout: TextLayout): boolean {
  if (words.length === 0 || !isLowerThird(words, layout)) return false;
  const lines = new Set<number>();
  for (const w of words) {
    if (w.line === undefined) return false;
    lines.add(w.line);
  }
  const sentence = words.some((w) => /^\p{Ll}{2,}[.,!?]*$/u.test(w.text));
  return sentence && lines.size <= MAX_CAPTION_LINES;
}

function matches(text: string, patterns: readonly RegExp[]): string[] {
  const found: string[] = [];
  for (const pattern of patterns) {
    const m = pattern.exec(text);
    if (m) found.push(m[0]);
  }
  return found;
}
