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
import { useRef, useState } from 'react';
import type { ApiClient } from '../../api/api-client.ts';
import type {
  MasterWithdrawal as Withdrawn,
  MasterWithdrawalPreview,
  PolicyVersion,
  TrustPolicyView,
} from '../../api/api-types.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { useLoad } from '../../ui/use-load.ts';

/** The master a withdrawal would bring back: the highest before the current that still counts. */
function previousMaster(view: TrustPolicyView, current: PolicyVersion): PolicyVersion | undefined {
  return view.versions
    .filter(
      (v) => (v.status === 'published' || v.status === 'retired') && v.number < current.number,
    )
    .sort((a, b) => b.number - a.number)[0];
}

type SchoolLine = MasterWithdrawalPreview['schools'][number];

/** "Nobody", "1 person", "12 people". */
function people(n: number): string {
  return n === 0 ? 'Nobody' : n === 1 ? '1 person' : `${n} people`;
}

/** What happens at one planned school, in words (the API planned and counted it). */
function schoolWithdrawalLines(school: SchoolLine): string[] {
  const gone = school.withdrawn.map((v) => `version ${v.number} (${v.label})`).join(' and ');
  if (gone === '') {
    return ['Its text was not composed from this master: nothing changes here.'];
  }
  const back = school.restored;
  const signed = school.signed;
  const restored =
    back === undefined
      ? 'It has no earlier version.'
      : `Version ${back.number} (${back.label})${back.masterVersion === undefined ? '' : `, on master version ${back.masterVersion}`}, becomes current again.`;
  return [
    `${gone.charAt(0).toUpperCase()}${gone.slice(1)} is withdrawn. ${restored}`,
    back === undefined
      ? 'Nobody there has an earlier version to stand on.'
      : signed === undefined
        ? `Whoever had signed version ${back.number} is not asked to sign again.`
        : signed.restored === 0
          ? `Nobody there had signed version ${back.number}.`
          : `${people(signed.restored)} signed version ${back.number}: they are not asked to sign it again.`,
    signed === undefined
      ? `Signatures of ${gone} stay in the record; it stays in the history, marked withdrawn.`
      : signed.withdrawn === 0
        ? `Nobody there signed ${gone}. It stays in the history, marked withdrawn.`
        : `${people(signed.withdrawn)} signed ${gone}: their signatures stay in the record, and whoever signed only it is not asked again either. It stays in the history, marked withdrawn.`,
  ];
}

/** The lead's line once the master is withdrawn. */
function withdrawnLine(result: Withdrawn, names: ReadonlyMap<string, string>): string {
  const schools = result.schools.map((s) => {
    const name = names.get(s.schoolId) ?? s.schoolId;
    return s.withdrawn.length === 0
      ? `${name}: unchanged`
      : `${name}: version ${s.restored ?? '?'} is current again`;
  });
  return `Master version ${result.withdrawn.number} withdrawn: master version ${result.restored.number} is current again. ${schools.join('; ')}.`;
}

/**
 * The trust lead withdraws a master published by mistake (POST …/versions/:n/withdraw): a modal
 * dialog says, per school, which of its versions goes and which comes back, how many signed the
 * returning version (not asked again) and how many the withdrawn one (their signatures stay in the
 * record, and stand for the version before: domain/status.ts); it asks for the reason the audit log keeps. A school that cannot go back (no earlier
 * text) is named and nothing can be withdrawn. Focus: into the dialog on open (Fluent), back to
 * the Withdraw button on cancel, onto the outcome line once done (the button is then gone).
 */
export function MasterWithdrawal({
  api,
  view,
  onChanged,
}: {
  api: ApiClient;
  view: TrustPolicyView;
  onChanged: () => void;
}) {
  const key = view.policy.key;
  const current = view.versions
    .filter((v) => v.status === 'published')
    .sort((a, b) => b.number - a.number)[0];
  const back = current === undefined ? undefined : previousMaster(view, current);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [said, setSaid] = useState('');
  const trigger = useRef<HTMLButtonElement>(null);
  const outcome = useRef<HTMLParagraphElement>(null);
  const asking = open && current !== undefined ? current.number : undefined;
  // Planned afresh each time it opens: a school's copy may have moved since.
  const [preview] = useLoad(
    () => (asking === undefined ? Promise.resolve(null) : api.masterWithdrawalPreview(key, asking)),
    [api, key, asking],
  );
  const blocked =
    preview.status === 'ready' && preview.value?.schools.some((s) => s.problem !== undefined);

  const close = () => {
    setOpen(false);
    // Back where the lead was: Fluent's own restore does not run for a controlled dialog.
    requestAnimationFrame(() => trigger.current?.focus());
  };

  const withdraw = () => {
    if (current === undefined || reason.trim() === '') return;
    setBusy(true);
    setError(null);
    api.withdrawMaster(key, current.number, reason.trim()).then(
      (result) => {
        setBusy(false);
        setOpen(false);
        setReason('');
        setSaid(
          withdrawnLine(result, new Map(view.schools.map((c) => [c.schoolId, c.schoolName]))),
        );
        requestAnimationFrame(() => outcome.current?.focus());
        onChanged();
      },
      (e: unknown) => {
        setBusy(false);
        setError(e);
      },
    );
  };

  return (
    <div>
      {current !== undefined && back !== undefined && (
        <Button
          ref={trigger}
          onClick={() => {
            setSaid('');
            setError(null);
            setOpen(true);
          }}
        >
          Withdraw master version {current.number}…
        </Button>
      )}
      <p role="status" tabIndex={-1} ref={outcome}>
        {said}
      </p>
      {/* Kept mounted and opened through `open`: unmounting an open modal can leave the page
          hidden from assistive technology. */}
      <Dialog
        open={open}
        modalType="modal"
        onOpenChange={(_event, data) => {
          if (!data.open && !busy) close();
        }}
      >
        {current === undefined || back === undefined ? (
          <></>
        ) : (
          <DialogSurface aria-describedby="master-withdrawal-body">
            <DialogBody>
              <DialogTitle>Withdraw master version {current.number} in every school?</DialogTitle>
              <DialogContent id="master-withdrawal-body">
                <p>
                  Master version {back.number} ({back.label}) becomes current again. In each school
                  the text composed from master version {current.number} is withdrawn and the
                  school’s text before it comes back; nothing is deleted.
                </p>
                {preview.status === 'loading' && (
                  <Spinner size="tiny" label="Working out what happens in each school…" />
                )}
                {preview.status === 'failed' && (
                  <ErrorMessage
                    title="Could not work out what happens in each school"
                    error={preview.error}
                  />
                )}
                {preview.status === 'ready' &&
                  preview.value?.schools.map((school) => (
                    <section key={school.schoolId} aria-label={school.schoolName}>
                      <h3>{school.schoolName}</h3>
                      {school.problem === undefined ? (
                        <ul aria-label={`What happens at ${school.schoolName}`}>
                          {schoolWithdrawalLines(school).map((line) => (
                            <li key={line}>{line}</li>
                          ))}
                        </ul>
                      ) : (
                        <p role="alert">Cannot withdraw here: {school.problem}</p>
                      )}
                    </section>
                  ))}
                {blocked === true && (
                  <p>
                    Nothing can be withdrawn while a school has no earlier text to return to:
                    publish a corrected master instead.
                  </p>
                )}
                <Field label="Why is it withdrawn? (kept in every school’s audit log)" required>
                  <Textarea value={reason} onChange={(_e, data) => setReason(data.value)} />
                </Field>
                {error !== null && <ErrorMessage title="Not withdrawn" error={error} />}
              </DialogContent>
              <DialogActions>
                <Button appearance="secondary" disabled={busy} onClick={close}>
                  Cancel
                </Button>
                <Button
                  appearance="primary"
                  disabled={
                    busy || blocked === true || preview.status !== 'ready' || reason.trim() === ''
                  }
                  onClick={withdraw}
                >
                  Yes, withdraw master version {current.number}
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
