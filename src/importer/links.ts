/**
 * Links in a policy's text. A clause keeps its links as the bare address, after the words it was
 * on when those differ ("the Online Safety Policy (https://…)"), so the text reads the same
 * printed, in a card and in the tab, and a client can make every https address clickable.
 */

/** A text export's link: `<https://…>` (Word's and pandoc's plain text) or `<mailto:…>`. */
const BRACKETED = /<((?:https?:\/\/|mailto:)[^\s<>]{1,2000})>/gi;
const ADDRESS_ONLY = /^(?:https?:\/\/|www\.)[^\s<>]+$/i;

/** `<https://…>` alone on a line becomes the address; after words, the address in brackets. */
export function unbracketLinks(text: string): string {
  return text.replace(BRACKETED, (_whole, address: string, offset: number, all: string) => {
    const bare = address.replace(/^mailto:/i, '');
    const before = all.slice(0, offset).trim();
    const after = all.slice(offset + _whole.length).trim();
    return before === '' && after === '' ? bare : `(${bare})`;
  });
}

/** A line that is a link and nothing else: never a heading, it belongs to the clause before. */
export function isLinkLine(text: string): boolean {
  return ADDRESS_ONLY.test(text.trim().replace(/^\((.*)\)$/, '$1'));
}

function plain(address: string): string {
  return address
    .replace(/^(?:https?:\/\/|mailto:)/i, '')
    .replace(/^www\./i, '')
    .replace(/\/$/, '')
    .toLowerCase();
}

/**
 * The text of a Word hyperlink as the clause keeps it: its words, then its address when the
 * words do not already say it. Links inside the document (bookmarks) keep their words only.
 */
export function hyperlinkText(words: string, href: string): string {
  if (!/^(?:https?:\/\/|mailto:)/i.test(href)) return words;
  if (words.trim() === '') return href.replace(/^mailto:/i, '');
  if (plain(words.trim()) === plain(href) || words.includes(href)) return words;
  if (/^mailto:/i.test(href)) return words.includes('@') ? words : `${words} (${href.slice(7)})`;
  return `${words} (${href})`;
}
