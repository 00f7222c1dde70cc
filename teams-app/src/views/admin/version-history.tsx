import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Spinner,
  Textarea,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { ApiClient } from '../../api/api-client.ts';
import type { AdminPolicy, PolicyVersion, Withdrawal } from '../../api/api-types.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { formatDate } from '../../ui/format.ts';
import { useLoad } from '../../ui/use-load.ts';

const people = (n: number): string => (n === 1 ? '1 person' : `${String(n)} people`);

/**
 * One audience's line in the withdraw dialog, from the service's own computation of the
 * withdrawal (withdraw-preview): "Staff (5 people): 1 person signed again by version 1; 3 still
 * to sign; nobody has to sign again".
 */
export function withdrawImpactLine(
  impact: Withdrawal['audiences'][number],
  restored: number,
): string {
  return (
    `${impact.label} (${people(impact.people)}): ` +
    `${people(impact.signedAgain)} signed again by version ${String(restored)}; ` +
    `${impact.stillToSign === 0 ? 'nobody' : people(impact.stillToSign)} still to sign; ` +
    (impact.mustSignAgain === 0
      ? 'nobody has to sign again'
      : `${people(impact.mustSignAgain)} will have to sign again`)
  );
}

function statusWords(version: PolicyVersion): string {
  switch (version.status) {
    case 'draft':
      return 'draft, not published';
    case 'published':
      return 'current';
    case 'retired':
      return 'superseded';
    case 'withdrawn':
      return 'withdrawn (published by mistake; its signatures are kept)';
  }
}

/** The version a withdrawal would bring back: the highest before it that still counts. */
function previousOf(entry: AdminPolicy, version: PolicyVersion): PolicyVersion | undefined {
  return entry.versions
    .filter(
      (v) => (v.status === 'published' || v.status === 'retired') && v.number < version.number,
    )
    .sort((a, b) => b.number - a.number)[0];
}

/**
 * Every version of a policy, withdrawn ones marked as such, and Withdraw on the current one when
 * a version before it can be current again. Withdrawing asks for a reason in a modal dialog
 * (focus kept inside, Escape cancels); the reason goes into the signed audit event.
 */
export function VersionHistory({
  api,
  entry,
  onChanged,
}: {
  api: ApiClient;
  entry: AdminPolicy;
  onChanged: () => void;
}) {
  const [asking, setAsking] = useState<{ version: PolicyVersion; back: PolicyVersion } | null>(
    null,
  );
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Withdrawal | null>(null);
  const askingNumber = asking?.version.number;
  // Who is affected, before the admin confirms: loaded when the dialog opens.
  const [impact] = useLoad(
    () =>
      askingNumber === undefined
        ? Promise.resolve(null)
        : api.withdrawPreview(entry.policy.key, askingNumber),
    [api, entry.policy.key, askingNumber],
  );
  const published = entry.versions.filter((v) => v.status !== 'draft');
  const current = published
    .filter((v) => v.status === 'published')
    .sort((a, b) => b.number - a.number)[0];
  const title = entry.policy.title;

  const withdraw = () => {
    if (asking === null || reason.trim() === '') return;
    setBusy(true);
    setError(null);
    api.withdraw(entry.policy.key, asking.version.number, reason.trim()).then(
      (result) => {
        setBusy(false);
        setAsking(null);
        setReason('');
        setDone(result);
        onChanged();
      },
      (e: unknown) => {
        setBusy(false);
        setError(e);
      },
    );
  };

  if (published.length === 0) return null;
  const signedAgain = done?.audiences.reduce((sum, a) => sum + a.signedAgain, 0) ?? 0;
  return (
    <div>
      <ul aria-label={`Versions of ${title}`}>
        {published
          .sort((a, b) => b.number - a.number)
          .map((version) => {
            const back = version === current ? previousOf(entry, version) : undefined;
            return (
              <li key={version.number}>
                Version {version.number} ({version.label})
                {version.publishedAt === undefined
                  ? ''
                  : `, published ${formatDate(version.publishedAt)}`}
                : {statusWords(version)}{' '}
                {back !== undefined && (
                  <Button
                    size="small"
                    onClick={() => {
                      setDone(null);
                      setError(null);
                      setAsking({ version, back });
                    }}
                  >
                    Withdraw version {version.number}
                  </Button>
                )}
              </li>
            );
          })}
      </ul>
      {done !== null && (
        <p role="status">
          Version {done.withdrawn.number} withdrawn: version {done.restored.number} is current
          again. {signedAgain === 1 ? '1 person is' : `${signedAgain} people are`} signed again;
          nobody who signed version {done.withdrawn.number} has to sign twice.
        </p>
      )}
      {/* Kept mounted and opened through `open`: unmounting an open modal can leave the page
          hidden from assistive technology. */}
      <Dialog
        open={asking !== null}
        modalType="modal"
        onOpenChange={(_event, data) => {
          if (!data.open && !busy) setAsking(null);
        }}
      >
        {asking === null ? (
          <></>
        ) : (
          <DialogSurface aria-describedby="withdraw-body">
            <DialogBody>
              <DialogTitle>Withdraw version {asking.version.number}?</DialogTitle>
              <DialogContent id="withdraw-body">
                <p>
                  Version {asking.back.number} ({asking.back.label}) becomes current again, and
                  everyone who had signed it is signed again. Signatures of version{' '}
                  {asking.version.number} stay in the record; anyone who signed only version{' '}
                  {asking.version.number} stays signed and is not asked again. Version{' '}
                  {asking.version.number} stays in the history, marked withdrawn.
                </p>
                {impact.status === 'loading' && (
                  <Spinner size="tiny" label="Counting who it affects…" />
                )}
                {impact.status === 'failed' && (
                  <ErrorMessage title="Could not count who it affects" error={impact.error} />
                )}
                {impact.status === 'ready' && impact.value !== null && (
                  <ul aria-label="Who it affects">
                    {impact.value.audiences.map((a) => (
                      <li key={a.audience}>
                        {withdrawImpactLine(a, impact.value?.restored.number ?? 0)}
                      </li>
                    ))}
                  </ul>
                )}
                <Field label="Why is it withdrawn? (kept in the audit log)" required>
                  <Textarea value={reason} onChange={(_e, data) => setReason(data.value)} />
                </Field>
                {error !== null && <ErrorMessage title="Not withdrawn" error={error} />}
              </DialogContent>
              <DialogActions>
                <Button appearance="secondary" disabled={busy} onClick={() => setAsking(null)}>
                  Cancel
                </Button>
                <Button
                  appearance="primary"
                  disabled={busy || reason.trim() === ''}
                  onClick={withdraw}
                >
                  Yes, withdraw version {asking.version.number}
                </Button>
                {busy && <Spinner size="tiny" label="Withdrawing…" />}
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        )}
      </Dialog>
    </div>
  );
}
