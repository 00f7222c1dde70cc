import type { Clause } from '../../api/api-types.ts';

/** A school's own sections, as the variant holds them. */
export interface VariantSections {
  sections: { heading: string; clauses: Clause[] }[];
}

/**
 * A school's own clauses as one text a school admin edits: a line "## Heading" starts a section,
 * a line "- text" is a sub-item of the clause above it, any other line is a clause; blank lines
 * are ignored. Clauses of a school are short house rules, so a text box is enough, and it reads
 * the same with a screen reader as it does on screen.
 */
export function variantToText(variant: VariantSections): string {
  return variant.sections
    .map((section) =>
      [
        `## ${section.heading}`,
        ...section.clauses.flatMap((clause) => [
          clause.text,
          ...clause.items.map((item) => `- ${item}`),
        ]),
      ].join('\n'),
    )
    .join('\n\n');
}

/** The text back to sections; what would be refused is said, in words, instead. */
export function textToVariant(text: string): { variant: VariantSections; problems: string[] } {
  const sections: VariantSections['sections'] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('##')) {
      sections.push({ heading: line.replace(/^#+\s*/, ''), clauses: [] });
      return;
    }
    const section = sections.at(-1);
    if (section === undefined) {
      problems.push(`Line ${index + 1}: start with a heading line, “## Our own rules”.`);
      return;
    }
    if (line.startsWith('- ')) {
      const clause = section.clauses.at(-1);
      if (clause === undefined) {
        problems.push(`Line ${index + 1}: a sub-item (“- …”) needs a clause above it.`);
        return;
      }
      clause.items.push(line.slice(2).trim());
      return;
    }
    section.clauses.push({ text: line, items: [] });
  });
  for (const section of sections) {
    if (section.clauses.length === 0) {
      problems.push(`“${section.heading || '##'}” has no clauses under it.`);
    }
  }
  return { variant: { sections }, problems };
}
