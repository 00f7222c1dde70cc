// The standard PDF fonts (Helvetica) encode WinAnsi (Windows-1252) only; pdf-lib refuses any
// other character, and embedding a Unicode font would need fontkit, which is not a dependency.
// So text is brought into WinAnsi here: accents a decomposition can drop are dropped ("Łukasz"
// has none to drop and prints "?ukasz"). The pack's JSON keeps every name exactly as signed.

/** The 27 characters Windows-1252 puts in 0x80–0x9F (the rest of it is Latin-1). */
const CP1252_EXTRAS = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

function encodable(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || CP1252_EXTRAS.has(ch);
}

/** The text with every character the standard fonts cannot print replaced (tabs become spaces). */
export function toWinAnsi(text: string): string {
  let out = '';
  for (const ch of text.replace(/[\t\r\n]+/g, ' ')) {
    if (encodable(ch)) {
      out += ch;
      continue;
    }
    const stripped = ch.normalize('NFKD').replace(/\p{M}/gu, '');
    out += [...stripped].every(encodable) && stripped !== '' ? stripped : '?';
  }
  return out;
}
