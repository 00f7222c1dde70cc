import type { DraftClause, DraftDocument } from './draft-document.ts';
import { findClause } from './draft-document.ts';

/**
 * The structural edits that fix what an import got wrong: move, split, merge, demote to a
 * sub-item and promote back, remove one clause or every copy of a line. Each is pure (a draft
 * in, a new draft out, the old one untouched, so the undo history keeps it as it was) and says
 * in words what it did, for the screen reader's live region and the undo button.
 */
export type EditResult =
  | {
      readonly ok: true;
      readonly draft: DraftDocument;
      /** What was done, in words: "Clause 4 moved up". */
      readonly said: string;
      /** The clause to put the focus on afterwards, if any is left. */
      readonly focus?: string;
    }
  | { readonly ok: false; readonly reason: string };

function refused(reason: string): EditResult {
  return { ok: false, reason };
}

function done(draft: DraftDocument, said: string, focus?: string): EditResult {
  return focus === undefined ? { ok: true, draft, said } : { ok: true, draft, said, focus };
}

/** How a clause is named to the admin: its number, else its place. */
export function clauseName(draft: DraftDocument, key: string): string {
  const ref = findClause(draft, key);
  if (ref === undefined) return 'The clause';
  const clause = draft.sections[ref.section]?.clauses[ref.clause];
  return `Clause ${clause?.number ?? ref.clause + 1}`;
}

function withSections(
  draft: DraftDocument,
  change: (sections: { heading: string; clauses: DraftClause[] }[]) => void,
  nextKey = draft.nextKey,
): DraftDocument {
  const sections = draft.sections.map((s) => ({ ...s, clauses: [...s.clauses] }));
  change(sections);
  return { ...draft, sections, nextKey };
}

function clauseOf(draft: DraftDocument, key: string) {
  const ref = findClause(draft, key);
  const clause = ref && draft.sections[ref.section]?.clauses[ref.clause];
  return ref && clause ? { ref, clause } : undefined;
}

const MISSING = 'That clause is no longer in the draft.';

/**
 * One place up or down; past the first or last clause of a section it moves into the section
 * before or after (so a clause the importer put under the wrong heading can be walked across).
 */
export function moveClause(
  draft: DraftDocument,
  key: string,
  direction: 'up' | 'down',
): EditResult {
  const found = clauseOf(draft, key);
  if (!found) return refused(MISSING);
  const { ref, clause } = found;
  const count = draft.sections[ref.section]?.clauses.length ?? 0;
  let target: { section: number; index: number };
  if (direction === 'up') {
    if (ref.clause > 0) target = { section: ref.section, index: ref.clause - 1 };
    else if (ref.section > 0) {
      target = {
        section: ref.section - 1,
        index: draft.sections[ref.section - 1]?.clauses.length ?? 0,
      };
    } else return refused(`${clauseName(draft, key)} is already the first clause.`);
  } else if (ref.clause < count - 1) target = { section: ref.section, index: ref.clause + 1 };
  else if (ref.section < draft.sections.length - 1) target = { section: ref.section + 1, index: 0 };
  else return refused(`${clauseName(draft, key)} is already the last clause.`);
  const moved = moveClauseTo(draft, key, target);
  if (!moved.ok) return moved;
  const into =
    target.section === ref.section
      ? ''
      : ` into “${draft.sections[target.section]?.heading || `section ${target.section + 1}`}”`;
  return done(moved.draft, `${clauseName(draft, clause.key)} moved ${direction}${into}.`, key);
}

/**
 * Puts a clause at `index` of a section, the index counted once the clause has been taken out
 * (dragging a clause onto another puts it in that one's place).
 */
export function moveClauseTo(
  draft: DraftDocument,
  key: string,
  target: { section: number; index: number },
): EditResult {
  const found = clauseOf(draft, key);
  if (!found) return refused(MISSING);
  const { ref, clause } = found;
  if (target.section < 0 || target.section >= draft.sections.length) {
    return refused('There is no such section.');
  }
  const next = withSections(draft, (sections) => {
    sections[ref.section]?.clauses.splice(ref.clause, 1);
    const into = sections[target.section]?.clauses;
    into?.splice(Math.max(0, Math.min(target.index, into.length)), 0, clause);
  });
  return done(next, `${clauseName(draft, key)} moved.`, key);
}

/**
 * Splits a clause at a character offset of its text: the words after it become a new clause
 * just below, which takes the sub-items with it (they followed those words). The new clause is
 * numbered when the old one was, and applies to the same people.
 */
export function splitClause(draft: DraftDocument, key: string, at: number): EditResult {
  const found = clauseOf(draft, key);
  if (!found) return refused(MISSING);
  const { ref, clause } = found;
  const before = clause.text.slice(0, at).trimEnd();
  const after = clause.text.slice(at).trimStart();
  if (before === '' || after === '') {
    return refused('Put the cursor inside the text, where the new clause should begin.');
  }
  const newKey = `c${draft.nextKey}`;
  const second: DraftClause = {
    key: newKey,
    text: after,
    items: clause.items,
    ...(clause.number === undefined ? {} : { number: clause.number }),
    ...(clause.audience === undefined ? {} : { audience: clause.audience }),
  };
  const next = withSections(
    draft,
    (sections) => {
      sections[ref.section]?.clauses.splice(
        ref.clause,
        1,
        { ...clause, text: before, items: [] },
        second,
      );
    },
    draft.nextKey + 1,
  );
  return done(next, `${clauseName(draft, key)} split in two.`, newKey);
}

/**
 * Joins a clause onto the one before it in its section: its words carry on the previous
 * clause's last words (its last sub-item when it has sub-items, as they read on the page) and
 * its sub-items follow. The previous clause keeps its number and audience.
 */
export function mergeWithPrevious(draft: DraftDocument, key: string): EditResult {
  const found = clauseOf(draft, key);
  if (!found) return refused(MISSING);
  const { ref, clause } = found;
  const previous = draft.sections[ref.section]?.clauses[ref.clause - 1];
  if (previous === undefined) {
    return refused(
      `${clauseName(draft, key)} is the first in its section: there is none before it to merge with.`,
    );
  }
  const items = [...previous.items];
  let text = previous.text;
  const last = items.length - 1;
  if (last >= 0) items[last] = `${items[last] ?? ''} ${clause.text}`;
  else text = `${text} ${clause.text}`;
  const merged: DraftClause = { ...previous, text, items: [...items, ...clause.items] };
  const next = withSections(draft, (sections) => {
    sections[ref.section]?.clauses.splice(ref.clause - 1, 2, merged);
  });
  return done(
    next,
    `${clauseName(draft, key)} merged into ${clauseName(draft, previous.key).toLowerCase()}.`,
    previous.key,
  );
}

/**
 * Makes a clause a sub-item of the clause before it: its text becomes the last sub-item, its own
 * sub-items follow as sub-items. (Sub-items have no number or audience of their own.)
 */
export function demoteClause(draft: DraftDocument, key: string): EditResult {
  const found = clauseOf(draft, key);
  if (!found) return refused(MISSING);
  const { ref, clause } = found;
  const parent = draft.sections[ref.section]?.clauses[ref.clause - 1];
  if (parent === undefined) {
    return refused(
      `${clauseName(draft, key)} is the first in its section: there is no clause before it to be a sub-item of.`,
    );
  }
  const next = withSections(draft, (sections) => {
    sections[ref.section]?.clauses.splice(ref.clause - 1, 2, {
      ...parent,
      items: [...parent.items, clause.text, ...clause.items],
    });
  });
  return done(
    next,
    `${clauseName(draft, key)} is now a sub-item of ${clauseName(draft, parent.key).toLowerCase()}.`,
    parent.key,
  );
}

/**
 * Makes a sub-item a clause of its own, just below its clause. The sub-items after it go with it
 * as its sub-items, so everything still reads in the same order; promote those too to make
 * each a clause. It is numbered when its clause is, and applies to the same people.
 */
export function promoteItem(draft: DraftDocument, key: string, item: number): EditResult {
  const found = clauseOf(draft, key);
  if (!found) return refused(MISSING);
  const { ref, clause } = found;
  const text = clause.items[item];
  if (text === undefined) return refused('That sub-item is no longer there.');
  const newKey = `c${draft.nextKey}`;
  const promoted: DraftClause = {
    key: newKey,
    text,
    items: clause.items.slice(item + 1),
    ...(clause.number === undefined ? {} : { number: clause.number }),
    ...(clause.audience === undefined ? {} : { audience: clause.audience }),
  };
  const next = withSections(
    draft,
    (sections) => {
      sections[ref.section]?.clauses.splice(
        ref.clause,
        1,
        { ...clause, items: clause.items.slice(0, item) },
        promoted,
      );
    },
    draft.nextKey + 1,
  );
  return done(
    next,
    `Sub-item ${item + 1} of ${clauseName(draft, key).toLowerCase()} is now a clause.`,
    newKey,
  );
}

/** Takes one clause out; the focus goes to the clause that took its place, or the one before. */
export function removeClause(draft: DraftDocument, key: string): EditResult {
  const found = clauseOf(draft, key);
  if (!found) return refused(MISSING);
  const { ref } = found;
  const clauses = draft.sections[ref.section]?.clauses ?? [];
  const neighbour = clauses[ref.clause + 1] ?? clauses[ref.clause - 1];
  const next = withSections(draft, (sections) => {
    sections[ref.section]?.clauses.splice(ref.clause, 1);
  });
  return done(next, `${clauseName(draft, key)} removed.`, neighbour?.key);
}

/** Adds an empty clause at the end of a section, numbered when the clause before it is. */
export function addClause(draft: DraftDocument, section: number): EditResult {
  const clauses = draft.sections[section]?.clauses;
  if (clauses === undefined) return refused('There is no such section.');
  const newKey = `c${draft.nextKey}`;
  const last = clauses.at(-1);
  const added: DraftClause = {
    key: newKey,
    text: '',
    items: [],
    ...(last?.number === undefined ? {} : { number: last.number }),
  };
  const next = withSections(
    draft,
    (sections) => sections[section]?.clauses.push(added),
    draft.nextKey + 1,
  );
  return done(next, 'A clause was added.', newKey);
}

/** Case, spacing and a trailing full stop aside, the same line. */
function sameLine(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim().replace(/\.$/, '').toLowerCase();
  return norm(a) === norm(b);
}

/** How many clauses and sub-items read exactly as this line (a running header kept twice). */
export function countCopies(draft: DraftDocument, line: string): number {
  let count = 0;
  for (const section of draft.sections) {
    for (const clause of section.clauses) {
      if (sameLine(clause.text, line)) count += 1;
      count += clause.items.filter((item) => sameLine(item, line)).length;
    }
  }
  return count;
}

/**
 * Removes every clause and sub-item that reads as this line, wherever it is. A clause removed
 * this way keeps no sub-items of its own: they go to the clause before it (they were its
 * continuation, cut by the repeated line); a first clause's sub-items become clauses.
 */
export function removeEveryCopy(draft: DraftDocument, line: string): EditResult {
  const copies = countCopies(draft, line);
  if (copies === 0 || line.trim() === '') return refused('No clause or sub-item reads like that.');
  let nextKey = draft.nextKey;
  const sections = draft.sections.map((section) => {
    const clauses: DraftClause[] = [];
    for (const clause of section.clauses) {
      const items = clause.items.filter((item) => !sameLine(item, line));
      if (!sameLine(clause.text, line)) {
        clauses.push(items.length === clause.items.length ? clause : { ...clause, items });
        continue;
      }
      const before = clauses.pop();
      if (before) clauses.push({ ...before, items: [...before.items, ...items] });
      for (const text of before ? [] : items)
        clauses.push({ key: `c${nextKey++}`, text, items: [] });
    }
    return clauses.length === section.clauses.length &&
      clauses.every((c, i) => c === section.clauses[i])
      ? section
      : { ...section, clauses };
  });
  return done(
    { ...draft, sections, nextKey },
    `${copies} ${copies === 1 ? 'copy' : 'copies'} of “${line.trim()}” removed.`,
  );
}

/** Changes a clause's own fields (text, number, audience, sub-items) in place. */
export function updateClause(
  draft: DraftDocument,
  key: string,
  change: (clause: DraftClause) => DraftClause,
): DraftDocument {
  const found = clauseOf(draft, key);
  if (!found) return draft;
  return withSections(draft, (sections) => {
    sections[found.ref.section]?.clauses.splice(found.ref.clause, 1, change(found.clause));
  });
}
