/**
 * Does the name typed as a signature resemble the account's Entra display name? The typed name
 * is what the person asserted; the display name comes from the directory (the token), so a
 * signature typed as someone else's name ("Bob Jones" signed from Alice Brown's account) is
 * worth a second look from the approver. Only a clear mismatch is flagged: initials ("J. Smith"),
 * titles ("Mrs Smith"), "Smith, Jane", middle names, accents, case, punctuation and common short
 * forms ("Kate" for Katherine) all resemble. A heuristic, so it flags and never refuses: the
 * approver always sees both names side by side.
 */
export type NameResemblance =
  /** The same words, perhaps reordered, recased, accented or punctuated differently. */
  | 'same'
  /** Compatible: initials, a title, middle names, a short form, one name given. */
  | 'similar'
  /** Not the account's name, or no name at all: flag it. */
  | 'different';

/** Honorifics and post-nominals that say nothing about who someone is. Whole words only. */
const TITLES: ReadonlySet<string> = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'prof',
  'professor',
  'rev',
  'revd',
  'reverend',
  'sir',
  'dame',
  'cllr',
  'jr',
  'jnr',
  'sr',
  'snr',
  'phd',
  'mbe',
  'obe',
  'cbe',
  'qts',
  'pgce',
  'bsc',
  'msc',
]);

/**
 * Short forms that are not a prefix of the name ("Bob" for Robert). Each short form matches its
 * names and the other short forms of the same name, never a different full name: "Sam" resembles
 * Samuel and Samantha, Samuel does not resemble Samantha.
 */
const SHORT_FORMS: Readonly<Record<string, readonly string[]>> = {
  robert: ['bob', 'bobby', 'rob', 'robbie', 'bert'],
  william: ['bill', 'billy', 'will', 'willy', 'liam'],
  elizabeth: ['liz', 'lizzie', 'beth', 'betty', 'bess', 'eliza', 'libby', 'elsie'],
  katherine: ['kate', 'katie', 'kat', 'kathy', 'kath', 'kay'],
  catherine: ['kate', 'katie', 'cath', 'cathy', 'kay'],
  kathryn: ['kate', 'katie', 'kathy', 'kath'],
  margaret: ['maggie', 'meg', 'peggy', 'marge', 'margie', 'greta'],
  james: ['jim', 'jimmy', 'jamie'],
  richard: ['rick', 'ricky', 'dick', 'rich', 'richie'],
  edward: ['ed', 'eddie', 'ted', 'teddy', 'ned'],
  john: ['jack', 'johnny', 'jon'],
  jonathan: ['jon', 'jonny', 'johnny'],
  henry: ['harry', 'hal'],
  michael: ['mike', 'mikey', 'mick', 'micky', 'mickey'],
  christopher: ['chris', 'kit'],
  christine: ['chris', 'chrissie', 'tina'],
  christina: ['chris', 'chrissie', 'tina'],
  stephen: ['steve', 'stevie'],
  steven: ['steve', 'stevie'],
  stephanie: ['steph'],
  rebecca: ['becky', 'becca', 'bex'],
  alexander: ['alex', 'sandy', 'xander'],
  alexandra: ['alex', 'sandy', 'lexi'],
  anthony: ['tony', 'ant'],
  antonia: ['toni'],
  nicholas: ['nick', 'nicky'],
  nicola: ['nicky', 'nikki'],
  joseph: ['joe', 'joey'],
  josephine: ['jo', 'josie'],
  joanne: ['jo'],
  joanna: ['jo'],
  patricia: ['pat', 'patty', 'trish', 'tricia'],
  patrick: ['pat', 'paddy'],
  susan: ['sue', 'suzy', 'susie'],
  suzanne: ['sue', 'suzy', 'susie'],
  jennifer: ['jen', 'jenny', 'jenni'],
  deborah: ['deb', 'debbie', 'debs'],
  victoria: ['vicky', 'vicki', 'tori'],
  charles: ['charlie', 'chas', 'chuck'],
  charlotte: ['charlie', 'lottie'],
  andrew: ['andy', 'drew'],
  andrea: ['andi'],
  matthew: ['matt', 'matty'],
  david: ['dave', 'davy'],
  peter: ['pete'],
  frederick: ['fred', 'freddie'],
  abigail: ['abby', 'abi'],
  gregory: ['greg'],
  kenneth: ['ken', 'kenny'],
  timothy: ['tim', 'timmy'],
  philip: ['phil', 'pip'],
  phillip: ['phil', 'pip'],
  mary: ['molly', 'polly'],
  sarah: ['sally', 'sadie'],
  eleanor: ['ellie', 'nell', 'nellie'],
  helen: ['nell', 'nellie'],
  ann: ['annie', 'nan', 'nancy'],
  anne: ['annie', 'nan', 'nancy'],
  dorothy: ['dot', 'dottie', 'dolly'],
  jacqueline: ['jackie', 'jacqui'],
  amanda: ['mandy'],
  lawrence: ['larry', 'laurie'],
  laurence: ['larry', 'laurie'],
  raymond: ['ray'],
  ronald: ['ron', 'ronnie'],
  donald: ['don', 'donnie'],
  terence: ['terry'],
  theresa: ['tess', 'tessa', 'terri'],
  teresa: ['tess', 'tessa', 'terri'],
  isabel: ['izzy', 'bella'],
  isabella: ['izzy', 'bella'],
  isobel: ['izzy'],
  penelope: ['penny'],
  judith: ['judy', 'jude'],
  caroline: ['carrie', 'caz'],
  gareth: ['gaz'],
  benjamin: ['ben', 'benny'],
  daniel: ['dan', 'danny'],
  danielle: ['dani'],
  samuel: ['sam', 'sammy'],
  samantha: ['sam', 'sammy'],
  thomas: ['tom', 'tommy'],
};

/** Each name and short form, to the full names it may stand for (itself included). */
const FULL_NAMES: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const map = new Map<string, Set<string>>();
  const add = (form: string, full: string) => {
    const set = map.get(form) ?? new Set<string>();
    set.add(full);
    map.set(form, set);
  };
  for (const [full, forms] of Object.entries(SHORT_FORMS)) {
    add(full, full);
    for (const form of forms) add(form, full);
  }
  return map;
})();

/** Letters that do not decompose into a base letter and a mark. */
const LETTERS: Readonly<Record<string, string>> = {
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ß: 'ss',
  ς: 'σ',
};

interface NameToken {
  /** The word without hyphens ("smithjones"). */
  text: string;
  /** A hyphenated word's parts, each of which may match alone ("smith", "jones"). */
  parts: readonly string[];
  /** Said in brackets ("Jane Smith (Staff)"): may match, never needs to. */
  optional: boolean;
}

/** Case-fold, strip accents and punctuation: "Siobhán O’Brien-Ní" → "siobhan obrien-ni". */
function fold(value: string): string[] {
  return (
    value
      // Upper then lower folds more than lower alone (ß → SS → ss).
      .toUpperCase()
      .toLowerCase()
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .replace(/[øæœłđðþıħŧßς]/gu, (c) => LETTERS[c] ?? c)
      // O'Brien is one word; a hyphen keeps a double-barrelled name's parts together.
      .replace(/['‘’ʼ`´]/gu, '')
      .replace(/\p{Pd}/gu, '-')
      .replace(/[^\p{L}\p{N}-]+/gu, ' ')
      .split(' ')
      .map((word) => word.replace(/^-+|-+$/g, '').replace(/-{2,}/g, '-'))
      .filter((word) => word !== '' && !TITLES.has(word))
  );
}

function tokensOf(name: string): NameToken[] {
  let value = name.normalize('NFKC').replace(/\p{Default_Ignorable_Code_Point}|\p{Cf}/gu, '');
  // "Smith, Jane" is Jane Smith: the order matters for telling middle names from padding.
  const commaParts = value.split(',');
  if (commaParts.length === 2 && commaParts.every((p) => /\p{L}/u.test(p))) {
    value = `${commaParts[1]} ${commaParts[0]}`;
  }
  const tokens: NameToken[] = [];
  const push = (segment: string, optional: boolean) => {
    for (const word of fold(segment)) {
      const parts = word.split('-');
      tokens.push({ text: parts.join(''), parts, optional });
    }
  };
  let at = 0;
  for (const bracket of value.matchAll(/[([{]([^()[\]{}]*)[)\]}]?/g)) {
    push(value.slice(at, bracket.index), false);
    push(bracket[1] ?? '', true);
    at = bracket.index + bracket[0].length;
  }
  push(value.slice(at), false);
  return tokens;
}

/** "O Brien" against "O'Brien": adjacent words that together are one word of the other name. */
function mergeRuns(tokens: readonly NameToken[], other: readonly NameToken[]): NameToken[] {
  const words = new Set(other.map((t) => t.text));
  const out: NameToken[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    let merged: NameToken | undefined;
    for (const length of [3, 2]) {
      const run = tokens.slice(i, i + length);
      if (run.length < length) continue;
      const text = run.map((t) => t.text).join('');
      if (words.has(text) && !words.has(run[0]?.text ?? '')) {
        merged = { text, parts: [text], optional: run.every((t) => t.optional) };
        i += length - 1;
        break;
      }
    }
    const token = tokens[i];
    if (merged !== undefined) out.push(merged);
    else if (token !== undefined) out.push(token);
  }
  return out;
}

/** Initials, short forms and nickname-length prefixes ("Al", no; "Alex" for Alexandra, yes). */
function wordsResemble(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 1) return long.startsWith(short);
  if (short.length >= 3 && short.length <= 4 && long.startsWith(short)) return true;
  const fullA = FULL_NAMES.get(a);
  const fullB = FULL_NAMES.get(b);
  if (fullA === undefined || fullB === undefined) return false;
  // A short form and its name, or two short forms of one name; never two different names.
  if (SHORT_FORMS[a] !== undefined && SHORT_FORMS[b] !== undefined) return false;
  return [...fullA].some((full) => fullB.has(full));
}

function exactly(a: NameToken, b: NameToken): boolean {
  return a.text === b.text;
}

function loosely(a: NameToken, b: NameToken): boolean {
  const formsA = a.parts.length > 1 ? [a.text, ...a.parts] : [a.text];
  const formsB = b.parts.length > 1 ? [b.text, ...b.parts] : [b.text];
  return formsA.some((x) => formsB.some((y) => wordsResemble(x, y)));
}

/**
 * Matches every required (not bracketed) word of `needed` to a distinct word of `pool`, exact
 * matches first so an initial does not take a word another word needs. Returns which pool words
 * were used, or undefined when some required word has no match.
 */
function cover(
  needed: readonly NameToken[],
  pool: readonly NameToken[],
): ReadonlySet<number> | undefined {
  const used = new Set<number>();
  const pending = needed.filter((t) => !t.optional);
  for (const match of [exactly, loosely]) {
    for (let i = pending.length - 1; i >= 0; i -= 1) {
      const token = pending[i];
      if (token === undefined) continue;
      const found = pool.findIndex((p, j) => !used.has(j) && match(token, p));
      if (found === -1) continue;
      used.add(found);
      pending.splice(i, 1);
    }
  }
  return pending.length === 0 ? used : undefined;
}

/** Compares a typed signature name with the account's display name. */
export function nameResemblance(typedName: string, displayName: string): NameResemblance {
  const account = tokensOf(displayName);
  const typed = mergeRuns(tokensOf(typedName), account);
  const shown = mergeRuns(account, typed);
  const typedWords = typed.filter((t) => !t.optional);
  const shownWords = shown.filter((t) => !t.optional);
  // An account with no name in its display name gives nothing to compare against.
  if (shownWords.length === 0) return 'similar';
  if (typedWords.length === 0) return 'different';

  const sorted = (tokens: readonly NameToken[]) =>
    tokens
      .map((t) => t.text)
      .sort()
      .join(' ');
  if (sorted(typedWords) === sorted(shownWords)) return 'same';

  // Fewer words than the account's, each one of them (initials, one name, no middle name).
  if (cover(typed, shown) !== undefined) return 'similar';
  // More words: the account's name with extra words only in the middle (middle names), so
  // "Alice Brown" padded as "Alice Brown for Bob Jones" still differs.
  const used = cover(shown, typed);
  if (used !== undefined) {
    const first = typed.indexOf(typedWords[0] as NameToken);
    const last = typed.indexOf(typedWords[typedWords.length - 1] as NameToken);
    if (used.has(first) && used.has(last)) return 'similar';
  }
  return 'different';
}

/** What an approver or admin is warned about: the typed name is clearly not the account's. */
export function typedNameDiffers(typedName: string, displayName: string): boolean {
  return nameResemblance(typedName, displayName) === 'different';
}

/**
 * The typed name beside the account it was signed from, wherever a signature is shown:
 * "Typed: Jane Smith · Account: Jane Smith (jane@school)".
 */
export function signedAsLine(
  ack: Readonly<{ typedName: string; displayName: string; upn: string }>,
): string {
  return `Typed: ${ack.typedName} · Account: ${ack.displayName} (${ack.upn})`;
}
