import type { Clause } from '../../api/api-types.ts';

/** A school's own sections, as the variant holds them. */
export interface VariantSections {
  sections: { heading: string; clauses: Clause[] }[];
}

/** The domain's audience keys (src/domain/policy-document.ts, audienceKeySchema). */
const AUDIENCE_KEY = /^[a-z][a-z0-9-]{0,39}$/u;
/** "3. ", "2.1) ": a numbered clause (the number is given when composed, after the trust's). */
const NUMBERED = /^(\d{1,3}(?:\.\d{1,3})*)[.)]\s+(.*)$/u;
/** "[staff, governors] ": the clause is for these audiences only. */
const AUDIENCES = /^\[([^\]]*)\]\s*(.*)$/u;

function clauseLine(clause: Clause): string {
  const number = clause.number === undefined ? '' : `${clause.number}. `;
  const audience = clause.audience === undefined ? '' : `[${clause.audience.join(', ')}] `;
  return `${number}${audience}${clause.text}`;
}

/**
 * A school's own clauses as one text a school admin edits: a line "## Heading" starts a section,
 * a line "- text" is a sub-item of the clause above it, any other line is a clause; blank lines
 * are ignored. A clause starting with a number ("1. …") is numbered: Countersign gives it its
 * number after the trust's clauses when the text is composed, so what is typed only marks it. A
 * clause starting (after any number) with audiences in brackets ("[staff] …", "[staff,
 * governors] …") is for those audiences only. Clauses of a school are short house rules, so a
 * text box is enough, and it reads the same with a screen reader as it does on screen.
 */
export function variantToText(variant: VariantSections): string {
  return variant.sections
    .map((section) =>
      [
        `## ${section.heading}`,
        ...section.clauses.flatMap((clause) => [
          clauseLine(clause),
          ...clause.items.map((item) => `- ${item}`),
        ]),
      ].join('\n'),
    )
    .join('\n\n');
}

/** One clause line: its number mark, its audiences, its text (or what is wrong with it). */
function readClause(line: string, at: string): { clause: Clause } | { problem: string } {
  let rest = line;
  let number: string | undefined;
  const numbered = NUMBERED.exec(rest);
  if (numbered !== null) {
    number = numbered[1];
    rest = numbered[2] ?? '';
  }
  let audience: string[] | undefined;
  const restricted = AUDIENCES.exec(rest);
  if (restricted !== null) {
    audience = (restricted[1] ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    rest = restricted[2] ?? '';
    if (audience.length === 0) {
      return { problem: `${at}: name at least one audience in the brackets, “[staff]”.` };
    }
    const wrong = audience.find((a) => !AUDIENCE_KEY.test(a));
    if (wrong !== undefined) {
      return {
        problem: `${at}: “${wrong}” is not an audience key (lower-case letters, digits and hyphens, as the school’s settings name them).`,
      };
    }
  }
  if (rest.trim() === '') return { problem: `${at}: the clause has no text.` };
  return {
    clause: {
      ...(number === undefined ? {} : { number }),
      text: rest.trim(),
      ...(audience === undefined ? {} : { audience }),
      items: [],
    },
  };
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
    const read = readClause(line, `Line ${index + 1}`);
    if ('problem' in read) problems.push(read.problem);
    else section.clauses.push(read.clause);
  });
  for (const section of sections) {
    if (section.clauses.length === 0) {
      problems.push(`“${section.heading || '##'}” has no clauses under it.`);
    }
  }
  return { variant: { sections }, problems };
}
