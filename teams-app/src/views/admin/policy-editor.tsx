import {
  Button,
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
import type { ApiClient } from '../../api/api-client.ts';
import type {
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
import { DraftEditor, tidyDocument, UNPLACED_HEADING } from './draft-editor.tsx';
import { ImportDropZone } from './import-drop-zone.tsx';
import { ImportReportView } from './import-report-view.tsx';

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
  document: PolicyDocument;
  report?: unknown;
  source: string;
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
  const [draft, setDraft] = useState<Draft | null>(null);
  const [policyKey, setPolicyKey] = useState('');
  const [label, setLabel] = useState('');
  const [changeKind, setChangeKind] = useState<ChangeKind>('material');
  const [busy, setBusy] = useState<'import' | 'save' | 'publish' | null>(null);
  const [error, setError] = useState<{ title: string; error: unknown } | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [review, setReview] = useState<Review | null>(null);
  const [published, setPublished] = useState<PolicyVersion | null>(null);

  const entries = policies.status === 'ready' ? policies.value : [];
  const chosenKey = policyKey !== '' ? policyKey : (entries[0]?.policy.key ?? '');
  const chosenAudiences = entries.find((e) => e.policy.key === chosenKey)?.policy.audiences ?? [];

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
        startDraft({ document: result.document, report: result.report, source: file.name });
      },
      (e: unknown) => {
        setBusy(null);
        setError({ title: `Could not import ${file.name}`, error: e });
      },
    );
  };

  const save = () => {
    if (draft === null) return;
    const tidy = tidyDocument(draft.document, chosenAudiences);
    const missing = [...tidy.problems];
    if (label.trim() === '') missing.push('Give the version a label, for example “2026-27”.');
    if (chosenKey === '') missing.push('Choose the policy this version belongs to.');
    setProblems(missing);
    if (missing.length > 0) return;
    setBusy('save');
    setError(null);
    const run = async () => {
      const version = await api.saveDraft(chosenKey, {
        label: label.trim(),
        changeKind,
        document: tidy.document,
      });
      const diff = await api.draftDiff(chosenKey, version.number);
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
        setPublished(version);
        setDraft(null);
        setReview(null);
        setLabel('');
        reloadPolicies();
      },
      (e: unknown) => {
        setBusy(null);
        setError({ title: 'The version was not published', error: e });
      },
    );
  };

  const unplacedLeft =
    draft?.document.sections.some((s) => s.heading === UNPLACED_HEADING && s.clauses.length > 0) ??
    false;

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
                      setLabel(saved.label);
                      setChangeKind(saved.changeKind);
                      startDraft({
                        document: structuredClone(saved.document),
                        source: `draft version ${saved.number}`,
                      });
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
                      setLabel('');
                      setChangeKind('material');
                      startDraft({
                        document: structuredClone(live.document),
                        source: `version ${live.number}`,
                      });
                    }}
                  >
                    Edit a new version
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
      </section>

      <section aria-labelledby="import-heading" className={styles.stack}>
        <h2 id="import-heading">Import a document</h2>
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
          {draft.report !== undefined && <ImportReportView report={draft.report} />}
          <DraftEditor
            document={draft.document}
            audiences={chosenAudiences}
            onChange={(document) => {
              setDraft({ ...draft, document });
              setReview(null);
            }}
          />
          <div className={styles.row}>
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
            <Field label="Version label" required>
              <Input value={label} onChange={(_e, data) => setLabel(data.value)} />
            </Field>
          </div>
          <Field label="Kind of change">
            <RadioGroup
              value={changeKind}
              onChange={(_e, data) => setChangeKind(data.value === 'minor' ? 'minor' : 'material')}
            >
              <Radio value="material" label="Material: everyone must sign again" />
              <Radio value="minor" label="Minor correction: existing signatures still stand" />
            </RadioGroup>
          </Field>
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
            <Button appearance="primary" onClick={publish} disabled={busy !== null}>
              Publish version {review.version.number}
            </Button>
            {busy === 'publish' && <Spinner size="tiny" label="Publishing…" />}
          </div>
        </section>
      )}
    </div>
  );
}
