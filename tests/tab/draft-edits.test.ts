import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../teams-app/src/api/api-types.ts';
import { carryOver } from '../../teams-app/src/draft/carry-over.ts';
import {
  clauseForLine,
  fromPolicyDocument,
  toPolicyDocument,
  type DraftDocument,
} from '../../teams-app/src/draft/draft-document.ts';
import {
  addClause,
  countCopies,
  demoteClause,
  mergeWithPrevious,
  moveClause,
  moveClauseTo,
  promoteItem,
  removeClause,
  removeEveryCopy,
  splitClause,
  updateClause,
  type EditResult,
} from '../../teams-app/src/draft/draft-edits.ts';
import {
  detectNumbering,
  NUMBERINGS,
  renumber,
} from '../../teams-app/src/draft/draft-numbering.ts';
import {
  endTyping,
  nextRedo,
  nextUndo,
  record,
  redo,
  startHistory,
  undo,
} from '../../teams-app/src/draft/edit-history.ts';

const HEADER = 'Oakfield Primary School – Staff AUP 2026';

/** An import that went wrong in the ways issue 11 found: a clause cut in two, two run together,
 * a clause swallowed as a sub-item, a running header kept as clauses. */
const IMPORTED: PolicyDocument = {
  title: 'Staff Acceptable Use Policy',
  sections: [
    {
      heading: 'Using school systems',
      clauses: [
        { number: '1', text: 'I will only use school systems for school work.', items: [] },
        {
          number: '2',
          text: 'I will keep my password private. I will lock my screen when I leave it.',
          items: [],
        },
        { number: '3', text: 'I will report', items: [] },
        { number: '4', text: 'any lost device at once.', items: [] },
        { number: '5', text: HEADER, items: [] },
      ],
    },
    {
      heading: 'Email',
      clauses: [
        {
          number: '6',
          text: 'I will use my school email for school business:',
          items: ['with parents', 'I will not forward chain letters.', HEADER],
          audience: ['staff'],
        },
      ],
    },
  ],
  declaration: 'I have read and agree to the policy.',
  consents: [],
  approval: null,
};

function draft(): DraftDocument {
  return fromPolicyDocument(IMPORTED, [
    { section: 0, clause: 0, line: 3 },
    { section: 0, clause: 1, line: 4 },
    { section: 0, clause: 2, line: 6 },
    { section: 0, clause: 3, line: 8 },
    { section: 0, clause: 4, line: 9 },
    { section: 1, clause: 0, line: 12 },
  ]);
}

function ok(result: EditResult): DraftDocument {
  if (!result.ok) throw new Error(result.reason);
  return result.draft;
}

function texts(d: DraftDocument): string[][] {
  return d.sections.map((s) => s.clauses.map((c) => `${c.number ?? '-'} ${c.text}`));
}

/** The edit, then undo through the history: the draft is exactly what it was. */
function undoes(before: DraftDocument, result: EditResult): DraftDocument {
  const after = ok(result);
  let history = record(startHistory(before), after, result.ok ? result.said : '');
  expect(history.present).toBe(after);
  history = undo(history);
  expect(history.present).toBe(before);
  expect(toPolicyDocument(history.present)).toEqual(toPolicyDocument(draft()));
  history = redo(history);
  expect(history.present).toBe(after);
  return after;
}

describe('draft document', () => {
  it('gives each clause a key and its source line, and drops both when saved', () => {
    const d = draft();
    expect(d.sections[0]?.clauses.map((c) => c.key)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(d.sections[1]?.clauses[0]?.line).toBe(12);
    expect(toPolicyDocument(d)).toEqual(IMPORTED);
  });

  it('finds the clause a line of the imported text belongs to, wherever it was moved', () => {
    const d = draft();
    expect(clauseForLine(d, 5)).toBe('c2');
    expect(clauseForLine(d, 33)).toBe('c6');
    expect(clauseForLine(d, 1)).toBeUndefined();
    const moved = ok(moveClause(d, 'c2', 'down'));
    expect(clauseForLine(moved, 4)).toBe('c2');
  });
});

describe('draft edits, each with its undo', () => {
  it('moves a clause up and down, and across into the next section', () => {
    const d = draft();
    const up = undoes(d, moveClause(d, 'c3', 'up'));
    expect(texts(up)[0]?.slice(1, 3)).toEqual([
      '3 I will report',
      '2 I will keep my password private. I will lock my screen when I leave it.',
    ]);
    const down = undoes(d, moveClause(d, 'c5', 'down'));
    expect(down.sections[0]?.clauses).toHaveLength(4);
    expect(down.sections[1]?.clauses[0]?.text).toBe(HEADER);
    const result = moveClause(d, 'c1', 'up');
    expect(result.ok).toBe(false);
    expect(moveClause(d, 'c6', 'down').ok).toBe(false);
  });

  it('moves a clause to a place (drag and drop)', () => {
    const d = draft();
    const dropped = undoes(d, moveClauseTo(d, 'c1', { section: 1, index: 1 }));
    expect(dropped.sections[1]?.clauses.map((c) => c.key)).toEqual(['c6', 'c1']);
    expect(moveClauseTo(d, 'c1', { section: 5, index: 0 }).ok).toBe(false);
  });

  it('splits a clause at the cursor; the new clause is numbered, keeps the audience and the sub-items', () => {
    const d = draft();
    const at = 'I will keep my password private. '.length;
    const result = splitClause(d, 'c2', at);
    const split = undoes(d, result);
    expect(texts(split)[0]?.slice(1, 3)).toEqual([
      '2 I will keep my password private.',
      '2 I will lock my screen when I leave it.',
    ]);
    expect(result.ok && result.focus).toBe('c7');
    expect(split.nextKey).toBe(8);
    const email = undoes(d, splitClause(d, 'c6', 'I will use my school email'.length));
    expect(email.sections[1]?.clauses.map((c) => [c.text, c.items.length, c.audience])).toEqual([
      ['I will use my school email', 0, ['staff']],
      ['for school business:', 3, ['staff']],
    ]);
    expect(splitClause(d, 'c2', 0).ok).toBe(false);
    expect(splitClause(d, 'c2', 500).ok).toBe(false);
  });

  it('merges a clause with the previous one, continuing its last sub-item when it has them', () => {
    const d = draft();
    const merged = undoes(d, mergeWithPrevious(d, 'c4'));
    expect(texts(merged)[0]?.[2]).toBe('3 I will report any lost device at once.');
    const withItems = ok(addClause(d, 1));
    const typed = updateClause(withItems, 'c7', (c) => ({
      ...c,
      text: 'and carers.',
      items: ['x'],
    }));
    const joined = ok(mergeWithPrevious(typed, 'c7'));
    expect(joined.sections[1]?.clauses[0]?.items).toEqual([
      'with parents',
      'I will not forward chain letters.',
      `${HEADER} and carers.`,
      'x',
    ]);
    expect(mergeWithPrevious(d, 'c1').ok).toBe(false);
  });

  it('demotes a clause to a sub-item and promotes it back', () => {
    const d = draft();
    const demoted = undoes(d, demoteClause(d, 'c4'));
    expect(demoted.sections[0]?.clauses[2]?.items).toEqual(['any lost device at once.']);
    const promoted = ok(promoteItem(demoted, 'c3', 0));
    expect(texts(promoted)[0]?.slice(2, 4)).toEqual([
      '3 I will report',
      '3 any lost device at once.',
    ]);
    expect(demoteClause(d, 'c6').ok).toBe(false);
  });

  it('promotes a swallowed clause: the sub-items after it go with it, so the order stays', () => {
    const d = draft();
    const promoted = undoes(d, promoteItem(d, 'c6', 1));
    expect(promoted.sections[1]?.clauses.map((c) => [c.text, c.items, c.audience])).toEqual([
      ['I will use my school email for school business:', ['with parents'], ['staff']],
      ['I will not forward chain letters.', [HEADER], ['staff']],
    ]);
    expect(promoteItem(d, 'c6', 9).ok).toBe(false);
  });

  it('removes a clause, with the focus on the clause that took its place', () => {
    const d = draft();
    const result = removeClause(d, 'c2');
    undoes(d, result);
    expect(result.ok && result.focus).toBe('c3');
    expect(removeClause(d, 'c9').ok).toBe(false);
  });

  it('removes every copy of a repeated line, clauses and sub-items alike', () => {
    const d = draft();
    expect(countCopies(d, `  ${HEADER.toUpperCase()}. `)).toBe(2);
    const result = removeEveryCopy(d, HEADER);
    const cleaned = undoes(d, result);
    expect(result.ok && result.said).toBe(`2 copies of “${HEADER}” removed.`);
    expect(countCopies(cleaned, HEADER)).toBe(0);
    expect(cleaned.sections[0]?.clauses).toHaveLength(4);
    expect(cleaned.sections[1]?.clauses[0]?.items).toEqual([
      'with parents',
      'I will not forward chain letters.',
    ]);
    expect(removeEveryCopy(d, 'Not in the policy').ok).toBe(false);
  });

  it('adds a clause numbered like the one before it', () => {
    const d = draft();
    const added = undoes(d, addClause(d, 0));
    expect(added.sections[0]?.clauses.at(-1)).toEqual({
      key: 'c7',
      text: '',
      items: [],
      number: '5',
    });
  });
});

describe('numbering', () => {
  it('renumbers through the policy, again in each section, or by section', () => {
    const d = ok(removeClause(draft(), 'c2'));
    expect(
      texts(renumber(d, 'continuous'))
        .flat()
        .map((t) => t.split(' ')[0]),
    ).toEqual(['1', '2', '3', '4', '5']);
    expect(
      texts(renumber(d, 'restart'))
        .flat()
        .map((t) => t.split(' ')[0]),
    ).toEqual(['1', '2', '3', '4', '1']);
    expect(
      texts(renumber(d, 'dotted'))
        .flat()
        .map((t) => t.split(' ')[0]),
    ).toEqual(['1.1', '1.2', '1.3', '1.4', '2.1']);
    expect(renumber(d, 'as-typed')).toBe(d);
    expect(NUMBERINGS.map((n) => n.value)).toEqual(['continuous', 'restart', 'dotted', 'as-typed']);
  });

  it('leaves unnumbered clauses and the unplaced text alone, and a draft already right untouched', () => {
    const d = fromPolicyDocument({
      ...IMPORTED,
      sections: [
        { heading: 'Intro', clauses: [{ text: 'This policy applies to all staff.', items: [] }] },
        {
          heading: '4. Email',
          clauses: [
            { number: '7', text: 'a', items: [] },
            { number: '9', text: 'b', items: [] },
          ],
        },
        { heading: 'Unplaced', clauses: [{ number: '99', text: 'page 3', items: [] }] },
      ],
    });
    expect(texts(renumber(d, 'dotted'))).toEqual([
      ['- This policy applies to all staff.'],
      ['4.1 a', '4.2 b'],
      ['99 page 3'],
    ]);
    const right = renumber(d, 'continuous');
    expect(renumber(right, 'continuous')).toBe(right);
  });

  it('detects the numbering a draft follows, so opening it changes no number', () => {
    const d = draft();
    expect(detectNumbering(d)).toBe('continuous');
    expect(detectNumbering(renumber(d, 'restart'))).toBe('restart');
    expect(detectNumbering(renumber(d, 'dotted'))).toBe('dotted');
    const lettered = updateClause(d, 'c1', (c) => ({ ...c, number: 'b' }));
    expect(detectNumbering(lettered)).toBe('as-typed');
    const gappy = updateClause(d, 'c1', (c) => ({ ...c, number: '7' }));
    expect(detectNumbering(gappy)).toBe('continuous');
  });
});

describe('edit history', () => {
  it('undoes and redoes every step, naming each', () => {
    const d = draft();
    const moved = moveClause(d, 'c3', 'up');
    const removed = removeEveryCopy(ok(moved), HEADER);
    let h = record(startHistory(d), ok(moved), moved.ok ? moved.said : '');
    h = record(h, ok(removed), removed.ok ? removed.said : '');
    expect(nextUndo(h)).toBe(`2 copies of “${HEADER}” removed.`);
    h = undo(undo(h));
    expect(h.present).toBe(d);
    expect(nextUndo(h)).toBeUndefined();
    expect(nextRedo(h)).toBe('Clause 3 moved up.');
    expect(undo(h)).toBe(h);
    h = redo(h);
    expect(h.present).toBe(ok(moved));
    // A new edit after an undo drops what could be redone.
    h = record(h, ok(removeClause(ok(moved), 'c1')), 'Clause 1 removed.');
    expect(nextRedo(h)).toBeUndefined();
    expect(redo(h)).toBe(h);
  });

  it('makes one step of typing in one field, and a new step after leaving it', () => {
    const d = draft();
    const typed = (text: string, from: DraftDocument) =>
      updateClause(from, 'c1', (c) => ({ ...c, text }));
    let h = record(startHistory(d), typed('I', d), 'Clause 1 typed in.', 'c1.text');
    h = record(h, typed('I w', h.present), 'Clause 1 typed in.', 'c1.text');
    h = record(h, typed('I wi', h.present), 'Clause 1 typed in.', 'c1.text');
    expect(h.past).toHaveLength(1);
    h = endTyping(h);
    h = record(h, typed('I will', h.present), 'Clause 1 typed in.', 'c1.text');
    expect(h.past).toHaveLength(2);
    expect(undo(undo(h)).present).toBe(d);
    // Nothing changed, nothing recorded.
    expect(record(h, h.present, 'nothing')).toBe(h);
  });
});

describe('carry over', () => {
  const current: PolicyDocument = {
    ...IMPORTED,
    consents: [
      { key: 'photo', text: 'I consent to my photograph being used.' },
      { key: 'email', text: 'I agree to email.' },
    ],
    approval: { statement: 'Approved by the headteacher', approverRole: 'Headteacher' },
  };

  it('keeps the current version’s consents and approval the import left out', () => {
    const imported = { ...IMPORTED, consents: [{ key: 'email', text: 'New email wording.' }] };
    const kept = carryOver(imported, current);
    expect(kept.consents).toEqual(['photo']);
    expect(kept.approval).toBe(true);
    expect(kept.document.consents.map((c) => c.text)).toEqual([
      'New email wording.',
      'I consent to my photograph being used.',
    ]);
    expect(kept.document.approval?.approverRole).toBe('Headteacher');
  });

  it('keeps nothing for a new policy, and the import’s own approval over the current one', () => {
    expect(carryOver(IMPORTED, undefined)).toEqual({
      document: IMPORTED,
      consents: [],
      approval: false,
    });
    const own = { ...IMPORTED, approval: { statement: 'Approved by governors' } };
    expect(carryOver(own, current).document.approval).toEqual({
      statement: 'Approved by governors',
    });
  });
});
