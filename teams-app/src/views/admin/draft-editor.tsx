import {
  Button,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Textarea,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import type { Clause, PolicyDocument, Section } from '../../api/api-types.ts';

/** The importer's section for text it could not place (src/domain/policy-document.ts). */
export const UNPLACED_HEADING = 'Unplaced';

const useStyles = makeStyles({
  editor: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  section: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
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
  clause: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    paddingBlock: tokens.spacingVerticalS,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'end' },
  // Fluent's Input has a minimum width wider than 7em: without this the field spills over the
  // button beside it.
  number: { width: '7em', minWidth: '0' },
  numberInput: { width: '100%', minWidth: '0' },
  audience: { border: 'none', margin: '0', padding: '0', minWidth: '0' },
  audienceLegend: { padding: '0', marginBlockEnd: tokens.spacingVerticalXXS },
  audienceChoices: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalM },
  audienceHint: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
});

export interface DraftEditorProps {
  document: PolicyDocument;
  /** The audiences a clause may be restricted to: those of the policy the draft belongs to. */
  audiences: readonly string[];
  onChange: (document: PolicyDocument) => void;
}

function withNumber(clause: Clause, number: string): Clause {
  const next: Clause = { text: clause.text, items: clause.items };
  if (clause.audience !== undefined) next.audience = clause.audience;
  if (number !== '') next.number = number;
  return next;
}

/** No audience ticked means the clause applies to everyone the policy applies to. */
function withAudience(clause: Clause, audience: readonly string[]): Clause {
  const next: Clause = { text: clause.text, items: clause.items };
  if (clause.number !== undefined) next.number = clause.number;
  if (audience.length > 0) next.audience = [...audience];
  return next;
}

/** The policy's audiences, then any the clause names that the policy does not (to untick). */
export function audienceChoices(policyAudiences: readonly string[], clause: Clause): string[] {
  return [...new Set([...policyAudiences, ...(clause.audience ?? [])])];
}

function updateAt<T>(list: readonly T[], index: number, next: T): T[] {
  return list.map((item, i) => (i === index ? next : item));
}

/**
 * The parsed draft, editable: title, section headings, clause numbers, texts and sub-items,
 * clauses added and removed, the declaration and the consents. Text the importer could not
 * place sits in a highlighted "Unplaced" section until the admin moves or removes it.
 */
export function DraftEditor({ document, audiences, onChange }: DraftEditorProps) {
  const styles = useStyles();
  const setSection = (index: number, section: Section) =>
    onChange({ ...document, sections: updateAt(document.sections, index, section) });
  const setClause = (sectionIndex: number, section: Section, clauseIndex: number, clause: Clause) =>
    setSection(sectionIndex, {
      ...section,
      clauses: updateAt(section.clauses, clauseIndex, clause),
    });

  return (
    <div className={styles.editor}>
      <Field label="Title" required>
        <Input
          value={document.title}
          onChange={(_e, data) => onChange({ ...document, title: data.value })}
        />
      </Field>
      {document.sections.map((section, sectionIndex) => {
        const unplaced = section.heading === UNPLACED_HEADING;
        const name = section.heading === '' ? `Section ${sectionIndex + 1}` : section.heading;
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
                  setSection(sectionIndex, { ...section, heading: data.value })
                }
              />
            </Field>
            {section.clauses.map((clause, clauseIndex) => {
              const clauseName = `${name}, clause ${clause.number ?? clauseIndex + 1}`;
              return (
                <div
                  key={clauseIndex}
                  className={styles.clause}
                  role="group"
                  aria-label={clauseName}
                >
                  <div className={styles.row}>
                    <Field label="Number" className={styles.number}>
                      <Input
                        className={styles.numberInput}
                        value={clause.number ?? ''}
                        onChange={(_e, data) =>
                          setClause(
                            sectionIndex,
                            section,
                            clauseIndex,
                            withNumber(clause, data.value),
                          )
                        }
                      />
                    </Field>
                    <Button
                      aria-label={`Remove clause ${clause.number ?? clauseIndex + 1} in ${name}`}
                      onClick={() =>
                        setSection(sectionIndex, {
                          ...section,
                          clauses: section.clauses.filter((_c, i) => i !== clauseIndex),
                        })
                      }
                    >
                      Remove clause
                    </Button>
                  </div>
                  <Field label="Clause text" required>
                    <Textarea
                      resize="vertical"
                      value={clause.text}
                      onChange={(_e, data) =>
                        setClause(sectionIndex, section, clauseIndex, {
                          ...clause,
                          text: data.value,
                        })
                      }
                    />
                  </Field>
                  <AudienceChoice
                    clauseName={clauseName}
                    choices={audienceChoices(audiences, clause)}
                    known={audiences}
                    selected={clause.audience ?? []}
                    onChange={(audience) =>
                      setClause(sectionIndex, section, clauseIndex, withAudience(clause, audience))
                    }
                  />
                  <Field label="Sub-items (one a line)">
                    <Textarea
                      resize="vertical"
                      value={clause.items.join('\n')}
                      onChange={(_e, data) =>
                        setClause(sectionIndex, section, clauseIndex, {
                          ...clause,
                          items: data.value === '' ? [] : data.value.split('\n'),
                        })
                      }
                    />
                  </Field>
                </div>
              );
            })}
            <div className={styles.row}>
              <Button
                onClick={() =>
                  setSection(sectionIndex, {
                    ...section,
                    clauses: [...section.clauses, { text: '', items: [] }],
                  })
                }
              >
                Add a clause to {name}
              </Button>
              {unplaced && (
                <Button
                  onClick={() =>
                    onChange({
                      ...document,
                      sections: document.sections.filter((_s, i) => i !== sectionIndex),
                    })
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
          onChange({ ...document, sections: [...document.sections, { heading: '', clauses: [] }] })
        }
      >
        Add a section
      </Button>
      <Field label="Declaration" hint="What each person confirms when they sign.">
        <Textarea
          resize="vertical"
          value={document.declaration}
          onChange={(_e, data) => onChange({ ...document, declaration: data.value })}
        />
      </Field>
      {document.consents.map((consent, index) => (
        <Field key={consent.key} label={`Consent “${consent.key}”`}>
          <Textarea
            resize="vertical"
            value={consent.text}
            onChange={(_e, data) =>
              onChange({
                ...document,
                consents: updateAt(document.consents, index, { ...consent, text: data.value }),
              })
            }
          />
        </Field>
      ))}
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
      <span className={styles.audienceHint}>Tick none for everyone.</span>
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
