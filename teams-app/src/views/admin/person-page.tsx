import { Button, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import type { ApiClient } from '../../api/api-client.ts';
import type { PersonRecord } from '../../api/api-types.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { VersionText } from '../my-aup/signed-text-view.tsx';
import { EvidencePackButton } from './evidence-pack-button.tsx';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  signature: {
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    paddingBlockEnd: tokens.spacingVerticalM,
    overflowWrap: 'anywhere',
  },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`,
    margin: '0',
  },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: '0' },
  pair: { display: 'contents' },
  list: { listStyleType: 'none', padding: '0', margin: '0' },
  table: { borderCollapse: 'collapse', width: '100%' },
  caption: { textAlign: 'start', fontStyle: 'italic' },
  cell: {
    textAlign: 'start',
    verticalAlign: 'top',
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
});

function Signature({ signature }: { signature: PersonRecord['signatures'][number] }) {
  const styles = useStyles();
  const ack = signature.acknowledgement;
  const heading = `${signature.versionTitle || 'Version'}, version ${signature.versionLabel}`;
  const facts: [string, string][] = [
    ['Signed', signature.signedAtLocal],
    ['Typed name', ack.typedName],
    ['Entra name', `${ack.displayName} (${ack.upn})`],
    ['Role', ack.statedRole],
    ['Signed in', ack.channel === 'card' ? 'a Teams card' : 'the Countersign tab'],
    ['Approval', signature.approvalWords],
    ...signature.decisions.map((d): [string, string] => [
      d.decision === 'approved' ? 'Approved by' : 'Rejected by',
      `${d.approverName}${d.decidedAtLocal === undefined ? '' : `, ${d.decidedAtLocal}`}${d.additionalPermissions.length > 0 ? `; permissions: ${d.additionalPermissions.join(', ')}` : ''}${d.comment === undefined ? '' : `; reason: ${d.comment}`}`,
    ]),
    ['Consents', signature.consents.map((c) => `${c.text} ${c.answer}`).join('; ') || 'None asked'],
  ];
  return (
    <li className={styles.signature}>
      <h3>{heading}</h3>
      <dl className={styles.facts}>
        {facts.map(([term, value], i) => (
          <div key={i} className={styles.pair}>
            <dt className={styles.term}>{term}</dt>
            <dd className={styles.value}>{value}</dd>
          </div>
        ))}
      </dl>
      {signature.document === undefined ? (
        <p>The text of this version is no longer stored.</p>
      ) : (
        <details>
          <summary>The exact text signed ({heading})</summary>
          <VersionText document={signature.document} heading={`${heading}: the text signed`} />
          {signature.textMatchesSignature === false && (
            <p>Warning: the stored text does not match the hash that was signed.</p>
          )}
        </details>
      )}
    </li>
  );
}

/** Prompts and reminders sent to this person, newest first: what, when, what became of it. */
function Deliveries({
  api,
  policyKey,
  userId,
}: {
  api: ApiClient;
  policyKey: string;
  userId: string;
}) {
  const styles = useStyles();
  const [loaded] = useLoad(() => api.personDeliveries(policyKey, userId), [api, policyKey, userId]);
  return (
    <section aria-labelledby="deliveries-heading">
      <h3 id="deliveries-heading">Reminders and deliveries</h3>
      {loaded.status === 'loading' && <Spinner size="tiny" label="Loading what was sent…" />}
      {loaded.status === 'failed' && (
        <ErrorMessage title="Could not load what was sent" error={loaded.error} />
      )}
      {loaded.status === 'ready' && (
        <>
          {loaded.value.deliveries.length === 0 ? (
            <p>Countersign has sent this person no card for this policy.</p>
          ) : (
            <table className={styles.table}>
              <caption className={styles.caption}>
                Cards sent to this person about this policy, and updates to them when a deadline
                moved, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col" className={styles.cell}>
                    When
                  </th>
                  <th scope="col" className={styles.cell}>
                    What
                  </th>
                  <th scope="col" className={styles.cell}>
                    Outcome
                  </th>
                </tr>
              </thead>
              <tbody>
                {loaded.value.deliveries.map((d) => (
                  <tr key={d.jobId}>
                    <td className={styles.cell}>{d.atLocal}</td>
                    <td className={styles.cell}>
                      {d.what} (version {d.versionNumber})
                      {d.deadlineLocal === undefined ? '' : `, deadline ${d.deadlineLocal}`}
                    </td>
                    <td className={styles.cell}>{d.outcome}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {loaded.value.notes.map((note, i) => (
            <p key={i}>{note}</p>
          ))}
        </>
      )}
    </section>
  );
}

/**
 * One person's page for an admin: where they stand now, in words, and every signature of the
 * policy, newest first, with the exact text of its version, the decisions and the consents.
 */
export function PersonPage({
  api,
  policyKey,
  userId,
  onBack,
}: {
  api: ApiClient;
  policyKey: string;
  userId: string;
  onBack: () => void;
}) {
  const styles = useStyles();
  const [record] = useLoad(() => api.person(policyKey, userId), [api, policyKey, userId]);
  return (
    <section className={styles.stack} aria-labelledby="person-heading">
      <div>
        <Button onClick={onBack}>Back to everyone</Button>
      </div>
      {record.status === 'loading' && <Spinner label="Loading this person…" />}
      {record.status === 'failed' && (
        <ErrorMessage title="Could not load this person" error={record.error} />
      )}
      {record.status === 'ready' && (
        <>
          <h2 id="person-heading">{record.value.person.displayName}</h2>
          <p>
            {record.value.person.upn}
            {record.value.person.audiences.length > 0 &&
              ` · ${record.value.person.audiences.join(', ')}`}
          </p>
          <p>
            <strong>{record.value.policy.title}:</strong> {record.value.statusWords}
          </p>
          <div>
            <EvidencePackButton
              label={`Evidence pack for ${record.value.person.displayName} (PDF)`}
              load={() => api.personEvidencePdf(policyKey, userId)}
            />
          </div>
          <h3>Signatures ({record.value.signatures.length})</h3>
          {record.value.signatures.length === 0 ? (
            <p>No signature of this policy yet.</p>
          ) : (
            <ul className={styles.list}>
              {record.value.signatures.map((s) => (
                <Signature key={s.acknowledgement.id} signature={s} />
              ))}
            </ul>
          )}
          <Deliveries api={api} policyKey={policyKey} userId={userId} />
        </>
      )}
    </section>
  );
}
