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
import { ErrorMessage } from '../../ui/error-message.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { audienceLine } from '../admin/publish-confirmation.tsx';

/**
 * Asked before a master version is published, as a school's publish is confirmed: what changed,
 * then per school how many people will have to sign again in each audience (the API counts each
 * school as its own confirmation would), and any school the master cannot reach yet (a contact
 * it lacks), which stops the publish. A modal dialog: Escape or Cancel publishes nothing.
 */
export function TrustPublishConfirmation({
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
  open: boolean;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  // Counted afresh each time it opens.
  const [preview] = useLoad(
    () => (open ? api.trustPublishPreview(policyKey, versionNumber) : Promise.resolve(null)),
    [api, policyKey, versionNumber, open],
  );
  const blocked =
    preview.status === 'ready' &&
    preview.value !== null &&
    preview.value.schools.some((s) => s.problem !== undefined);
  return (
    <Dialog
      open={open}
      modalType="modal"
      onOpenChange={(_event, data) => {
        if (!data.open) onCancel();
      }}
    >
      <DialogSurface aria-describedby="trust-publish-confirmation-body">
        <DialogBody>
          <DialogTitle>Publish master version {versionNumber} to every school?</DialogTitle>
          <DialogContent id="trust-publish-confirmation-body">
            {preview.status === 'loading' && (
              <Spinner size="tiny" label="Counting who must sign in each school…" />
            )}
            {preview.status === 'failed' && (
              <ErrorMessage title="Could not count who must sign" error={preview.error} />
            )}
            {preview.status === 'ready' && preview.value !== null && (
              <>
                <p>
                  {preview.value.changeKind === 'material'
                    ? 'A material change: everyone in every school whose text changed must sign again.'
                    : 'A minor correction: existing signatures still stand in every school.'}
                </p>
                <p>
                  <strong>What changed</strong>
                  {preview.value.fromVersion === undefined
                    ? ' (the first version)'
                    : ` since master version ${preview.value.fromVersion}`}
                  : {preview.value.summary}
                </p>
                {preview.value.schools.map((school) => (
                  <section key={school.schoolId} aria-label={school.schoolName}>
                    <h3>
                      {school.schoolName}
                      {school.label === undefined ? '' : ` (${school.label})`}
                    </h3>
                    {school.problem === undefined ? (
                      <ul aria-label={`Who will have to sign at ${school.schoolName}`}>
                        {school.audiences.map((row) => (
                          <li key={row.audience}>{audienceLine(row)}</li>
                        ))}
                      </ul>
                    ) : (
                      <p role="alert">Cannot publish here yet: {school.problem}</p>
                    )}
                  </section>
                ))}
                {blocked && (
                  <p>
                    Nothing will be published until every school can take it: that school’s admin
                    adds the contact in its settings.
                  </p>
                )}
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
              disabled={busy || blocked || preview.status !== 'ready' || preview.value === null}
            >
              Yes, publish master version {versionNumber}
            </Button>
            {busy && <Spinner size="tiny" label="Publishing…" />}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
