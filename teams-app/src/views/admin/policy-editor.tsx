import {
  Button,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Select,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { ChangeKindField } from './change-kind-field.tsx';
import type { ApiClient } from '../../api/api-client.ts';
import type {
  ApprovalMode,
  ChangeKind,
  Policy,
  PolicyDiff,
  PolicyDocument,
  PolicyVersion,
} from '../../api/api-types.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { formatDate } from '../../ui/format.ts';
import { useLoad } from '../../ui/use-load.ts';
import { ChangesPanel } from '../my-aup/changes-panel.tsx';
import { carryOver } from '../../draft/carry-over.ts';
import {
  fromPolicyDocument,
  toPolicyDocument,
  type ClausePlace,
  type DraftDocument,
} from '../../draft/draft-document.ts';
import { detectNumbering, type Numbering } from '../../draft/draft-numbering.ts';
import { startHistory, type History } from '../../draft/edit-history.ts';
import { DraftEditor, tidyDocument, UNPLACED_HEADING } from './draft-editor.tsx';
import { ImportDropZone } from './import-drop-zone.tsx';
import { PublishConfirmation } from './publish-confirmation.tsx';
import { VersionHistory } from './version-history.tsx';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  list: { paddingInlineStart: tokens.spacingHorizontalL },
  // A native select is as wide as its longest option (a policy title): let it shrink to the
  // tab's width instead of widening the page.
  field: { minWidth: '0', maxWidth: '100%' },
  select: { minWidth: '0', maxWidth: '100%' },
});

interface Draft {
  history: History<DraftDocument>;
  numbering: Numbering;
  report?: unknown;
  source: string;
  /** The published version this draft would replace: its consents and approval are kept. */
  current?: PolicyDocument;
  /** What was kept from it that the imported file did not have. */
  kept?: { consents: string[]; approval: boolean };
  /** A new policy: the existing one whose settings (approval, renewal) and consents it keeps. */
  settingsFrom?: Policy;
}

/** Where an imported document goes: chosen before importing, never guessed. */
type Target = 'existing' | 'new';

/** The "settings from" choice of a new policy that keeps nothing from another. */
const BLANK = '';

const APPROVAL_WORDS: Record<ApprovalMode, string> = {
  none: 'no approval',
  'first-signature': 'a person’s first signature is approved',
  'every-signature': 'every signature is approved',
};

/** Stricter approval first: leaving the kept setting for a laxer one is warned about. */
const APPROVAL_ORDER: readonly ApprovalMode[] = ['none', 'first-signature', 'every-signature'];

function renewalWords(policy: Policy): string {
  const { renewal } = policy;
  switch (renewal.kind) {
    case 'anniversary':
      return `${String(renewal.months)} months after each signature`;
    case 'fixed-date':
      return `every year on ${new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2001, renewal.month - 1, renewal.day)))}`;
  }
}

const POLICY_KEY = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A policy key from its title: "Volunteers' Acceptable Use Policy" → "volunteers-acceptable-use-policy". */
export function keyFromTitle(title: string): string {
  return title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

function placesOf(report: unknown): ClausePlace[] {
  const places = (report as { places?: unknown } | undefined)?.places;
  return Array.isArray(places) ? (places as ClausePlace[]) : [];
}

function newDraft(
  document: PolicyDocument,
  source: string,
  extra: Pick<Draft, 'report' | 'current' | 'kept'> = {},
): Draft {
  const draft = fromPolicyDocument(document, placesOf(extra.report));
  return { history: startHistory(draft), numbering: detectNumbering(draft), source, ...extra };
}

interface Review {
  version: PolicyVersion;
  fromVersion?: number;
  summary: string;
  diff: PolicyDiff;
}

type PolicyEntry = { policy: Policy; versions: PolicyVersion[] };

function current(entry: PolicyEntry): PolicyVersion | undefined {
  return entry.versions
    .filter((v) => v.status === 'published')
    .sort((a, b) => b.number - a.number)[0];
}

/** The saved, unpublished draft of a policy (the API keeps at most one), if any. */
export function savedDraft(entry: PolicyEntry): PolicyVersion | undefined {
  return entry.versions.filter((v) => v.status === 'draft').sort((a, b) => b.number - a.number)[0];
}

/** Import → correct the draft → save it → see the diff against the current version → publish. */
export function PolicyEditor({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const [policies, reloadPolicies] = useLoad(() => api.adminPolicies(), [api]);
  const [school] = useLoad(() => api.school(), [api]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [policyKey, setPolicyKey] = useState('');
  const [target, setTarget] = useState<Target>('existing');
  const [newKey, setNewKey] = useState('');
  // A new policy: which policy it keeps settings and consents from (the first one unless the
  // admin says otherwise, BLANK for none), who signs it, and its approval (the kept one's).
  const [settingsKey, setSettingsKey] = useState<string | null>(null);
  const [newAudiences, setNewAudiences] = useState<string[]>([]);
  const [newApproval, setNewApproval] = useState<ApprovalMode | null>(null);
  const [label, setLabel] = useState('');
  const [changeKind, setChangeKind] = useState<ChangeKind>('material');
  const [busy, setBusy] = useState<'import' | 'save' | 'publish' | null>(null);
  const [error, setError] = useState<{ title: string; error: unknown } | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [review, setReview] = useState<Review | null>(null);
  const [published, setPublished] = useState<PolicyVersion | null>(null);
  // Publishing is confirmed in a dialog that counts who must sign again.
  const [confirming, setConfirming] = useState(false);

  const entries = policies.status === 'ready' ? policies.value : [];
  const chosenKey = policyKey !== '' ? policyKey : (entries[0]?.policy.key ?? '');
  const chosenEntry = entries.find((e) => e.policy.key === chosenKey);
  const document = draft === null ? null : draft.history.present;
  const proposedKey = newKey !== '' ? newKey : keyFromTitle(document?.title ?? '');
  const saveKey = target === 'new' ? proposedKey : chosenKey;
  const schoolAudiences = school.status === 'ready' ? school.value.audiences : [];
  const settingsEntry =
    settingsKey === null
      ? entries[0]
      : entries.find((e) => e.policy.key === settingsKey && settingsKey !== BLANK);
  // The policy a new one keeps its settings from: fixed when the file was imported.
  const keptFrom = draft?.settingsFrom;
  const approvalMode: ApprovalMode = newApproval ?? keptFrom?.approvalMode ?? 'first-signature';
  const chosenAudiences = target === 'new' ? newAudiences : (chosenEntry?.policy.audiences ?? []);

  const startDraft = (next: Draft) => {
    setDraft(next);
    setReview(null);
    setPublished(null);
    setProblems([]);
  };

  const importFile = (file: File) => {
    setBusy('import');
    setError(null);
    api.importDocument(file).then(
      (result) => {
        setBusy(null);
        // A new version keeps the current version's consents and approval block; a new policy
        // those of the policy it takes its settings from (unless BLANK), both with a warning.
        const from = target === 'existing' ? chosenEntry : settingsEntry;
        const live = from === undefined ? undefined : current(from);
        const kept = carryOver(result.document, live?.document);
        if (target === 'new') {
          setNewApproval(null);
          setNewAudiences([]);
        }
        startDraft(
          newDraft(kept.document, file.name, {
            report: result.report,
            ...(target === 'new' && from !== undefined ? { settingsFrom: from.policy } : {}),
            ...(live === undefined
              ? {}
              : {
                  current: live.document,
                  kept: { consents: kept.consents, approval: kept.approval },
                }),
          }),
        );
      },
      (e: unknown) => {
        setBusy(null);
        setError({ title: `Could not import ${file.name}`, error: e });
      },
    );
  };

  const save = () => {
    if (draft === null) return;
    const tidy = tidyDocument(toPolicyDocument(draft.history.present), chosenAudiences);
    const missing = [...tidy.problems];
    if (label.trim() === '') missing.push('Give the version a label, for example “2026-27”.');
    if (target === 'existing' && chosenKey === '') {
      missing.push('Choose the policy this version belongs to.');
    }
    if (target === 'new' && !POLICY_KEY.test(saveKey)) {
      missing.push(
        'Give the new policy a key: lower-case letters, digits and hyphens, for example “volunteers-aup”.',
      );
    }
    if (target === 'new' && newAudiences.length === 0) {
      missing.push('Choose who signs the new policy.');
    }
    setProblems(missing);
    if (missing.length > 0) return;
    setBusy('save');
    setError(null);
    const run = async () => {
      if (target === 'new') {
        // Made on the server first (a taken key is refused there, 409, naming its policy);
        // once made, later saves are its drafts, even if this one fails below.
        await api.createPolicy({
          key: saveKey,
          title: tidy.document.title,
          audiences: newAudiences,
          approvalMode,
          ...(keptFrom === undefined ? {} : { renewal: keptFrom.renewal }),
        });
        setTarget('existing');
        setPolicyKey(saveKey);
        setNewKey('');
        setDraft((d) => (d === null ? d : { ...d, settingsFrom: undefined }));
      }
      const version = await api.saveDraft(saveKey, {
        label: label.trim(),
        changeKind,
        document: tidy.document,
      });
      const diff = await api.draftDiff(saveKey, version.number);
      return { version, ...diff };
    };
    run().then(
      (result) => {
        setBusy(null);
        setReview(result);
        // The list then shows the saved draft, to come back to after a reload.
        reloadPolicies();
      },
      (e: unknown) => {
        setBusy(null);
        // A policy made before a failing save is listed: the next save is its draft.
        reloadPolicies();
        setError({ title: 'The draft was not saved', error: e });
      },
    );
  };

  const publish = () => {
    if (review === null) return;
    setBusy('publish');
    setError(null);
    api.publish(review.version.policyKey, review.version.number).then(
      (version) => {
        setBusy(null);
        setConfirming(false);
        setPublished(version);
        setDraft(null);
        setReview(null);
        setLabel('');
        reloadPolicies();
      },
      (e: unknown) => {
        setBusy(null);
        setConfirming(false);
        setError({ title: 'The version was not published', error: e });
      },
    );
  };

  const unplacedLeft =
    document?.sections.some((s) => s.heading === UNPLACED_HEADING && s.clauses.length > 0) ?? false;

  return (
    <div className={styles.stack}>
      <section aria-labelledby="policies-heading">
        <h2 id="policies-heading">Policies</h2>
        {policies.status === 'loading' && <Spinner label="Loading policies…" />}
        {policies.status === 'failed' && (
          <ErrorMessage title="Could not load the policies" error={policies.error} />
        )}
        <ul className={styles.list}>
          {entries.map((entry) => {
            const live = current(entry);
            const saved = savedDraft(entry);
            return (
              <li key={entry.policy.key}>
                <strong>{entry.policy.title}</strong>:{' '}
                {live === undefined
                  ? 'nothing published yet'
                  : `version ${live.number} (${live.label})${live.publishedAt === undefined ? '' : `, published ${formatDate(live.publishedAt)}`}`}
                {saved !== undefined &&
                  `; draft version ${saved.number} (${saved.label}) saved, not yet published`}{' '}
                {saved !== undefined && (
                  <Button
                    size="small"
                    aria-label={`Continue draft version ${saved.number} of ${entry.policy.title}`}
                    onClick={() => {
                      setPolicyKey(entry.policy.key);
                      setTarget('existing');
                      setLabel(saved.label);
                      setChangeKind(saved.changeKind);
                      startDraft(
                        newDraft(saved.document, `draft version ${saved.number}`, {
                          ...(live === undefined ? {} : { current: live.document }),
                        }),
                      );
                    }}
                  >
                    Continue the draft
                  </Button>
                )}
                {saved === undefined && live !== undefined && (
                  <Button
                    size="small"
                    aria-label={`Edit a new version of ${entry.policy.title}`}
                    onClick={() => {
                      setPolicyKey(entry.policy.key);
                      setTarget('existing');
                      setLabel('');
                      setChangeKind('material');
                      startDraft(
                        newDraft(live.document, `version ${live.number}`, {
                          current: live.document,
                        }),
                      );
                    }}
                  >
                    Edit a new version
                  </Button>
                )}
                <VersionHistory api={api} entry={entry} onChanged={reloadPolicies} />
              </li>
            );
          })}
        </ul>
      </section>

      <section aria-labelledby="import-heading" className={styles.stack}>
        <h2 id="import-heading">Import a document</h2>
        <RadioGroup
          aria-label="Import into"
          value={target}
          onChange={(_e, data) => setTarget(data.value === 'new' ? 'new' : 'existing')}
        >
          <Radio value="existing" label="A new version of an existing policy" />
          <Radio value="new" label="A new policy (for example a separate volunteers’ AUP)" />
        </RadioGroup>
        {target === 'new' && entries.length > 0 && (
          <Field
            label="Keep the approval settings and consents of"
            hint="The new policy starts with this policy’s approval and renewal, and its consents and approval block when the file has none: change or remove them before saving."
            className={styles.field}
          >
            <Select
              className={styles.select}
              value={settingsKey ?? entries[0]?.policy.key ?? BLANK}
              onChange={(_e, data) => setSettingsKey(data.value)}
            >
              {entries.map((entry) => (
                <option key={entry.policy.key} value={entry.policy.key}>
                  {entry.policy.title}
                </option>
              ))}
              <option value={BLANK}>None: start from the file alone</option>
            </Select>
          </Field>
        )}
        {target === 'existing' && (
          <Field label="Policy" className={styles.field}>
            <Select
              className={styles.select}
              value={chosenKey}
              onChange={(_e, data) => setPolicyKey(data.value)}
            >
              {entries.map((entry) => (
                <option key={entry.policy.key} value={entry.policy.key}>
                  {entry.policy.title}
                </option>
              ))}
            </Select>
          </Field>
        )}
        <ImportDropZone busy={busy === 'import'} onFile={importFile} />
      </section>

      {published !== null && (
        <MessageBar intent="success">
          <MessageBarBody>
            <MessageBarTitle>Version {published.number} published</MessageBarTitle>
            {published.changeKind === 'material'
              ? 'Everyone it applies to must now sign it again.'
              : 'A minor correction: existing signatures still stand.'}
          </MessageBarBody>
        </MessageBar>
      )}
      {error !== null && <ErrorMessage title={error.title} error={error.error} />}

      {draft !== null && (
        <section aria-labelledby="draft-heading" className={styles.stack}>
          <h2 id="draft-heading">Review the draft (from {draft.source})</h2>
          <p>
            {target === 'new'
              ? `Saved as the first version of a new policy, “${document?.title ?? ''}”, made with the key, audiences and approval chosen below${keptFrom === undefined ? '' : ` (renewal as “${keptFrom.title}”: ${renewalWords(keptFrom)})`}.`
              : `Saved as a new version of “${chosenEntry?.policy.title ?? ''}”: its audiences and approval settings stay as they are.`}
          </p>
          {draft.kept !== undefined && (draft.kept.consents.length > 0 || draft.kept.approval) && (
            <MessageBar intent="info">
              <MessageBarBody>
                {target === 'new' && keptFrom !== undefined
                  ? `Kept from “${keptFrom.title}”, which the imported file did not have: `
                  : 'Kept from the current version, which the imported file did not have: '}
                {[
                  ...draft.kept.consents.map((key) => `the consent “${key}”`),
                  ...(draft.kept.approval ? ['the approval block'] : []),
                ].join(', ')}
                . Remove them at the end of the draft if this version should no longer ask for them.
              </MessageBarBody>
            </MessageBar>
          )}
          <DraftEditor
            history={draft.history}
            onHistory={(history) => {
              setDraft((d) => (d === null ? d : { ...d, history }));
              if (history.present !== draft.history.present) setReview(null);
            }}
            numbering={draft.numbering}
            onNumbering={(numbering) => setDraft((d) => (d === null ? d : { ...d, numbering }))}
            audiences={chosenAudiences}
            {...(draft.report === undefined ? {} : { report: draft.report })}
            {...(draft.current === undefined ? {} : { current: draft.current })}
          />
          <div className={styles.row}>
            {target === 'new' && (
              <Field
                label="Key of the new policy"
                hint="Lower-case letters, digits and hyphens; it names the policy in links and exports."
                className={styles.field}
              >
                <Input value={proposedKey} onChange={(_e, data) => setNewKey(data.value)} />
              </Field>
            )}
            {target === 'new' && (
              <Field label="Approval of its signatures" className={styles.field}>
                <Select
                  className={styles.select}
                  value={approvalMode}
                  onChange={(_e, data) => {
                    const mode = APPROVAL_ORDER.find((m) => m === data.value);
                    if (mode !== undefined) setNewApproval(mode);
                  }}
                >
                  {APPROVAL_ORDER.map((mode) => (
                    <option key={mode} value={mode}>
                      {APPROVAL_WORDS[mode]}
                    </option>
                  ))}
                </Select>
              </Field>
            )}
            <Field label="Version label" required>
              <Input value={label} onChange={(_e, data) => setLabel(data.value)} />
            </Field>
          </div>
          {target === 'new' && (
            <fieldset className={styles.row}>
              <legend>Who signs the new policy</legend>
              {school.status === 'failed' && (
                <ErrorMessage title="Could not load the school’s audiences" error={school.error} />
              )}
              {schoolAudiences.map((audience) => (
                <Checkbox
                  key={audience.key}
                  label={audience.label}
                  checked={newAudiences.includes(audience.key)}
                  onChange={(_e, data) =>
                    setNewAudiences((chosen) =>
                      data.checked === true
                        ? [...chosen, audience.key]
                        : chosen.filter((a) => a !== audience.key),
                    )
                  }
                />
              ))}
            </fieldset>
          )}
          {target === 'new' &&
            keptFrom !== undefined &&
            APPROVAL_ORDER.indexOf(approvalMode) <
              APPROVAL_ORDER.indexOf(keptFrom.approvalMode) && (
              <MessageBar intent="warning">
                <MessageBarBody>
                  {`“${keptFrom.title}” asks for approval (${APPROVAL_WORDS[keptFrom.approvalMode]}); this policy will ask for less: ${APPROVAL_WORDS[approvalMode]}. Choose “${APPROVAL_WORDS[keptFrom.approvalMode]}” to keep it.`}
                </MessageBarBody>
              </MessageBar>
            )}
          <ChangeKindField
            value={changeKind}
            onChange={setChangeKind}
            material="Material: everyone must sign again"
          />
          {unplacedLeft && (
            <MessageBar intent="warning">
              <MessageBarBody>Some text is still in the Unplaced section.</MessageBarBody>
            </MessageBar>
          )}
          {problems.length > 0 && (
            <MessageBar intent="error">
              <MessageBarBody>
                <MessageBarTitle>Before saving</MessageBarTitle>
                <ul>
                  {problems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              </MessageBarBody>
            </MessageBar>
          )}
          <div className={styles.row}>
            <Button appearance="primary" onClick={save} disabled={busy !== null}>
              Save draft and show the changes
            </Button>
            {busy === 'save' && <Spinner size="tiny" label="Saving…" />}
          </div>
        </section>
      )}

      {review !== null && (
        <section aria-labelledby="publish-heading" className={styles.stack}>
          <h2 id="publish-heading">Publish version {review.version.number}</h2>
          <ChangesPanel
            heading={
              review.fromVersion === undefined
                ? 'The first version of this policy'
                : `Changes from version ${review.fromVersion}`
            }
            summary={review.summary}
            diff={review.diff}
            highlighted={false}
          />
          <p>
            {review.version.changeKind === 'material'
              ? 'This is a material change: everyone it applies to will have to sign again.'
              : 'This is a minor correction: existing signatures will still stand.'}
          </p>
          <div className={styles.row}>
            <Button
              appearance="primary"
              onClick={() => setConfirming(true)}
              disabled={busy !== null}
            >
              Publish version {review.version.number}
            </Button>
            <PublishConfirmation
              api={api}
              policyKey={review.version.policyKey}
              versionNumber={review.version.number}
              open={confirming}
              busy={busy === 'publish'}
              onConfirm={publish}
              onCancel={() => setConfirming(false)}
            />
          </div>
        </section>
      )}
    </div>
  );
}
