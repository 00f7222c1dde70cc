import {
  Badge,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { ApiError, type ApiClient } from '../../api/api-client.ts';
import { referenceOf } from '../../api/api-error.ts';
import { MAX_SIGN_ATTEMPTS, signRetryPlan, type RetryPlan } from '../../api/sign-retry.ts';
import type { Acknowledgement, MyPolicyView, SignBody } from '../../api/api-types.ts';
import { readClauseChanges } from '../../api/clause-changes.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { formatDate, formatDateTime, statusLabel, statusTone } from '../../ui/format.ts';
import { useLoad } from '../../ui/use-load.ts';
import { ChangesPanel } from './changes-panel.tsx';
import { PolicyDocumentView } from './policy-document-view.tsx';
import { Receipt } from './receipt.tsx';
import { SignForm } from './sign-form.tsx';

const useStyles = makeStyles({
  panel: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  meta: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    color: tokens.colorNeutralForeground2,
  },
  title: { margin: '0', overflowWrap: 'anywhere' },
});

export interface PolicyPanelProps {
  api: ApiClient;
  view: MyPolicyView;
  history: readonly Acknowledgement[];
  /** Reload my policies and history (after signing, or when a newer version appeared). */
  onChanged: () => void;
}

/** One policy: where I stand, what changed, the text, and Sign or my receipt. */
export function PolicyPanel({ api, view, history, onChanged }: PolicyPanelProps) {
  const styles = useStyles();
  const { policy, version, status } = view;
  const needsSigning = status.kind === 'due' || status.kind === 'overdue';
  // A rejected person reads the reason and signs again; the new signature goes back for approval.
  const mayResign = status.kind === 'rejected';
  const lastSigned = needsSigning ? status.lastSignedVersion : undefined;
  const [changes] = useLoad(
    () => (lastSigned === undefined ? Promise.resolve(null) : api.changes(policy.key)),
    [api, policy.key, lastSigned],
  );
  const [signing, setSigning] = useState(false);
  const [signError, setSignError] = useState<unknown>(null);
  const [outdated, setOutdated] = useState(false);
  const [signedHere, setSignedHere] = useState<Acknowledgement | null>(null);
  /** A try that was not taken and the next one waiting (Graph down, busy, no answer). */
  const [retrying, setRetrying] = useState<{
    attempt: number;
    plan: RetryPlan;
    reference: string | undefined;
  } | null>(null);
  /** How many tries the signature that was taken needed, when more than one. */
  const [triesTaken, setTriesTaken] = useState<number | null>(null);
  const nextTry = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(nextTry.current), []);

  // The panel outlives a version (a newer one can arrive while it is open): a receipt from this
  // session counts only for the version on screen.
  const justSigned = signedHere?.versionNumber === version.number ? signedHere : null;
  const clauseChanges =
    changes.status === 'ready' && changes.value !== null
      ? readClauseChanges(changes.value.diff)
      : [];
  const receipt =
    justSigned ??
    history.find((ack) => ack.policyKey === policy.key && ack.versionNumber === version.number);

  const attemptSign = (body: SignBody, attempt: number) => {
    setSigning(true);
    setSignError(null);
    api.sign(policy.key, body).then(
      (result) => {
        setSigning(false);
        setRetrying(null);
        setTriesTaken(attempt > 1 ? attempt : null);
        setSignedHere(result.acknowledgement);
        onChanged();
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.code === 'conflict') {
          setSigning(false);
          setRetrying(null);
          setOutdated(true);
          onChanged();
          return;
        }
        const plan = signRetryPlan(error);
        if (plan !== null && attempt < MAX_SIGN_ATTEMPTS) {
          // Not taken: say so, and try the same signature again when the answer said to.
          setRetrying({ attempt, plan, reference: referenceOf(error) });
          nextTry.current = setTimeout(
            () => attemptSign(body, attempt + 1),
            plan.waitSeconds * 1000,
          );
          return;
        }
        setSigning(false);
        setRetrying(null);
        setSignError(error);
      },
    );
  };
  const sign = (body: SignBody) => attemptSign(body, 1);

  const headingId = `policy-${policy.key}`;
  return (
    <article className={styles.panel} aria-labelledby={headingId}>
      <div>
        <h2 id={headingId} className={styles.title}>
          {version.document.title}
        </h2>
        <div className={styles.meta}>
          <Badge appearance="tint" color={statusTone(status.kind)}>
            {justSigned !== null && needsSigning ? 'Signed' : statusLabel(status)}
          </Badge>
          <span>
            Version {version.number} ({version.label})
            {version.publishedAt !== undefined && `, published ${formatDate(version.publishedAt)}`}
          </span>
        </div>
      </div>
      {outdated && (
        <MessageBar intent="warning">
          <MessageBarBody>
            A newer version of this policy was published while you were reading. Please read the
            current version below before signing.
          </MessageBarBody>
        </MessageBar>
      )}
      {changes.status === 'failed' && (
        <ErrorMessage title="Could not load what changed" error={changes.error} />
      )}
      {changes.status === 'ready' && changes.value !== null && lastSigned !== undefined && (
        <ChangesPanel
          heading={`What changed since you signed version ${changes.value.fromVersion ?? lastSigned}`}
          summary={changes.value.summary}
          diff={changes.value.diff}
        />
      )}
      <PolicyDocumentView document={version.document} changes={clauseChanges} />
      {justSigned === null && status.kind === 'rejected' && (
        <MessageBar intent="error">
          <MessageBarBody>
            <MessageBarTitle>Your signature was not approved</MessageBarTitle>
            Your signature for version {status.versionNumber} was not approved
            {status.comment !== undefined ? `. The reason given: “${status.comment}”` : ''}. Read
            the policy again and sign below: your new signature goes back
            {view.approver?.kind === 'nobody' ? ' for approval' : ` to ${approverName(view)}`}.
          </MessageBarBody>
        </MessageBar>
      )}
      {justSigned === null && (needsSigning || mayResign) && (
        <SignForm key={version.contentHash} version={version} busy={signing} onSign={sign} />
      )}
      {retrying !== null && (
        <MessageBar intent="warning" role="status">
          <MessageBarBody>
            <MessageBarTitle>Your signature was not taken</MessageBarTitle>
            {retrying.plan.reason} Countersign will try again by itself in{' '}
            {retrying.plan.waitSeconds} seconds (try {retrying.attempt + 1} of {MAX_SIGN_ATTEMPTS});
            keep this tab open.
            {retrying.reference !== undefined && ` Reference: ${retrying.reference}`}
          </MessageBarBody>
        </MessageBar>
      )}
      {justSigned !== null && triesTaken !== null && (
        <MessageBar intent="success" role="status">
          <MessageBarBody>
            Your signature was taken on {formatDateTime(justSigned.signedAt)}, on try {triesTaken}.
          </MessageBarBody>
        </MessageBar>
      )}
      {signError !== null && (
        <ErrorMessage title="Your signature was not saved" error={signError} />
      )}
      {receipt !== undefined && (
        <div role="status">
          <Receipt
            acknowledgement={receipt}
            version={version}
            {...(view.approver === undefined ? {} : { approver: view.approver })}
            {...(status.kind === 'signed' && status.additionalPermissions !== undefined
              ? { permissions: status.additionalPermissions }
              : {})}
          />
        </div>
      )}
    </article>
  );
}

/** Who decides my signature, in words: "Margaret Ellison (Chair of Governors)". */
function approverName(view: MyPolicyView): string {
  const approver = view.approver;
  return approver === undefined || approver.kind === 'nobody' ? 'the approver' : approver.name;
}
