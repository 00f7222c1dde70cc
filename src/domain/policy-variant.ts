import { z } from 'zod';
import { CountersignError } from './errors.ts';
import {
  sectionSchema,
  UNPLACED_SECTION_HEADING,
  type Clause,
  type PolicyDocument,
  type Section,
} from './policy-document.ts';

/**
 * Trust-wide policies with school variants (issue 14, item 3). The trust publishes the master
 * text; each school adds its own clauses (its variant) and its contacts fill the master's
 * placeholders. What a person of school S signs is the effective document, master + S's variant,
 * stored as a version of S's own copy of the policy (effective-version.ts) with its own content
 * hash: evidence stays the exact text that person saw.
 */

/** A contact a placeholder names: `{{contact:dsl}}` in the master reads "Daniel Okafor (…)". */
export const contactKeySchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'a contact key is lower-case letters, digits and hyphens');

export const schoolContactSchema = z.object({
  key: contactKeySchema,
  /** As the text prints it: "Daniel Okafor". */
  name: z.string().trim().min(1).max(200),
  /** "Designated Safeguarding Lead". */
  role: z.string().trim().min(1).max(200).optional(),
  /** How to reach them: "dsl@oakfield.sch.uk, ext. 214". */
  detail: z.string().trim().min(1).max(300).optional(),
});
export type SchoolContact = z.infer<typeof schoolContactSchema>;

/**
 * What a school adds to a trust policy: its own sections, printed after the master's. Its clauses
 * have the master's shape (clauseSchema): a clause with a `number` is numbered, its number given
 * at composition, continuing after the master's (numberSchoolClauses: what the school typed is a
 * mark, not the number, unless the master's own numbers follow no scheme); a clause with an
 * `audience` applies to those audiences only, which must be the school's and the policy's
 * (resolveVariantAudiences, audience-keys.ts, when the school publishes or previews it).
 */
export const schoolVariantSchema = z.object({
  sections: z.array(sectionSchema).max(50),
});
export type SchoolVariant = z.infer<typeof schoolVariantSchema>;

/** How the master numbers its clauses, read from its numbers (the draft editor's schemes). */
type MasterNumbering =
  | { kind: 'continuous'; last: number }
  | { kind: 'restart' }
  | { kind: 'dotted'; lastSection: number }
  | { kind: 'as-typed' };

function masterNumbering(master: PolicyDocument): MasterNumbering {
  const bySection = master.sections
    .filter((s) => s.heading !== UNPLACED_SECTION_HEADING)
    .map((s) => s.clauses.flatMap((c) => (c.number === undefined ? [] : [c.number])))
    .filter((numbers) => numbers.length > 0);
  const all = bySection.flat();
  if (all.length === 0) return { kind: 'continuous', last: 0 };
  if (all.every((n) => /^\d+$/u.test(n))) {
    const whole = all.map(Number);
    if (whole.every((n, i) => n === i + 1)) return { kind: 'continuous', last: whole.length };
    const restarts = bySection.every((numbers) => numbers.every((n, i) => Number(n) === i + 1));
    return restarts ? { kind: 'restart' } : { kind: 'as-typed' };
  }
  if (all.every((n) => /^\d+\.\d+$/u.test(n))) {
    return { kind: 'dotted', lastSection: Math.max(...all.map((n) => Number(n.split('.')[0]))) };
  }
  return { kind: 'as-typed' };
}

/**
 * The school's clauses numbered after the master's, as the master numbers its own: "1, 2, 3…
 * through the whole policy" goes on from the master's last number; "again in each section"
 * starts each school section at 1; "2.1, 2.2… by section" gives each school section with a
 * numbered clause the next section number. Only clauses with a number are numbered (an
 * unnumbered clause stays so); a master whose numbers follow none of these (letters, roman,
 * gaps) leaves the school's numbers as typed.
 */
export function numberSchoolClauses(master: PolicyDocument, variant: SchoolVariant): SchoolVariant {
  const scheme = masterNumbering(master);
  if (scheme.kind === 'as-typed') return variant;
  let running = scheme.kind === 'continuous' ? scheme.last : 0;
  let section = scheme.kind === 'dotted' ? scheme.lastSection : 0;
  return {
    sections: variant.sections.map((s) => {
      if (scheme.kind === 'dotted' && s.clauses.some((c) => c.number !== undefined)) section++;
      let inSection = 0;
      return {
        ...s,
        clauses: s.clauses.map((clause) => {
          if (clause.number === undefined) return clause;
          inSection++;
          running++;
          switch (scheme.kind) {
            case 'continuous':
              return { ...clause, number: String(running) };
            case 'restart':
              return { ...clause, number: String(inSection) };
            case 'dotted':
              return { ...clause, number: `${section}.${inSection}` };
          }
        }),
      };
    }),
  };
}

/**
 * Where an effective version's text came from: which master version and which variant version
 * of the school (0: the school had added nothing yet). The variant itself is kept with it, so the
 * next master is composed with the school's clauses without asking the school again.
 */
export const compositionSchema = z.object({
  masterPolicyKey: z.string().min(1).max(64),
  masterVersion: z.number().int().min(1),
  variantVersion: z.number().int().min(0),
  variant: schoolVariantSchema,
});
export type Composition = z.infer<typeof compositionSchema>;

/**
 * The part of a composition that evidence records name (the variant's text is in the document):
 * a signature and a published version of a school's copy say which master and variant they are.
 */
export const compositionRefSchema = compositionSchema.pick({
  masterPolicyKey: true,
  masterVersion: true,
  variantVersion: true,
});

/** What a composition is filled from: the school's name and its contacts (its settings). */
export interface VariantSchool {
  id: string;
  name: string;
  contacts?: readonly SchoolContact[] | undefined;
}

const PLACEHOLDER = /\{\{\s*(school|contact:([a-z][a-z0-9-]{0,39}))\s*\}\}/gu;

function describeContact(contact: SchoolContact): string {
  const role = contact.role === undefined ? '' : ` (${contact.role})`;
  const detail = contact.detail === undefined ? '' : `, ${contact.detail}`;
  return `${contact.name}${role}${detail}`;
}

/** The contact keys a text's placeholders name, in order of first use. */
export function placeholderContacts(text: string): string[] {
  const keys: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const key = match[2];
    if (key !== undefined && !keys.includes(key)) keys.push(key);
  }
  return keys;
}

function everyText(doc: PolicyDocument): string[] {
  return [
    doc.title,
    ...doc.sections.flatMap((s) => [
      s.heading,
      ...s.clauses.flatMap((c) => [c.number ?? '', c.text, ...c.items]),
    ]),
    doc.declaration,
    ...doc.consents.map((c) => c.text),
    ...(doc.approval === null
      ? []
      : [doc.approval.statement, doc.approval.approverName ?? '', doc.approval.approverRole ?? '']),
  ];
}

/**
 * Fills `{{school}}` with the school's name and `{{contact:KEY}}` with its contact of that key,
 * everywhere in the document. A contact the school has not set is refused ('validation', naming
 * the school and the keys): a school's people never sign a text with a hole where their DSL
 * should be.
 */
export function fillPlaceholders(doc: PolicyDocument, school: VariantSchool): PolicyDocument {
  const contacts = new Map((school.contacts ?? []).map((c) => [c.key, c]));
  const missing = [...new Set(everyText(doc).flatMap(placeholderContacts))].filter(
    (key) => !contacts.has(key),
  );
  if (missing.length > 0) {
    throw new CountersignError(
      'validation',
      `${school.name} has no contact ${missing.map((k) => `"${k}"`).join(', ')} in its settings, which the trust policy names.`,
      { schoolId: school.id, contacts: missing },
    );
  }
  const fill = (text: string): string =>
    text.replace(PLACEHOLDER, (whole, what: string, key: string | undefined) => {
      if (key === undefined) return what === 'school' ? school.name : whole;
      const contact = contacts.get(key);
      return contact === undefined ? whole : describeContact(contact);
    });
  const clause = (c: Clause): Clause => ({
    ...c,
    ...(c.number === undefined ? {} : { number: fill(c.number) }),
    text: fill(c.text),
    items: c.items.map(fill),
  });
  return {
    title: fill(doc.title),
    sections: doc.sections.map((s): Section => ({
      heading: fill(s.heading),
      clauses: s.clauses.map(clause),
    })),
    declaration: fill(doc.declaration),
    consents: doc.consents.map((c) => ({ ...c, text: fill(c.text) })),
    approval:
      doc.approval === null
        ? null
        : {
            statement: fill(doc.approval.statement),
            ...(doc.approval.approverName === undefined
              ? {}
              : { approverName: fill(doc.approval.approverName) }),
            ...(doc.approval.approverRole === undefined
              ? {}
              : { approverRole: fill(doc.approval.approverRole) }),
          },
  };
}

/**
 * The document a person of this school signs: the master's sections, then the school's own
 * (their numbered clauses numbered after the master's: numberSchoolClauses), with every
 * placeholder (the master's and the variant's) filled from the school's settings. The
 * declaration, consents and approval block are the master's: the trust decides what is declared.
 */
export function composeEffective(
  master: PolicyDocument,
  variant: SchoolVariant,
  school: VariantSchool,
): PolicyDocument {
  const own = numberSchoolClauses(master, variant);
  return fillPlaceholders({ ...master, sections: [...master.sections, ...own.sections] }, school);
}

/** The key of a school's copy of a trust policy: `<master key>--<school id>`. */
export function effectivePolicyKey(masterPolicyKey: string, schoolId: string): string {
  const key = `${masterPolicyKey}--${schoolId}`;
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/u.test(key)) {
    throw new CountersignError(
      'validation',
      `The trust policy "${masterPolicyKey}" cannot have a copy for the school "${schoolId}": the key "${key}" is not a policy key (lower-case letters, digits and hyphens, at most 64).`,
      { masterPolicyKey, schoolId },
    );
  }
  return key;
}

/** A change published to a trust policy: the master's (by the trust lead) or one school's variant. */
export type TrustPolicyChange =
  | { kind: 'master'; changeKind: 'material' | 'minor' }
  | { kind: 'variant'; schoolId: string; changeKind: 'material' | 'minor' };

/**
 * Which schools' people the change asks to sign again: a material change to the master, everyone
 * in every school; a material change to a school's variant, only that school's people; a minor
 * change, nobody (their signatures stand). Each school named gets a material effective version;
 * the others get none (variant) or a minor one (a minor master change still reaches every text).
 */
export function schoolsAskedToSignAgain(
  change: TrustPolicyChange,
  schoolIds: readonly string[],
): string[] {
  if (change.changeKind === 'minor') return [];
  switch (change.kind) {
    case 'master':
      return [...schoolIds];
    case 'variant':
      return schoolIds.filter((id) => id === change.schoolId);
  }
}
