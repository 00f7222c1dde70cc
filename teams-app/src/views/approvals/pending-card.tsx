import { Button, Checkbox, Field, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { PendingApproval } from '../../api/api-types.ts';
import { signedAsLabel } from '../../ui/format.ts';
import { NameDiffersBadge } from '../../ui/name-differs-badge.tsx';
import { PermissionChoice } from './permission-choice.tsx';
import { listCardStyle } from '../../ui/list-card-style.ts';

const useStyles = makeStyles({
  card: listCardStyle,
  heading: { margin: '0' },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'end' },
});

export interface PendingCardProps {
  item: PendingApproval;
  signedAt: string;
  selected: boolean;
  busy: boolean;
  /** The school's list of additional permissions (the approval card offers the same). */
  permissionChoices: readonly string[];
  onSelect: (selected: boolean) => void;
  onApprove: (additionalPermissions: string[]) => void;
  onReject: (reason: string) => void;
  /** The reject form opened or closed: an item being rejected is never approved in bulk. */
  onRejectingChange: (rejecting: boolean) => void;
}

/**
 * One signer waiting: who (the typed name beside the account, and a warning when they clearly
 * differ), their stated role, what they signed, and the decision.
 */
export function PendingCard({
  item,
  signedAt,
  selected,
  busy,
  permissionChoices,
  onSelect,
  onApprove,
  onReject,
  onRejectingChange,
}: PendingCardProps) {
  const styles = useStyles();
  const ack = item.acknowledgement;
  const [permissions, setPermissions] = useState<string[]>([]);
  const [rejecting, setRejectingState] = useState(false);
  const setRejecting = (open: boolean) => {
    setRejectingState(open);
    onRejectingChange(open);
  };
  const [reason, setReason] = useState('');
  const headingId = `pending-${ack.id}`;
  return (
    <li className={styles.card} aria-labelledby={headingId}>
      <h2 id={headingId} className={styles.heading}>
        {ack.displayName}
      </h2>
      <Checkbox
        label={`Select ${ack.displayName}`}
        checked={selected && !rejecting}
        disabled={rejecting}
        onChange={(_e, data) => onSelect(data.checked === true)}
      />
      <span>{signedAsLabel(ack)}</span>
      {item.typedNameDiffers && (
        <>
          <NameDiffersBadge />
          <span>
            Check that {ack.displayName} signed this themselves before approving: “{ack.typedName}”
            is not the name on their account.
          </span>
        </>
      )}
      <span>
        Role: <strong>{ack.statedRole}</strong>. Signed on {signedAt}: {ack.policyKey}, version{' '}
        {ack.versionNumber}.
      </span>
      <PermissionChoice
        legend={`Additional permissions for ${ack.displayName} (optional)`}
        choices={permissionChoices}
        onChange={setPermissions}
      />
      {rejecting && (
        <Field
          label="Reason for rejecting"
          required
          {...(reason.trim() === '' ? { hint: 'The signer will see this.' } : {})}
        >
          <Textarea value={reason} onChange={(_e, data) => setReason(data.value)} />
        </Field>
      )}
      <div className={styles.row}>
        {!rejecting && (
          <>
            <Button appearance="primary" disabled={busy} onClick={() => onApprove(permissions)}>
              Approve {ack.displayName}
            </Button>
            <Button disabled={busy} onClick={() => setRejecting(true)}>
              Reject…
            </Button>
          </>
        )}
        {rejecting && (
          <>
            <Button
              appearance="primary"
              disabled={busy || reason.trim() === ''}
              onClick={() => onReject(reason.trim())}
            >
              Reject {ack.displayName}
            </Button>
            <Button onClick={() => setRejecting(false)}>Back</Button>
          </>
        )}
      </div>
    </li>
  );
}
