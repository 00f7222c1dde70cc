import {
  Button,
  Checkbox,
  MessageBar,
  MessageBarBody,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { BulkDecisionResult, PendingApproval } from '../../api/api-types.ts';
import type { Session } from '../../app/session.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { useLoad } from '../../ui/use-load.ts';
import { PendingCard } from './pending-card.tsx';
import { PermissionChoice } from './permission-choice.tsx';

const useStyles = makeStyles({
  view: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  list: { listStyleType: 'none', padding: '0', margin: '0' },
  bulk: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalM,
    alignItems: 'end',
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
});

/** The headteacher's queue: approve each new signer (or reject with a reason), or several at once. */
export default function ApprovalsView({ session }: { session: Session }) {
  const styles = useStyles();
  const { api } = session;
  const [pending, reload] = useLoad(() => api.pendingApprovals(), [api]);
  // The school's permission list, as the approval card offers it; free text if it fails to load.
  const [school] = useLoad(() => api.school(), [api]);
  const permissionChoices = school.status === 'ready' ? school.value.permissionChoices : [];
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulkPermissions, setBulkPermissions] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  /** Items whose reject form is open: never approved in bulk, whatever was ticked. */
  const [rejecting, setRejecting] = useState<ReadonlySet<string>>(new Set());
  const items = pending.status === 'ready' ? pending.value : [];
  const selectedIds = items
    .map((p) => p.acknowledgement.id)
    .filter((id) => selected.has(id) && !rejecting.has(id));
  // Approving in bulk must not hide the per-card warning: say how many selected carry it.
  const flaggedSelected = items.filter(
    (p) => p.typedNameDiffers && selected.has(p.acknowledgement.id),
  ).length;

  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };

  const finish = (message: string) => {
    setBusy(false);
    setOutcome(message);
    setSelected(new Set());
    reload();
  };

  const decide = (
    item: PendingApproval,
    decision: 'approved' | 'rejected',
    additionalPermissions: string[],
    comment?: string,
  ) => {
    setBusy(true);
    setError(null);
    setOutcome(null);
    api
      .decide(item.acknowledgement.id, {
        decision,
        additionalPermissions,
        ...(comment === undefined ? {} : { comment }),
      })
      .then(
        () =>
          finish(
            `${item.acknowledgement.displayName}: ${decision === 'approved' ? 'approved' : 'not approved'}.`,
          ),
        (e: unknown) => {
          setBusy(false);
          setError(e);
          reload();
        },
      );
  };

  const approveSelected = () => {
    setBusy(true);
    setError(null);
    setOutcome(null);
    api
      .decideMany(selectedIds, {
        decision: 'approved',
        additionalPermissions: bulkPermissions,
      })
      .then(
        (result: BulkDecisionResult) => {
          const failed = result.results.filter((r) => !r.ok);
          finish(
            failed.length === 0
              ? `Approved ${result.results.length}.`
              : `Approved ${result.results.length - failed.length}; ${failed.length} could not be approved (${failed
                  .map((f) => f.code ?? 'error')
                  .join(', ')}).`,
          );
        },
        (e: unknown) => {
          setBusy(false);
          setError(e);
        },
      );
  };

  return (
    <div className={styles.view}>
      <h1>Approvals</h1>
      <p>
        New signers wait for you to approve them to be allocated credentials for school systems as
        relevant to their role.
      </p>
      {outcome !== null && (
        <MessageBar intent="success">
          <MessageBarBody>{outcome}</MessageBarBody>
        </MessageBar>
      )}
      {error !== null && <ErrorMessage title="The decision was not saved" error={error} />}
      {pending.status === 'loading' && <Spinner label="Loading approvals…" />}
      {pending.status === 'failed' && (
        <ErrorMessage title="Could not load approvals" error={pending.error} />
      )}
      {pending.status === 'ready' && items.length === 0 && <p>Nobody is waiting for approval.</p>}
      {items.length > 0 && (
        <div className={styles.bulk} role="group" aria-label="Approve several at once">
          <Checkbox
            label={`Select all (${items.length})`}
            checked={
              selectedIds.length === 0
                ? false
                : selectedIds.length === items.length
                  ? true
                  : 'mixed'
            }
            onChange={(_e, data) =>
              setSelected(
                data.checked === true
                  ? new Set(
                      items.map((p) => p.acknowledgement.id).filter((id) => !rejecting.has(id)),
                    )
                  : new Set(),
              )
            }
          />
          <PermissionChoice
            legend="Additional permissions for all selected (optional)"
            choices={permissionChoices}
            onChange={setBulkPermissions}
          />
          <Button
            appearance="primary"
            disabled={busy || selectedIds.length === 0}
            onClick={approveSelected}
          >
            Approve selected ({selectedIds.length})
          </Button>
          {flaggedSelected > 0 && (
            <span>
              {flaggedSelected === 1
                ? '1 selected signer typed a name that differs from their account name.'
                : `${flaggedSelected} selected signers typed a name that differs from their account name.`}
            </span>
          )}
        </div>
      )}
      <ul className={styles.list}>
        {items.map((item) => (
          <PendingCard
            key={item.acknowledgement.id}
            item={item}
            signedAt={formatDateTime(item.acknowledgement.signedAt)}
            selected={selected.has(item.acknowledgement.id)}
            busy={busy}
            permissionChoices={permissionChoices}
            onSelect={(on) => toggle(item.acknowledgement.id, on)}
            onApprove={(permissions) => decide(item, 'approved', permissions)}
            onReject={(reason) => decide(item, 'rejected', [], reason)}
            onRejectingChange={(open) => {
              const id = item.acknowledgement.id;
              setRejecting((now) => {
                const next = new Set(now);
                if (open) next.add(id);
                else next.delete(id);
                return next;
              });
              if (open) toggle(id, false);
            }}
          />
        ))}
      </ul>
    </div>
  );
}
