import { makeStyles, tokens } from '@fluentui/react-components';
import type { ApiClient } from '../../api/api-client.ts';
import type { HistoryEntry } from '../../api/api-types.ts';
import { formatDateTime, signedAsLabel } from '../../ui/format.ts';
import { approvalLabel } from './receipt.tsx';
import { SignedTextToggle } from './signed-text-view.tsx';

const useStyles = makeStyles({
  list: { listStyleType: 'none', padding: '0', margin: '0' },
  item: {
    padding: `${tokens.spacingVerticalS} 0`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    overflowWrap: 'anywhere',
  },
  hash: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
});

/**
 * Everything I have signed, newest first, each named by its own version's title (a later
 * version's new title never rewrites what an earlier signature was of), with its exact text.
 */
export function HistoryList({
  api,
  history,
}: {
  api: ApiClient;
  history: readonly HistoryEntry[];
}) {
  const styles = useStyles();
  const sorted = [...history].sort((a, b) => b.signedAt.localeCompare(a.signedAt));
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">My history</h2>
      {sorted.length === 0 ? (
        <p>You have not signed anything yet.</p>
      ) : (
        <ul className={styles.list}>
          {sorted.map((ack) => (
            <li key={ack.id} className={styles.item}>
              <strong>
                {ack.versionTitle || ack.policyKey}, version {ack.versionLabel}
              </strong>
              <br />
              Signed {formatDateTime(ack.signedAt)}. {signedAsLabel(ack)}. Role: {ack.statedRole}.
              Approval: {approvalLabel(ack.approvalState)}.
              <br />
              <span className={styles.hash}>Hash {ack.contentHash.slice(0, 16)}…</span>
              <SignedTextToggle api={api} acknowledgementId={ack.id} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
