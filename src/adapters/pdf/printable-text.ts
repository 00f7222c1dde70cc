// Names and policy text print as written ("Zoë Ní Bhriain", "Łukasz Wójcik", "Siobhán"): the PDFs
// embed DejaVu Sans, whose glyphs cover Latin, Greek and Cyrillic. A character the font has no
// glyph for (an emoji, CJK) would print as an empty box, so it becomes its base letter when a
// decomposition gives one the font has, else "?". The pack's JSON keeps every name exactly.

/** The text as the PDF prints it on one line (tabs and line breaks become spaces). */
export function printableText(text: string, hasGlyph: (codePoint: number) => boolean): string {
  let out = '';
  for (const ch of text.replace(/[\t\r\n]+/g, ' ')) {
    if (hasGlyph(ch.codePointAt(0) ?? 0)) {
      out += ch;
      continue;
    }
    const stripped = ch.normalize('NFKD').replace(/\p{M}/gu, '');
    out +=
      stripped !== '' && [...stripped].every((c) => hasGlyph(c.codePointAt(0) ?? 0))
        ? stripped
        : '?';
  }
  return out;
}
