import { Badge, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import type { PolicyDocument } from '../../api/api-types.ts';
import { changeForClause, type ClauseChange } from '../../api/clause-changes.ts';
import { LinkedText } from '../../ui/linked-text.tsx';

const useStyles = makeStyles({
  doc: { overflowWrap: 'anywhere' },
  list: { listStyleType: 'none', paddingInlineStart: '0', margin: '0' },
  clause: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalS}`,
    borderInlineStartWidth: tokens.strokeWidthThicker,
    borderInlineStartStyle: 'solid',
    borderInlineStartColor: 'transparent',
    lineHeight: tokens.lineHeightBase400,
  },
  added: {
    backgroundColor: tokens.colorPaletteGreenBackground1,
    borderInlineStartColor: tokens.colorPaletteGreenBorderActive,
  },
  reworded: {
    backgroundColor: tokens.colorPaletteYellowBackground1,
    borderInlineStartColor: tokens.colorPaletteMarigoldBorderActive,
  },
  // The clause is a flex column: without this a badge stretches across it.
  badge: { alignSelf: 'flex-start' },
  number: { fontWeight: tokens.fontWeightSemibold, marginInlineEnd: tokens.spacingHorizontalXS },
  items: { marginBlock: tokens.spacingVerticalXS, paddingInlineStart: tokens.spacingHorizontalXL },
  previous: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
});

export interface PolicyDocumentViewProps {
  document: PolicyDocument;
  /** Clause changes since the version the person last signed: those clauses are highlighted. */
  changes?: readonly ClauseChange[];
  /** Heading level for section headings, under the document's own heading. */
  headingLevel?: 3 | 4;
  /**
   * Says which clauses are for some audiences only: an admin's preview of the whole text (a
   * person's own view is already theirs alone).
   */
  showAudiences?: boolean;
}

/** The policy as the person will sign it, readable at 320 px: no tables, wrapping text. */
export function PolicyDocumentView({
  document,
  changes = [],
  headingLevel = 3,
  showAudiences = false,
}: PolicyDocumentViewProps) {
  const styles = useStyles();
  const Heading = headingLevel === 3 ? 'h3' : 'h4';
  return (
    <div className={styles.doc}>
      {document.sections.map((section, sectionIndex) => (
        <section key={sectionIndex} aria-label={section.heading || undefined}>
          {section.heading !== '' && <Heading>{section.heading}</Heading>}
          <ul className={styles.list}>
            {section.clauses.map((clause, clauseIndex) => {
              const change = changeForClause(clause, changes);
              return (
                <li
                  key={clauseIndex}
                  className={mergeClasses(
                    styles.clause,
                    change?.kind === 'added' && styles.added,
                    change?.kind === 'reworded' && styles.reworded,
                  )}
                >
                  {change?.kind === 'added' && (
                    <Badge
                      className={styles.badge}
                      appearance="filled"
                      color="success"
                      size="small"
                    >
                      New
                    </Badge>
                  )}
                  {change?.kind === 'reworded' && (
                    <Badge
                      className={styles.badge}
                      appearance="filled"
                      color="warning"
                      size="small"
                    >
                      Reworded
                    </Badge>
                  )}
                  <span>
                    {clause.number !== undefined && (
                      <span className={styles.number}>{clause.number}</span>
                    )}
                    <LinkedText text={clause.text} />
                    {showAudiences && clause.audience !== undefined && (
                      <span> (for {clause.audience.join(', ')} only)</span>
                    )}
                  </span>
                  {clause.items.length > 0 && (
                    <ul className={styles.items}>
                      {clause.items.map((item, itemIndex) => (
                        <li key={itemIndex}>
                          <LinkedText text={item} />
                        </li>
                      ))}
                    </ul>
                  )}
                  {change?.kind === 'reworded' && change.previousText !== undefined && (
                    <details>
                      <summary>Previous wording</summary>
                      <p className={styles.previous}>{change.previousText}</p>
                    </details>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </div>
  );
}
