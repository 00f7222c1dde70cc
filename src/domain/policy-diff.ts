import { canonicalJson } from './canonical-json.ts';
import { audienceView, normaliseDocument } from './content-hash.ts';
import type { ApprovalBlock, AudienceKey, Consent, PolicyDocument } from './policy-document.ts';

/** One clause as a diff shows it: where it sits, its number as printed, its words. */
export interface DiffClause {
  sectionHeading: string;
  /** As printed ("4", "4.2"); absent for unnumbered clauses. */
  number?: string;
  text: string;
  /** Sub-items are part of the clause: a changed sub-item is a reworded clause. */
  items: string[];
  audience?: AudienceKey[];
}

export interface RewordedClause {
  before: DiffClause;
  after: DiffClause;
  /** 0–1, how much of the wording the two share. */
  similarity: number;
}

export interface TextChange {
  before: string;
  after: string;
}

/**
 * What changed between two versions of a policy document, clause by clause. Clauses are matched
 * by their text, so renumbering or moving a clause is not a change; a clause whose wording
 * changed is matched to its new wording by similarity and reported as reworded.
 */
export interface PolicyDiff {
  added: DiffClause[];
  removed: DiffClause[];
  reworded: RewordedClause[];
  /** Same words (sub-items included), whatever their number or section now. */
  unchanged: number;
  /** Of the unchanged clauses, those that now carry another number or sit in another section. */
  renumbered: number;
  /** Same words, but now restricted to other audiences. */
  audienceChanged: { before: DiffClause; after: DiffClause }[];
  headings: { added: string[]; removed: string[] };
  title: TextChange | null;
  declaration: TextChange | null;
  consents: {
    added: Consent[];
    removed: Consent[];
    reworded: { key: string; before: string; after: string }[];
  };
  approval: { before: ApprovalBlock | null; after: ApprovalBlock | null } | null;
  /** False when the two documents read the same (renumbering alone is no change). */
  changed: boolean;
}

/** Clauses at least this similar are one clause reworded rather than one removed, one added. */
export const REWORDED_SIMILARITY = 0.5;

interface Located {
  clause: DiffClause;
  /** Text and sub-items: what "the same clause" means. */
  key: string;
  tokens: Map<string, number>;
  tokenCount: number;
  position: number;
}

/**
 * A clause-level diff from one version's document to another's. With audiences, both documents
 * are first cut to what someone in those audiences sees, so a change to a clause for others does
 * not show.
 */
export function diffDocuments(
  from: PolicyDocument,
  to: PolicyDocument,
  audiences?: readonly AudienceKey[],
): PolicyDiff {
  const before = normaliseDocument(audiences === undefined ? from : audienceView(from, audiences));
  const after = normaliseDocument(audiences === undefined ? to : audienceView(to, audiences));
  const old = locate(before);
  const now = locate(after);
  const oldMatch = new Array<number | undefined>(old.length).fill(undefined);
  const nowMatch = new Array<number | undefined>(now.length).fill(undefined);
  const pair = (i: number, j: number): void => {
    oldMatch[i] = j;
    nowMatch[j] = i;
  };

  // 1. The same words: first in the same section, then anywhere (a clause moved).
  for (const sameSection of [true, false]) {
    const waiting = new Map<string, number[]>();
    now.forEach((clause, j) => {
      if (nowMatch[j] !== undefined) return;
      const key = sameSection ? `${clause.clause.sectionHeading}\n${clause.key}` : clause.key;
      const queue = waiting.get(key);
      if (queue === undefined) waiting.set(key, [j]);
      else queue.push(j);
    });
    old.forEach((clause, i) => {
      if (oldMatch[i] !== undefined) return;
      const key = sameSection ? `${clause.clause.sectionHeading}\n${clause.key}` : clause.key;
      const j = waiting.get(key)?.shift();
      if (j !== undefined) pair(i, j);
    });
  }

  // 2. Similar words: the best-scoring pairs first, preferring the same section and place.
  const candidates: { i: number; j: number; similarity: number; score: number }[] = [];
  old.forEach((a, i) => {
    if (oldMatch[i] !== undefined) return;
    now.forEach((b, j) => {
      if (nowMatch[j] !== undefined) return;
      const similarity = dice(a, b);
      if (similarity < REWORDED_SIMILARITY) return;
      const sameSection = a.clause.sectionHeading === b.clause.sectionHeading ? 0.05 : 0;
      const distance = Math.abs(a.position / old.length - b.position / now.length);
      candidates.push({ i, j, similarity, score: similarity + sameSection - 0.01 * distance });
    });
  });
  candidates.sort((x, y) => y.score - x.score || x.i - y.i || x.j - y.j);
  const similarities = new Map<number, number>();
  for (const { i, j, similarity } of candidates) {
    if (oldMatch[i] !== undefined || nowMatch[j] !== undefined) continue;
    pair(i, j);
    similarities.set(j, similarity);
  }

  const diff: PolicyDiff = {
    added: [],
    removed: [],
    reworded: [],
    unchanged: 0,
    renumbered: 0,
    audienceChanged: [],
    headings: diffHeadings(before, after),
    title: textChange(before.title, after.title),
    declaration: textChange(before.declaration, after.declaration),
    consents: diffConsents(before.consents, after.consents),
    approval:
      canonicalJson(before.approval) === canonicalJson(after.approval)
        ? null
        : { before: before.approval, after: after.approval },
    changed: false,
  };
  old.forEach((clause, i) => {
    if (oldMatch[i] === undefined) diff.removed.push(clause.clause);
  });
  now.forEach((clause, j) => {
    const i = nowMatch[j];
    const previous = i === undefined ? undefined : old[i];
    if (previous === undefined) {
      diff.added.push(clause.clause);
      return;
    }
    if (previous.key !== clause.key) {
      diff.reworded.push({
        before: previous.clause,
        after: clause.clause,
        similarity: round(similarities.get(j) ?? dice(previous, clause)),
      });
      return;
    }
    diff.unchanged += 1;
    if (
      previous.clause.number !== clause.clause.number ||
      previous.clause.sectionHeading !== clause.clause.sectionHeading
    ) {
      diff.renumbered += 1;
    }
    if (canonicalJson(previous.clause.audience) !== canonicalJson(clause.clause.audience)) {
      diff.audienceChanged.push({ before: previous.clause, after: clause.clause });
    }
  });
  diff.changed = countChanges(diff) > 0;
  return diff;
}

function locate(doc: PolicyDocument): Located[] {
  const located: Located[] = [];
  for (const section of doc.sections) {
    for (const clause of section.clauses) {
      const entry: DiffClause = {
        sectionHeading: section.heading,
        ...(clause.number === undefined ? {} : { number: clause.number }),
        text: clause.text,
        items: clause.items,
        ...(clause.audience === undefined ? {} : { audience: clause.audience }),
      };
      const tokens = tokenise([clause.text, ...clause.items].join(' '));
      located.push({
        clause: entry,
        key: canonicalJson([clause.text, clause.items]),
        tokens,
        tokenCount: [...tokens.values()].reduce((sum, n) => sum + n, 0),
        position: located.length,
      });
    }
  }
  return located;
}

/** Words too common in AUPs ("I will… the school…") to say two clauses are the same one. */
const STOPWORDS = new Set(
  'a an the and or of to in on for i my me will be is are am that this it its with as at by from any all'.split(
    ' ',
  ),
);

/** Word counts: lower case, punctuation dropped, a plural "s" dropped, common words left out. */
function tokenise(text: string): Map<string, number> {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '')
    .map((word) =>
      word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word,
    );
  const meaningful = words.filter((word) => !STOPWORDS.has(word));
  const counts = new Map<string, number>();
  // A clause of nothing but common words is compared on those.
  for (const word of meaningful.length > 0 ? meaningful : words) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** Dice's coefficient over word multisets: 2·shared / (total words of both). */
function dice(a: Located, b: Located): number {
  if (a.tokenCount + b.tokenCount === 0) return a.key === b.key ? 1 : 0;
  let shared = 0;
  const [small, large] =
    a.tokens.size <= b.tokens.size ? [a.tokens, b.tokens] : [b.tokens, a.tokens];
  for (const [word, count] of small) shared += Math.min(count, large.get(word) ?? 0);
  return (2 * shared) / (a.tokenCount + b.tokenCount);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function textChange(before: string, after: string): TextChange | null {
  return before === after ? null : { before, after };
}

function diffHeadings(before: PolicyDocument, after: PolicyDocument): PolicyDiff['headings'] {
  const remaining = before.sections.map((section) => section.heading);
  const added: string[] = [];
  for (const { heading } of after.sections) {
    const index = remaining.indexOf(heading);
    if (index === -1) added.push(heading);
    else remaining.splice(index, 1);
  }
  return { added, removed: remaining };
}

function diffConsents(before: Consent[], after: Consent[]): PolicyDiff['consents'] {
  const old = new Map(before.map((consent) => [consent.key, consent]));
  const now = new Map(after.map((consent) => [consent.key, consent]));
  const reworded: PolicyDiff['consents']['reworded'] = [];
  for (const consent of after) {
    const previous = old.get(consent.key);
    if (previous !== undefined && previous.text !== consent.text) {
      reworded.push({ key: consent.key, before: previous.text, after: consent.text });
    }
  }
  return {
    added: after.filter((consent) => !old.has(consent.key)),
    removed: before.filter((consent) => !now.has(consent.key)),
    reworded,
  };
}

function countChanges(diff: PolicyDiff): number {
  return (
    diff.added.length +
    diff.removed.length +
    diff.reworded.length +
    diff.audienceChanged.length +
    diff.headings.added.length +
    diff.headings.removed.length +
    (diff.title === null ? 0 : 1) +
    (diff.declaration === null ? 0 : 1) +
    diff.consents.added.length +
    diff.consents.removed.length +
    diff.consents.reworded.length +
    (diff.approval === null ? 0 : 1)
  );
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * One line for a card: "2 new clauses, 3 reworded, 1 removed", then any change to the
 * declaration, consents, audiences, title, headings or approval section; "No changes to the
 * text" when there are none (renumbering alone included).
 */
export function summariseDiff(diff: PolicyDiff): string {
  const parts: string[] = [];
  if (diff.added.length > 0) parts.push(plural(diff.added.length, 'new clause', 'new clauses'));
  if (diff.reworded.length > 0) parts.push(`${diff.reworded.length} reworded`);
  if (diff.removed.length > 0) parts.push(`${diff.removed.length} removed`);
  if (diff.declaration !== null) parts.push('declaration reworded');
  const { consents } = diff;
  if (consents.added.length > 0) {
    parts.push(plural(consents.added.length, 'new consent', 'new consents'));
  }
  if (consents.reworded.length > 0) {
    parts.push(plural(consents.reworded.length, 'consent reworded', 'consents reworded'));
  }
  if (consents.removed.length > 0) {
    parts.push(plural(consents.removed.length, 'consent removed', 'consents removed'));
  }
  if (diff.audienceChanged.length > 0) {
    parts.push(`audience changed on ${plural(diff.audienceChanged.length, 'clause', 'clauses')}`);
  }
  if (diff.title !== null) parts.push('title changed');
  if (diff.headings.added.length > 0 || diff.headings.removed.length > 0) {
    parts.push('section headings changed');
  }
  if (diff.approval !== null) parts.push('approval section changed');
  const line = parts.join(', ');
  return line === '' ? 'No changes to the text' : line.charAt(0).toUpperCase() + line.slice(1);
}
