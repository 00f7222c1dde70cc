import {
  Button,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Select,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Clause, PolicyDocument } from '../../api/api-types.ts';
import type { DraftClause, DraftDocument } from '../../draft/draft-document.ts';
import { clauseForLine } from '../../draft/draft-document.ts';
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
} from '../../draft/draft-edits.ts';
import { NUMBERINGS, renumber, type Numbering } from '../../draft/draft-numbering.ts';
import {
  endTyping,
  nextRedo,
  nextUndo,
  record,
  redo,
  undo,
  type History,
} from '../../draft/edit-history.ts';
import { GrowingTextarea } from '../../ui/growing-textarea.tsx';
import { ImportReportView } from './import-report-view.tsx';

/** The importer's section for text it could not place (src/domain/policy-document.ts). */
export const UNPLACED_HEADING = 'Unplaced';

const useStyles = makeStyles({
  editor: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  bar: {
    position: 'sticky',
    top: '0',
    zIndex: 1,
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
    alignItems: 'end',
    padding: tokens.spacingVerticalS,
    backgroundColor: tokens.colorNeutralBackground2,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  said: { flexBasis: '100%', color: tokens.colorNeutralForeground2, minHeight: '1.2em' },
  section: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    margin: '0',
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    minWidth: '0',
  },
  unplaced: {
    border: `${tokens.strokeWidthThick} solid ${tokens.colorPaletteMarigoldBorderActive}`,
    backgroundColor: tokens.colorPaletteYellowBackground1,
  },
  legend: { fontWeight: tokens.fontWeightSemibold, padding: `0 ${tokens.spacingHorizontalXS}` },
  list: {
    listStyleType: 'none',
    margin: '0',
    padding: '0',
    display: 'flex',
    flexDirection: 'column',
  },
  clause: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    paddingBlock: tokens.spacingVerticalXS,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  clauseBody: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  dropTarget: { borderTop: `${tokens.strokeWidthThickest} solid ${tokens.colorBrandStroke1}` },
  head: { display: 'flex', gap: tokens.spacingHorizontalXS, alignItems: 'start', minWidth: '0' },
  handle: { cursor: 'grab', padding: `${tokens.spacingVerticalXS} 0`, userSelect: 'none' },
  summary: {
    flexGrow: 1,
    minWidth: '0',
    justifyContent: 'start',
    textAlign: 'start',
    fontWeight: tokens.fontWeightRegular,
  },
  tools: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXXS },
  body: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    paddingInlineStart: tokens.spacingHorizontalXL,
    paddingBlockEnd: tokens.spacingVerticalS,
  },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'end' },
  // Fluent's Input has a minimum width wider than 7em: without this the field spills over the
  // button beside it.
  number: { width: '7em', minWidth: '0' },
  numberInput: { width: '100%', minWidth: '0' },
  item: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  audience: { border: 'none', margin: '0', padding: '0', minWidth: '0' },
  audienceLegend: { padding: '0', marginBlockEnd: tokens.spacingVerticalXXS },
  audienceChoices: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalM },
  // Read by screen readers, not shown: the clause's name before its visible words.
  hidden: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    overflow: 'hidden',
    clipPath: 'inset(50%)',
    whiteSpace: 'nowrap',
  },
  hint: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
});

export interface DraftEditorProps {
  history: History<DraftDocument>;
  onHistory: (history: History<DraftDocument>) => void;
  numbering: Numbering;
  onNumbering: (numbering: Numbering) => void;
  /** The audiences a clause may be restricted to: those of the policy the draft belongs to. */
  audiences: readonly string[];
  /** The import's report, when the draft came from a file: its lines lead into the draft. */
  report?: unknown;
  /** Consents and approval of the current version this draft replaces (to warn on removing). */
  current?: PolicyDocument;
}

/** No audience ticked means the clause applies to everyone the policy applies to. */
function withAudience(clause: DraftClause, audience: readonly string[]): DraftClause {
  const next: DraftClause = { ...clause, audience: [...audience] };
  if (audience.length === 0) delete next.audience;
  return next;
}

function withNumber(clause: DraftClause, number: string): DraftClause {
  const next: DraftClause = { ...clause, number };
  if (number === '') delete next.number;
  return next;
}

/** The policy's audiences, then any the clause names that the policy does not (to untick). */
export function audienceChoices(policyAudiences: readonly string[], clause: Clause): string[] {
  return [...new Set([...policyAudiences, ...(clause.audience ?? [])])];
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(no text yet)';
  return flat.length > 140 ? `${flat.slice(0, 140)}…` : flat;
}

const domId = (key: string) => `draft-clause-${key}`;
const textId = (key: string) => `draft-clause-text-${key}`;

/**
 * The parsed draft, editable one clause at a time: each clause is a line (its number and first
 * words) with the edits that fix an import (move, merge, make a sub-item, remove, remove every
 * copy), opened to edit its text, number, audience and sub-items (split at the cursor, promote a
 * sub-item). Every edit can be undone (Ctrl+Z, or the Undo button that says what it takes back);
 * numbers follow the chosen numbering. Drag a clause by its handle, or move it with Alt+↑/↓.
 * Text the importer could not place sits in a highlighted "Unplaced" section.
 */
export function DraftEditor({
  history,
  onHistory,
  numbering,
  onNumbering,
  audiences,
  report,
  current,
}: DraftEditorProps) {
  const styles = useStyles();
  const document = history.present;
  const [open, setOpen] = useState<string | null>(null);
  const [said, setSaid] = useState('');
  const [focusOn, setFocusOn] = useState<{ id: string; n: number } | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const cursor = useRef(new Map<string, number>());

  useEffect(() => {
    if (focusOn === null) return;
    const element = window.document.getElementById(focusOn.id);
    element?.focus();
    element?.scrollIntoView?.({ block: 'center' });
  }, [focusOn]);
  const focus = (id: string) => setFocusOn((f) => ({ id, n: (f?.n ?? 0) + 1 }));

  const apply = (result: EditResult) => {
    if (!result.ok) {
      setSaid(result.reason);
      return;
    }
    onHistory(record(history, renumber(result.draft, numbering), result.said));
    setSaid(result.said);
    if (result.focus !== undefined) focus(domId(result.focus));
  };
  /** Typing: one undo step per field while the admin keeps typing there. */
  const type = (next: DraftDocument, what: string, field: string) =>
    onHistory(record(history, next, what, field));
  const leave = () => onHistory(endTyping(history));
  const change = (next: DraftDocument, what: string) => {
    onHistory(record(history, next, what));
    setSaid(what);
  };
  const edit = (key: string, fn: (clause: DraftClause) => DraftClause) =>
    updateClause(document, key, fn);

  const undoLast = () => {
    const what = nextUndo(history);
    if (what === undefined) return;
    onHistory(undo(history));
    setSaid(`Undone: ${what}`);
  };
  const redoNext = () => {
    const what = nextRedo(history);
    if (what === undefined) return;
    onHistory(redo(history));
    setSaid(`Redone: ${what}`);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === 'z' && !event.shiftKey) undoLast();
    else if (key === 'y' || (key === 'z' && event.shiftKey)) redoNext();
    else return;
    event.preventDefault();
  };

  const goToLine = (line: number) => {
    const key = clauseForLine(document, line);
    if (key === undefined) {
      setSaid(`No clause of the draft comes from line ${String(line)}.`);
      return;
    }
    setOpen(key);
    focus(textId(key));
  };

  const split = (key: string) => {
    const at = cursor.current.get(key);
    apply(
      at === undefined
        ? { ok: false, reason: 'Put the cursor in the clause text where it should split.' }
        : splitClause(document, key, at),
    );
  };

  const removeConsent = (index: number) => {
    const consent = document.consents[index];
    if (consent === undefined) return;
    change(
      { ...document, consents: document.consents.filter((_c, i) => i !== index) },
      `Consent “${consent.key}” removed.`,
    );
  };

  const consentsDropped = (current?.consents ?? []).filter(
    (c) => !document.consents.some((d) => d.key === c.key),
  );
  const approvalDropped = current?.approval != null && document.approval === null;

  return (
    <div className={styles.editor} onKeyDown={onKeyDown}>
      <div className={styles.bar} role="group" aria-label="Draft editing">
        <Button onClick={undoLast} disabled={nextUndo(history) === undefined}>
          {nextUndo(history) === undefined ? 'Undo' : `Undo: ${nextUndo(history) ?? ''}`}
        </Button>
        <Button onClick={redoNext} disabled={nextRedo(history) === undefined}>
          Redo
        </Button>
        <Field label="Numbering">
          <Select
            value={numbering}
            onChange={(_e, data) => {
              const next = NUMBERINGS.find((n) => n.value === data.value)?.value ?? 'as-typed';
              onNumbering(next);
              change(renumber(document, next), 'Clauses renumbered.');
            }}
          >
            {NUMBERINGS.map((n) => (
              <option key={n.value} value={n.value}>
                {n.label}
              </option>
            ))}
          </Select>
        </Field>
        <span className={styles.said} role="status" aria-live="polite">
          {said}
        </span>
      </div>
      {report !== undefined && <ImportReportView report={report} onLine={goToLine} />}
      <Field label="Title" required>
        <Input
          value={document.title}
          onChange={(_e, data) =>
            type({ ...document, title: data.value }, 'Title changed.', 'title')
          }
          onBlur={leave}
        />
      </Field>
      <p className={styles.hint}>
        Open a clause to edit it. Alt+↑ and Alt+↓ move the clause in focus; Ctrl+Z undoes, Ctrl+Y
        redoes; in a clause’s text, Ctrl+Enter splits it at the cursor.
      </p>
      {document.sections.map((section, sectionIndex) => {
        const unplaced = section.heading === UNPLACED_HEADING;
        const name =
          section.heading === '' ? `Section ${String(sectionIndex + 1)}` : section.heading;
        return (
          <fieldset
            key={sectionIndex}
            className={mergeClasses(styles.section, unplaced && styles.unplaced)}
          >
            <legend className={styles.legend}>{name}</legend>
            {unplaced && (
              <MessageBar intent="warning">
                <MessageBarBody>
                  The importer could not place this text. Move it into a clause of another section,
                  or remove it, before publishing.
                </MessageBarBody>
              </MessageBar>
            )}
            <Field label="Section heading">
              <Input
                value={section.heading}
                onChange={(_e, data) =>
                  type(
                    {
                      ...document,
                      sections: document.sections.map((s, i) =>
                        i === sectionIndex ? { ...s, heading: data.value } : s,
                      ),
                    },
                    'Section heading changed.',
                    `heading-${String(sectionIndex)}`,
                  )
                }
                onBlur={leave}
              />
            </Field>
            <ul className={styles.list}>
              {section.clauses.map((clause, clauseIndex) => {
                const label = clause.number ?? String(clauseIndex + 1);
                const clauseName = `${name}, clause ${label}`;
                const called = `clause ${label} in ${name}`;
                const isOpen = open === clause.key;
                const copies = countCopies(document, clause.text);
                return (
                  <li
                    key={clause.key}
                    className={mergeClasses(
                      styles.clause,
                      over === clause.key && dragging !== clause.key && styles.dropTarget,
                    )}
                    onDragOver={(event) => {
                      if (dragging === null) return;
                      event.preventDefault();
                      setOver(clause.key);
                    }}
                    onDragLeave={() => setOver(null)}
                    onDrop={(event) => {
                      event.preventDefault();
                      setOver(null);
                      if (dragging !== null && dragging !== clause.key) {
                        apply(
                          moveClauseTo(document, dragging, {
                            section: sectionIndex,
                            index: clauseIndex,
                          }),
                        );
                      }
                      setDragging(null);
                    }}
                  >
                    <div role="group" aria-label={clauseName} className={styles.clauseBody}>
                      <div className={styles.head}>
                        <span
                          className={styles.handle}
                          draggable
                          aria-hidden="true"
                          title="Drag to move"
                          data-drag-handle={clause.key}
                          onDragStart={(event) => {
                            event.dataTransfer.setData('text/plain', clause.key);
                            event.dataTransfer.effectAllowed = 'move';
                            setDragging(clause.key);
                          }}
                          onDragEnd={() => {
                            setDragging(null);
                            setOver(null);
                          }}
                        >
                          ⠿
                        </span>
                        <Button
                          id={domId(clause.key)}
                          appearance="subtle"
                          className={styles.summary}
                          aria-expanded={isOpen}
                          aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown"
                          onClick={() => setOpen(isOpen ? null : clause.key)}
                          onKeyDown={(event) => {
                            if (!event.altKey || event.ctrlKey || event.metaKey) return;
                            if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
                            event.preventDefault();
                            apply(
                              moveClause(
                                document,
                                clause.key,
                                event.key === 'ArrowUp' ? 'up' : 'down',
                              ),
                            );
                          }}
                        >
                          <span
                            className={styles.hidden}
                          >{`${isOpen ? 'Close' : 'Edit'} ${called}: `}</span>
                          {clause.number === undefined ? '' : `${clause.number}. `}
                          {excerpt(clause.text)}
                          {clause.items.length > 0 && ` (${String(clause.items.length)} sub-items)`}
                        </Button>
                      </div>
                      <div className={styles.tools}>
                        <Button
                          size="small"
                          aria-label={`Move ${called} up`}
                          onClick={() => apply(moveClause(document, clause.key, 'up'))}
                        >
                          Up
                        </Button>
                        <Button
                          size="small"
                          aria-label={`Move ${called} down`}
                          onClick={() => apply(moveClause(document, clause.key, 'down'))}
                        >
                          Down
                        </Button>
                        {clauseIndex > 0 && (
                          <>
                            <Button
                              size="small"
                              aria-label={`Merge with previous: ${called}`}
                              onClick={() => apply(mergeWithPrevious(document, clause.key))}
                            >
                              Merge with previous
                            </Button>
                            <Button
                              size="small"
                              aria-label={`Make sub-item: ${called}`}
                              onClick={() => apply(demoteClause(document, clause.key))}
                            >
                              Make sub-item
                            </Button>
                          </>
                        )}
                        <Button
                          size="small"
                          aria-label={`Remove ${called}`}
                          onClick={() => apply(removeClause(document, clause.key))}
                        >
                          Remove
                        </Button>
                        {copies > 1 && (
                          <Button
                            size="small"
                            aria-label={`Remove every copy of ${called} (${String(copies)} in the draft)`}
                            onClick={() => apply(removeEveryCopy(document, clause.text))}
                          >
                            Remove every copy
                          </Button>
                        )}
                      </div>
                      {isOpen && (
                        <div className={styles.body}>
                          <div className={styles.row}>
                            <Field label="Number" className={styles.number}>
                              <Input
                                className={styles.numberInput}
                                value={clause.number ?? ''}
                                onChange={(_e, data) =>
                                  type(
                                    edit(clause.key, (c) => withNumber(c, data.value)),
                                    `Number of ${called} changed.`,
                                    `${clause.key}.number`,
                                  )
                                }
                                onBlur={leave}
                              />
                            </Field>
                            <Button
                              aria-label={`Split at the cursor: ${called}`}
                              onClick={() => split(clause.key)}
                            >
                              Split at the cursor
                            </Button>
                          </div>
                          <Field label={`Clause text (${called})`} required>
                            <GrowingTextarea
                              id={textId(clause.key)}
                              value={clause.text}
                              aria-keyshortcuts="Control+Enter"
                              onSelect={(event) =>
                                cursor.current.set(clause.key, event.currentTarget.selectionStart)
                              }
                              onKeyDown={(event) => {
                                cursor.current.set(clause.key, event.currentTarget.selectionStart);
                                if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
                                  event.preventDefault();
                                  split(clause.key);
                                }
                              }}
                              onChange={(_e, data) =>
                                type(
                                  edit(clause.key, (c) => ({ ...c, text: data.value })),
                                  `Text of ${called} changed.`,
                                  `${clause.key}.text`,
                                )
                              }
                              onBlur={leave}
                            />
                          </Field>
                          <AudienceChoice
                            clauseName={clauseName}
                            choices={audienceChoices(audiences, clause)}
                            known={audiences}
                            selected={clause.audience ?? []}
                            onChange={(audience) =>
                              change(
                                edit(clause.key, (c) => withAudience(c, audience)),
                                `Who ${called} applies to changed.`,
                              )
                            }
                          />
                          {clause.items.map((item, itemIndex) => {
                            const itemName = `sub-item ${String(itemIndex + 1)} of ${called}`;
                            return (
                              <div key={itemIndex} className={styles.item}>
                                <Field label={`Sub-item ${String(itemIndex + 1)}`}>
                                  <GrowingTextarea
                                    aria-label={itemName}
                                    value={item}
                                    onChange={(_e, data) =>
                                      type(
                                        edit(clause.key, (c) => ({
                                          ...c,
                                          items: c.items.map((it, i) =>
                                            i === itemIndex ? data.value : it,
                                          ),
                                        })),
                                        `Sub-item of ${called} changed.`,
                                        `${clause.key}.item-${String(itemIndex)}`,
                                      )
                                    }
                                    onBlur={leave}
                                  />
                                </Field>
                                <div className={styles.tools}>
                                  <Button
                                    size="small"
                                    aria-label={`Make it a clause: ${itemName}`}
                                    onClick={() =>
                                      apply(promoteItem(document, clause.key, itemIndex))
                                    }
                                  >
                                    Make it a clause
                                  </Button>
                                  <Button
                                    size="small"
                                    aria-label={`Remove ${itemName}`}
                                    onClick={() =>
                                      change(
                                        edit(clause.key, (c) => ({
                                          ...c,
                                          items: c.items.filter((_it, i) => i !== itemIndex),
                                        })),
                                        `Sub-item ${String(itemIndex + 1)} of ${called} removed.`,
                                      )
                                    }
                                  >
                                    Remove sub-item
                                  </Button>
                                </div>
                              </div>
                            );
                          })}
                          <div className={styles.row}>
                            <Button
                              size="small"
                              onClick={() =>
                                change(
                                  edit(clause.key, (c) => ({ ...c, items: [...c.items, ''] })),
                                  `A sub-item was added to ${called}.`,
                                )
                              }
                            >
                              Add a sub-item to {called}
                            </Button>
                          </div>
                        </div>
                      )}
                    </div>
                  </li>
                );
              })}
            </ul>
            <div className={styles.row}>
              <Button
                onClick={() => {
                  const result = addClause(document, sectionIndex);
                  if (result.ok && result.focus !== undefined) setOpen(result.focus);
                  apply(result);
                }}
              >
                Add a clause to {name}
              </Button>
              {unplaced && (
                <Button
                  onClick={() =>
                    change(
                      {
                        ...document,
                        sections: document.sections.filter((_s, i) => i !== sectionIndex),
                      },
                      'The unplaced section was removed.',
                    )
                  }
                >
                  Remove the unplaced section
                </Button>
              )}
            </div>
          </fieldset>
        );
      })}
      <Button
        onClick={() =>
          change(
            { ...document, sections: [...document.sections, { heading: '', clauses: [] }] },
            'A section was added.',
          )
        }
      >
        Add a section
      </Button>
      <Field label="Declaration" hint="What each person confirms when they sign.">
        <GrowingTextarea
          value={document.declaration}
          onChange={(_e, data) =>
            type({ ...document, declaration: data.value }, 'Declaration changed.', 'declaration')
          }
          onBlur={leave}
        />
      </Field>
      {consentsDropped.length + (approvalDropped ? 1 : 0) > 0 && (
        <MessageBar intent="warning">
          <MessageBarBody>
            {consentsDropped.length > 0 &&
              `People will no longer be asked: ${consentsDropped.map((c) => `“${c.text}”`).join(', ')}. Their earlier answers stay on their records. `}
            {approvalDropped &&
              'The approval block of the current version is removed: signatures of this version will not name an approver. '}
            Undo to keep them.
          </MessageBarBody>
        </MessageBar>
      )}
      {document.consents.map((consent, index) => (
        <div key={consent.key} className={styles.item}>
          <Field label={`Consent “${consent.key}”`}>
            <GrowingTextarea
              value={consent.text}
              onChange={(_e, data) =>
                type(
                  {
                    ...document,
                    consents: document.consents.map((c, i) =>
                      i === index ? { ...c, text: data.value } : c,
                    ),
                  },
                  `Consent “${consent.key}” changed.`,
                  `consent-${consent.key}`,
                )
              }
              onBlur={leave}
            />
          </Field>
          <div className={styles.tools}>
            <Button size="small" onClick={() => removeConsent(index)}>
              Remove consent “{consent.key}”
            </Button>
          </div>
        </div>
      ))}
      {document.approval !== null && (
        <div className={styles.item}>
          <Field label="Approval statement">
            <GrowingTextarea
              value={document.approval.statement}
              onChange={(_e, data) =>
                type(
                  {
                    ...document,
                    approval:
                      document.approval === null
                        ? null
                        : { ...document.approval, statement: data.value },
                  },
                  'Approval statement changed.',
                  'approval',
                )
              }
              onBlur={leave}
            />
          </Field>
          <div className={styles.tools}>
            <Button
              size="small"
              onClick={() => change({ ...document, approval: null }, 'Approval block removed.')}
            >
              Remove the approval block
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}

function AudienceChoice({
  clauseName,
  choices,
  known,
  selected,
  onChange,
}: {
  clauseName: string;
  choices: readonly string[];
  known: readonly string[];
  selected: readonly string[];
  onChange: (audience: string[]) => void;
}) {
  const styles = useStyles();
  if (choices.length === 0) return null;
  return (
    <fieldset className={styles.audience} aria-label={`${clauseName}: who it applies to`}>
      <legend className={styles.audienceLegend}>
        Applies to:{' '}
        <strong>
          {selected.length === 0 ? 'everyone the policy applies to' : selected.join(', ')}
        </strong>
      </legend>
      <div className={styles.audienceChoices}>
        {choices.map((audience) => (
          <Checkbox
            key={audience}
            label={known.includes(audience) ? audience : `${audience} (not in this policy)`}
            checked={selected.includes(audience)}
            onChange={(_e, data) =>
              onChange(
                data.checked === true
                  ? choices.filter((a) => a === audience || selected.includes(a))
                  : selected.filter((a) => a !== audience),
              )
            }
          />
        ))}
      </div>
      <span className={styles.hint}>Tick none for everyone.</span>
    </fieldset>
  );
}

/** Empty sub-item lines dropped; the problems that would make the API refuse the draft. */
export function tidyDocument(
  document: PolicyDocument,
  audiences: readonly string[],
): {
  document: PolicyDocument;
  problems: string[];
} {
  const problems: string[] = [];
  if (document.title.trim() === '') problems.push('The title is empty.');
  const sections = document.sections.map((section) => ({
    ...section,
    clauses: section.clauses.map((clause) => ({
      ...clause,
      text: clause.text.trim(),
      items: clause.items.map((item) => item.trim()).filter((item) => item !== ''),
    })),
  }));
  sections.forEach((section, s) =>
    section.clauses.forEach((clause, c) => {
      const where = `Clause ${clause.number ?? c + 1} in “${section.heading || `section ${s + 1}`}”`;
      if (clause.text === '') problems.push(`${where} has no text.`);
      const unknown = (clause.audience ?? []).filter((a) => !audiences.includes(a));
      if (unknown.length > 0) {
        problems.push(
          `${where} is for “${unknown.join('”, “')}”, not an audience of this policy: untick it.`,
        );
      }
    }),
  );
  return { document: { ...document, sections }, problems };
}
