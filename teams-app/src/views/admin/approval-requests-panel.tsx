import {
  Badge,
  Button,
  MessageBar,
  MessageBarBody,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../api/api-client.ts';
import { ApiError, describeError } from '../../api/api-error.ts';
import type { ApprovalRequestItem } from '../../api/api-types.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { listCardStyle } from '../../ui/list-card-style.ts';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  list: { listStyleType: 'none', padding: '0', margin: '0' },
  item: listCardStyle,
  notReached: { borderLeft: `${tokens.strokeWidthThicker} solid ${tokens.colorPaletteRedBorder2}` },
  heading: { margin: '0', fontSize: tokens.fontSizeBase400 },
  line: { margin: '0' },
  approvers: { margin: '0', paddingInlineStart: tokens.spacingHorizontalXL },
  said: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
});

type State = ApprovalRequestItem['state'];
type ApproverState = ApprovalRequestItem['approvers'][number]['state'];

function stateLabel(state: State): string {
  switch (state) {
    case 'not-reached':
      return 'Not reached';
    case 'nobody':
      return 'Nobody can approve';
    case 'not-queued':
      return 'Not asked yet';
    case 'waiting':
      return 'Waiting to send';
    case 'delivered':
      return 'Card sent';
  }
}

function stateTone(state: State): 'danger' | 'warning' | 'informative' | 'success' {
  switch (state) {
    case 'not-reached':
    case 'nobody':
      return 'danger';
    case 'not-queued':
      return 'warning';
    case 'waiting':
      return 'informative';
    case 'delivered':
      return 'success';
  }
}

function approverLabel(state: ApproverState): string {
  switch (state) {
    case 'not-reached':
      return 'not reached';
    case 'waiting':
      return 'waiting to send';
    case 'delivered':
      return 'card sent';
  }
}

/** "3 not reached · 1 waiting to send · 2 card sent": the list at a glance. */
function summary(items: readonly ApprovalRequestItem[]): string {
  const order: State[] = ['not-reached', 'nobody', 'not-queued', 'waiting', 'delivered'];
  return order
    .map((state) => [state, items.filter((i) => i.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${stateLabel(state).toLowerCase()}`)
    .join(' · ');
}

/** What a resend did, said in the row it was pressed in (or above the list if the row went). */
interface Said {
  acknowledgementId: string;
  intent: 'success' | 'warning' | 'error';
  text: string;
  /** Each press gets its own, so focus moves to the message again on a second press. */
  n: number;
}

function resentWords(item: ApprovalRequestItem, queued: number): Said['text'] {
  if (queued === 0) {
    return 'Nothing was sent again: the card is already on its way or has arrived.';
  }
  const notReached = item.approvers.filter((a) => a.state === 'not-reached').map((a) => a.name);
  const to = notReached.length > 0 ? notReached.join(', ') : 'the approver';
  return `Sent again to ${to}: the card is queued and goes within a few minutes.`;
}

function failedWords(error: unknown): Pick<Said, 'intent' | 'text'> {
  if (error instanceof ApiError && error.status === 404) {
    return {
      intent: 'warning',
      text: 'This signature is no longer waiting for approval: it was decided or signed again.',
    };
  }
  return { intent: 'error', text: `The card was not sent again. ${describeError(error)}` };
}

function Item({
  item,
  said,
  busy,
  onResend,
}: {
  item: ApprovalRequestItem;
  said: Said | null;
  busy: boolean;
  onResend: () => void;
}) {
  const styles = useStyles();
  const saidRef = useRef<HTMLDivElement>(null);
  // After a resend, focus moves to what it did: the button may be gone (the card is queued now),
  // and a keyboard user must not be dropped back to the top of the page.
  useEffect(() => {
    if (said !== null) saidRef.current?.focus();
  }, [said]);
  const headingId = `approval-request-${item.acknowledgementId}`;
  const version = `version ${item.versionNumber}${item.versionLabel === '' ? '' : ` (${item.versionLabel})`}`;
  return (
    <li
      className={`${styles.item} ${item.state === 'not-reached' ? styles.notReached : ''}`}
      aria-labelledby={headingId}
    >
      <h3 id={headingId} className={styles.heading}>
        {item.signerName}: {item.policyTitle}, {version}
      </h3>
      <div className={styles.line}>
        <Badge appearance="tint" color={stateTone(item.state)}>
          {stateLabel(item.state)}
        </Badge>{' '}
        Signed {item.signedAtLocal}
      </div>
      <p className={styles.line}>{item.words}</p>
      {item.approvers.length > 0 && (
        <ul className={styles.approvers} aria-label={`Approvers of ${item.signerName}’s signature`}>
          {item.approvers.map((a) => (
            <li key={a.userId}>
              {a.name}: {approverLabel(a.state)}
              {a.state === 'not-reached' && a.reasonWords !== undefined && ` (${a.reasonWords})`}
              {a.state === 'not-reached' && a.reason !== undefined && (
                <span className={styles.said}> Teams said: “{a.reason}”</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {item.canResend && (
        <div className={styles.actions}>
          <Button
            appearance={item.state === 'not-reached' ? 'primary' : 'secondary'}
            disabled={busy}
            aria-label={`Resend the approval card for ${item.signerName}’s signature`}
            onClick={onResend}
          >
            {busy ? 'Resending…' : 'Resend'}
          </Button>
        </div>
      )}
      {said !== null && (
        <div ref={saidRef} tabIndex={-1}>
          <MessageBar intent={said.intent} role={said.intent === 'error' ? 'alert' : 'status'}>
            <MessageBarBody>{said.text}</MessageBarBody>
          </MessageBar>
        </div>
      )}
    </li>
  );
}

/**
 * Every signature waiting for an approver's decision and what became of the approver's card
 * (GET /api/admin/approval-requests, not reached first), with a Resend for those not reached.
 */
export function ApprovalRequestsPanel({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const [loaded, reload] = useLoad(() => api.approvalRequests(), [api]);
  const [busy, setBusy] = useState<string | null>(null);
  const [said, setSaid] = useState<Said | null>(null);
  const topRef = useRef<HTMLDivElement>(null);
  const items = loaded.status === 'ready' ? loaded.value : [];
  const saidInList =
    said !== null && items.some((i) => i.acknowledgementId === said.acknowledgementId);
  // A row that went (decided meanwhile) says what happened above the list, focused there.
  useEffect(() => {
    if (said !== null && !saidInList) topRef.current?.focus();
  }, [said, saidInList]);

  const resend = async (item: ApprovalRequestItem) => {
    setBusy(item.acknowledgementId);
    const n = (said?.n ?? 0) + 1;
    try {
      const { queued } = await api.resendApprovalRequest(item.acknowledgementId);
      setSaid({
        acknowledgementId: item.acknowledgementId,
        intent: queued > 0 ? 'success' : 'warning',
        text: resentWords(item, queued),
        n,
      });
    } catch (error: unknown) {
      setSaid({ acknowledgementId: item.acknowledgementId, ...failedWords(error), n });
    } finally {
      setBusy(null);
      reload();
    }
  };

  return (
    <section aria-labelledby="approval-requests-heading" className={styles.stack}>
      <h2 id="approval-requests-heading">Approval requests</h2>
      <p className={styles.line}>
        Signatures waiting for an approver’s decision, and whether the approver’s card reached them.
        Those not reached come first.
      </p>
      {said !== null && !saidInList && (
        <div ref={topRef} tabIndex={-1}>
          <MessageBar intent={said.intent} role={said.intent === 'error' ? 'alert' : 'status'}>
            <MessageBarBody>{said.text}</MessageBarBody>
          </MessageBar>
        </div>
      )}
      {loaded.status === 'loading' && <Spinner label="Loading approval requests…" />}
      {loaded.status === 'failed' && (
        <ErrorMessage title="Could not load the approval requests" error={loaded.error} />
      )}
      {loaded.status === 'ready' && (
        <>
          <div className={styles.actions}>
            <p className={styles.line} role="status">
              {items.length === 0
                ? 'No signature is waiting for approval.'
                : `${items.length} waiting for approval: ${summary(items)}.`}
            </p>
            <Button appearance="subtle" onClick={reload}>
              Refresh
            </Button>
          </div>
          {items.length > 0 && (
            <ul className={styles.list} aria-label="Signatures waiting for approval">
              {items.map((item) => (
                <Item
                  key={item.acknowledgementId}
                  item={item}
                  said={said?.acknowledgementId === item.acknowledgementId ? said : null}
                  busy={busy === item.acknowledgementId}
                  onResend={() => void resend(item)}
                />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
