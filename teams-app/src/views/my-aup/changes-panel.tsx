import { makeStyles, tokens } from '@fluentui/react-components';
import type { PolicyDiff } from '../../api/api-types.ts';
import { readClauseChanges } from '../../api/clause-changes.ts';

const useStyles = makeStyles({
  panel: {
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    overflowWrap: 'anywhere',
  },
  removed: { textDecorationLine: 'line-through' },
});

export interface ChangesPanelProps {
  /** The heading: "since you signed version 3", or "from version 3" for an admin. */
  heading: string;
  summary: string;
  diff: PolicyDiff;
  /** Whether the changed clauses are highlighted in a document shown next to this panel. */
  highlighted?: boolean;
}

/**
 * What changed: the one-line summary, then what the highlighted text cannot show (removed
 * clauses, a new declaration or consents).
 */
export function ChangesPanel({ heading, summary, diff, highlighted = true }: ChangesPanelProps) {
  const styles = useStyles();
  const changes = readClauseChanges(diff);
  const removed = changes.filter((c) => c.kind === 'removed');
  const shownInText = changes.length - removed.length;
  return (
    <section className={styles.panel} aria-label={heading}>
      <h3>{heading}</h3>
      <p>{summary}</p>
      {highlighted && shownInText > 0 && (
        <p>New clauses are marked “New” and reworded clauses “Reworded” in the text below.</p>
      )}
      {!highlighted && shownInText > 0 && (
        <ul>
          {changes
            .filter((c) => c.kind !== 'removed')
            .map((change, index) => (
              <li key={index}>
                <strong>{change.kind === 'added' ? 'New: ' : 'Reworded: '}</strong>
                {change.number !== undefined ? `${change.number} ` : ''}
                {change.text}
                {change.previousText !== undefined && (
                  <>
                    {' '}
                    <span>(was: “{change.previousText}”)</span>
                  </>
                )}
              </li>
            ))}
        </ul>
      )}
      {removed.length > 0 && (
        <>
          <h4>Removed clauses</h4>
          <ul>
            {removed.map((change, index) => (
              <li key={index}>
                <span className={styles.removed}>
                  {change.number !== undefined ? `${change.number} ` : ''}
                  {change.previousText}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {diff.declaration !== null && (
        <p>
          <strong>The declaration now reads:</strong> {diff.declaration.after}
        </p>
      )}
      {diff.consents.added.length > 0 && (
        <p>
          <strong>New consents:</strong> {diff.consents.added.map((c) => c.text).join('; ')}
        </p>
      )}
      {diff.consents.reworded.length > 0 && (
        <p>
          <strong>Reworded consents:</strong>{' '}
          {diff.consents.reworded.map((c) => c.after).join('; ')}
        </p>
      )}
    </section>
  );
}
