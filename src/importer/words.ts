/** Word-level helpers shared by the importer's heuristics. */

const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can do for from had has have he her his i if in into is it ' +
    'its me my no nor not of on or our she so than that the their them then there these they this ' +
    'those to too up us was we were what when where which who will with would you your'
  ).split(' '),
);

/** Words that leave a phrase unfinished: a line ending in one carries on in the next. */
const CONNECTORS = new Set(
  (
    'a an and as at by for from in into of on or nor that the their them these they this those ' +
    'to with which who whose whom my our your its his her any all such including e.g. i.e. is are ' +
    'be will would should must may can not than then when where if but so both either'
  ).split(' '),
);

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word.toLowerCase());
}

/** Lower-case words of a text (letters, digits and apostrophes). */
export function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}'’]+/u)
    .map((w) => w.replace(/^['’]+|['’]+$/g, ''))
    .filter((w) => w !== '');
}

/** The text stops mid-phrase: on a comma, a hyphen or a word such as "the" or "and". */
export function endsMidPhrase(text: string): boolean {
  if (/[,\-–—/&(]$/.test(text)) return true;
  const last = /(\S+)$/.exec(text)?.[1]?.toLowerCase();
  return last !== undefined && CONNECTORS.has(last);
}

/** Ends as a sentence or a lead-in does. */
export function endsSentence(text: string): boolean {
  return /[.!?;:]['"’”)\]]*$/.test(text);
}

export function startsLowerCase(text: string): boolean {
  return /^[\p{Ll}]/u.test(text);
}

/** Share of the longer words (4+ letters) that start with a capital: Title Case scores high. */
export function titleCaseRatio(text: string): number {
  const long = text.split(/\s+/).filter((w) => /^\p{L}{4,}/u.test(w.replace(/^[("'‘“]+/, '')));
  if (long.length === 0) {
    const any = text.split(/\s+/).filter((w) => /\p{L}/u.test(w));
    if (any.length === 0) return 0;
    return any.filter((w) => /^\p{Lu}/u.test(w)).length / any.length;
  }
  return long.filter((w) => /^[("'‘“]*\p{Lu}/u.test(w)).length / long.length;
}
