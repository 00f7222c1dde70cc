import { CountersignError } from './errors.ts';
import type { AudienceKey, PolicyDocument } from './policy-document.ts';
import type { SchoolVariant } from './policy-variant.ts';
import type { School } from './school.ts';

function stem(word: string): string {
  const w = word.toLowerCase().trim();
  return w.endsWith('s') ? w.slice(0, -1) : w;
}

/**
 * Matches an audience named in a document ("governor", "Governors", "staff") to one of the
 * school's audience keys, by key or label, singular or plural. Undefined when none matches.
 */
export function matchAudience(
  school: Pick<School, 'audiences'>,
  name: string,
): AudienceKey | undefined {
  const wanted = stem(name);
  return school.audiences.find((a) => stem(a.key) === wanted || stem(a.label) === wanted)?.key;
}

/**
 * The document with every clause's audience restriction in the school's own keys, so an
 * imported "(for staff and governors)" reaches the people in the Governors audience. A
 * restriction naming no audience of the school is refused, naming the clause: silently
 * dropping it would hide or widen a clause.
 */
export function resolveDocumentAudiences(
  document: PolicyDocument,
  school: Pick<School, 'audiences'>,
): PolicyDocument {
  const unknown: string[] = [];
  const sections = document.sections.map((section) => ({
    ...section,
    clauses: section.clauses.map((clause) => {
      if (clause.audience === undefined) return clause;
      const keys = clause.audience.map((name) => {
        const key = matchAudience(school, name);
        if (key === undefined)
          unknown.push(`"${name}" on clause ${clause.number ?? clause.text.slice(0, 40)}`);
        return key ?? name;
      });
      return { ...clause, audience: [...new Set(keys)] };
    }),
  }));
  if (unknown.length > 0) {
    throw new CountersignError(
      'validation',
      `These audiences are not the school's (${school.audiences.map((a) => a.key).join(', ')}): ${unknown.join('; ')}.`,
      { field: 'document.sections.clauses.audience' },
    );
  }
  return { ...document, sections };
}

/**
 * A school's own clauses (its variant of a trust policy) with every audience restriction in the
 * school's keys. A restriction must name an audience of the school that the policy applies to:
 * one the school lacks, or one the policy is not for (nobody would read the clause), is refused,
 * naming the clause and the audiences it may name.
 */
export function resolveVariantAudiences(
  variant: SchoolVariant,
  school: Pick<School, 'name' | 'audiences'>,
  policyAudiences: readonly AudienceKey[],
): SchoolVariant {
  const allowed = school.audiences.filter((a) => policyAudiences.includes(a.key));
  const refused: string[] = [];
  const sections = variant.sections.map((section, s) => ({
    ...section,
    clauses: section.clauses.map((clause, c) => {
      if (clause.audience === undefined) return clause;
      const keys = clause.audience.map((name) => {
        const key = matchAudience({ audiences: allowed }, name);
        if (key === undefined) {
          const where = clause.number ?? `${c + 1} of “${section.heading || `section ${s + 1}`}”`;
          refused.push(`“${name}” on clause ${where} (“${clause.text.slice(0, 40)}”)`);
        }
        return key ?? name;
      });
      return { ...clause, audience: [...new Set(keys)] };
    }),
  }));
  if (refused.length > 0) {
    throw new CountersignError(
      'validation',
      `A clause can be for ${school.name}'s audiences this policy applies to only (${allowed.map((a) => a.key).join(', ') || 'none'}): ${refused.join('; ')}.`,
      { field: 'sections.clauses.audience', audiences: allowed.map((a) => a.key) },
    );
  }
  return { sections };
}
