import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
} from '@fluentui/react-components';
import type { ApiClient } from '../../api/api-client.ts';
import type { PublishConfirmation as Confirmation } from '../../api/api-types.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { useLoad } from '../../ui/use-load.ts';

function people(n: number): string {
  return n === 1 ? '1 person' : `${n} people`;
}

/** One line per audience: who will have to sign again, and who has yet to sign at all. */
export function audienceLine(row: Confirmation['audiences'][number]): string {
  const again =
    row.mustSignAgain === 0
      ? 'nobody will have to sign again'
      : `${people(row.mustSignAgain)} of ${row.people} will have to sign again`;
  const still = row.stillToSign === 0 ? '' : `; ${people(row.stillToSign)} still to sign`;
  return `${row.label}: ${again}${still}.`;
}

/**
 * Asked before a version is published: what changed, and per audience how many people will
 * have to sign again, from the API's count (the same status rules as the people report). A
 * modal dialog: focus stays inside it, Escape or Cancel closes it and publishes nothing.
 */
export function PublishConfirmation({
  api,
  policyKey,
  versionNumber,
  open,
  busy,
  onConfirm,
  onCancel,
}: {
  api: ApiClient;
  policyKey: string;
  versionNumber: number;
  /**
   * The Dialog stays mounted and is opened and closed through this: unmounting an open modal
   * can leave the rest of the page hidden from assistive technology (and from getByRole).
   */
  open: boolean;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  // Counted afresh each time it opens.
  const [preview] = useLoad(
    () => (open ? api.publishConfirmation(policyKey, versionNumber) : Promise.resolve(null)),
    [api, policyKey, versionNumber, open],
  );
  return (
    <Dialog
      open={open}
      modalType="modal"
      onOpenChange={(_event, data) => {
        if (!data.open) onCancel();
      }}
    >
      <DialogSurface aria-describedby="publish-confirmation-body">
        <DialogBody>
          <DialogTitle>Publish version {versionNumber}?</DialogTitle>
          <DialogContent id="publish-confirmation-body">
            {preview.status === 'loading' && (
              <Spinner size="tiny" label="Counting who must sign…" />
            )}
            {preview.status === 'failed' && (
              <ErrorMessage title="Could not count who must sign" error={preview.error} />
            )}
            {preview.status === 'ready' && preview.value !== null && (
              <>
                <p>
                  {preview.value.changeKind === 'material'
                    ? 'A material change: everyone whose text changed must sign again.'
                    : 'A minor correction: existing signatures still stand.'}
                </p>
                <p>
                  <strong>What changed</strong>
                  {preview.value.fromVersion === undefined
                    ? ' (the first version)'
                    : ` since version ${preview.value.fromVersion}`}
                  : {preview.value.summary}
                </p>
                <ul aria-label="Who will have to sign">
                  {preview.value.audiences.map((row) => (
                    <li key={row.audience}>{audienceLine(row)}</li>
                  ))}
                </ul>
                <p>A version published by mistake can be withdrawn afterwards.</p>
              </>
            )}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onCancel} disabled={busy}>
              Cancel
            </Button>
            <Button
              appearance="primary"
              onClick={onConfirm}
              disabled={busy || preview.status !== 'ready' || preview.value === null}
            >
              Yes, publish version {versionNumber}
            </Button>
            {busy && <Spinner size="tiny" label="Publishing…" />}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
