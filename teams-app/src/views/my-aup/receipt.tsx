import { makeStyles, tokens } from '@fluentui/react-components';
import type { Acknowledgement, MyPolicyView, PolicyVersion } from '../../api/api-types.ts';
import { formatDateTime, signedAsLabel } from '../../ui/format.ts';

const useStyles = makeStyles({
  receipt: {
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteGreenBorder2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  list: {
    display: 'grid',
    gridTemplateColumns: 'minmax(0, max-content) minmax(0, 1fr)',
    gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`,
    margin: '0',
  },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: '0', overflowWrap: 'anywhere' },
  hash: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
});

/** Proof of what was signed: the version, when, and the hash of the exact wording. */
export function Receipt({
  acknowledgement,
  version,
  approver,
  permissions,
}: {
  acknowledgement: Acknowledgement;
  version?: PolicyVersion;
  /** Who decides this signature (My policies says), so "waiting" names them. */
  approver?: MyPolicyView['approver'];
  /** What the approver granted beyond the role's usual access. */
  permissions?: readonly string[];
}) {
  const styles = useStyles();
  return (
    <section className={styles.receipt} aria-labelledby={`receipt-${acknowledgement.id}`}>
      <h3 id={`receipt-${acknowledgement.id}`}>Your receipt</h3>
      <dl className={styles.list}>
        <dt className={styles.term}>Version</dt>
        <dd className={styles.value}>
          {acknowledgement.versionNumber}
          {version !== undefined && version.number === acknowledgement.versionNumber
            ? ` (${version.label})`
            : ''}
        </dd>
        <dt className={styles.term}>Signed</dt>
        <dd className={styles.value}>{formatDateTime(acknowledgement.signedAt)}</dd>
        <dt className={styles.term}>Signed as</dt>
        <dd className={styles.value}>{signedAsLabel(acknowledgement)}</dd>
        <dt className={styles.term}>Role</dt>
        <dd className={styles.value}>{acknowledgement.statedRole}</dd>
        <dt className={styles.term}>Content hash</dt>
        <dd className={`${styles.value} ${styles.hash}`}>{acknowledgement.contentHash}</dd>
        <dt className={styles.term}>Approval</dt>
        <dd className={styles.value}>{approvalLabel(acknowledgement.approvalState, approver)}</dd>
        {permissions !== undefined && permissions.length > 0 && (
          <>
            <dt className={styles.term}>Additional permissions</dt>
            <dd className={styles.value}>{permissions.join(', ')}</dd>
          </>
        )}
      </dl>
    </section>
  );
}

export function approvalLabel(
  state: Acknowledgement['approvalState'],
  approver?: MyPolicyView['approver'],
): string {
  switch (state) {
    case 'not-required':
      return 'Not required';
    case 'pending':
      // Never "the headteacher" for the head's own signature: the school's named approver.
      if (approver === undefined) return 'Waiting for approval';
      return approver.kind === 'nobody'
        ? 'Waiting: nobody is named to approve the approvers’ own signatures yet (ask the school office)'
        : `Waiting for ${approver.name}`;
    case 'approved':
      return 'Approved';
    case 'rejected':
      return 'Not approved';
  }
}
