/**
 * Common given names from many languages (lower case, ASCII folded): closing credits are,
 * above all, lists of people. A frame naming several people reads as credits even when no
 * role is on it (a page of names in a roll, a name card). Not exhaustive, and need not be:
 * a page of credits names many people, so a few hits are enough.
 */
export const GIVEN_NAMES: ReadonlySet<string> = new Set(
  `
aaron abdul adam adrian ahmed aisha akira alan albert alberto alex alexander alexandra alexis
alfredo ali alice alicia alison amanda amelia amir amy ana andre andrea andreas andrew andy
angela angelo ania anna anne annie anthony antoine antonio arjun arthur ashley astrid aya
barbara beatriz ben benjamin bernard beth bianca bjorn bob brian bruno carla carlos
carmen caroline catherine cecilia charles charlie charlotte chen chloe chris christian
christina christine christopher claire clara claudia colin daniel daniela david deepak denis
diana diego dimitri dmitri dominic donna dorothy duncan edward elena eleanor elias elif
elisa elizabeth ella ellen emily emma enrique eric erik ernesto esther eva fatima felix
fernando filip fiona francesca francesco francis franz freya gabriel gabriela gabriele
george georg gerald giorgio giovanni giulia greta gustavo hana hannah hans harry hassan
heather helen helena henrik henry hiroshi hugo ian igor ines ingrid irene isabel isabella isla
ivan jacob james jane janet jason javier jean jennifer jessica jim joan joanna joao
joe johan johanna john jonas jonathan jorge jose joseph juan julia julian julie karen
karin karl kate katherine katie kenji kevin kim klaus krishna laura lauren lea leah lena leo
leon liam lily linda lisa liu lorenzo louis lucas lucia luis luka lukas maja manuel marc
marco marcus margaret maria marie marina mario marta martin mary mateo matteo matthew
 maya mehmet mei mia michael michelle miguel mike mikhail ming mohammed nadia naomi natalia
natalie nathan nicholas nicolas nikola nina noah noor nora olga oliver olivia omar oscar pablo
paolo patricia patrick paul paula pedro peter philip pierre pietro priya rachel rafael raj
rajesh ramon raul rebecca ricardo richard rita robert roberto rosa ryan sam samuel sandra
sara sarah sebastian sergei sergio simon sofia sophie stefan stephanie stephen steve steven
susan sven takeshi tanya teresa thomas tim timothy tom tomas valentina vera victor victoria
viktor vincent walter wang wei william xavier yuki yusuf zoe
`
    .trim()
    .split(/\s+/),
);

/** Whether a word, folded as text-cues.ts folds them (lower case, no accents), is a given name. */
export function isGivenName(folded: string): boolean {
  const letters = folded.replace(/[^a-z]/g, '');
  return letters.length > 1 && GIVEN_NAMES.has(letters);
}

/**
 * The 55 commonest Korean surnames (one syllable each; together about nine Koreans in ten).
 * Korean names are written without a space: a family name, then a given name of two
 * syllables, so OCR reads a whole name as one word.
 */
const KOREAN_SURNAMES = new Set([
  ...'김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄채원천방공현함변염여추',
]);

/**
 * Whether a word (folded as text-cues.ts folds them: NFD, so Hangul arrives as jamo) is a
 * Korean full name: three Hangul syllables starting with a common surname ("박서연").
 */
export function isKoreanFullName(folded: string): boolean {
  const word = folded.normalize('NFC');
  return /^[가-힣]{3}$/u.test(word) && KOREAN_SURNAMES.has(word[0] as string);
}

/** A given name (Latin letters) or a Korean full name: a word that names a person. */
export function isPersonName(folded: string): boolean {
  return isGivenName(folded) || isKoreanFullName(folded);
}
