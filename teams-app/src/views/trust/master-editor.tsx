import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { ChangeKindField } from '../admin/change-kind-field.tsx';
import type { ApiClient } from '../../api/api-client.ts';
import type {
  ChangeKind,
  PolicyVersion,
  TrustPolicyView,
  TrustPublishResult,
} from '../../api/api-types.ts';
import { fromPolicyDocument, toPolicyDocument } from '../../draft/draft-document.ts';
import { detectNumbering } from '../../draft/draft-numbering.ts';
import { startHistory } from '../../draft/edit-history.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { DraftEditor, tidyDocument } from '../admin/draft-editor.tsx';
import { TrustPublishConfirmation } from './trust-publish-confirmation.tsx';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'end' },
});

/** What the trust lead is told once a master is published: each school's new version. */
export function publishedLine(
  result: TrustPublishResult,
  names: ReadonlyMap<string, string>,
): string {
  const schools = result.schools.map((s) => {
    const name = names.get(s.schoolId) ?? s.schoolId;
    return s.published === undefined
      ? `${name}: already on it`
      : `${name}: version ${s.published.number}${s.askedToSignAgain ? ', asked to sign again' : ', signatures stand'}`;
  });
  return `Published master version ${result.master.number}. ${schools.join('; ')}.`;
}

/**
 * The trust lead's master text: the draft editor the Admin view uses (clauses, numbering,
 * audiences, undo), seeded from the open draft or the current master; saved as the master's next
 * draft, then published to every school after the confirmation says who must sign again where.
 * `{{school}}` and `{{contact:KEY}}` stay as typed: each school's settings fill them.
 */
export function MasterEditor({
  api,
  view,
  onChanged,
}: {
  api: ApiClient;
  view: TrustPolicyView;
  onChanged: () => void;
}) {
  const styles = useStyles();
  const key = view.policy.key;
  const open = view.versions.find((v) => v.status === 'draft');
  const current = view.versions.find((v) => v.status === 'published');
  const start = open ?? current;
  const [draft, setDraft] = useState(() => {
    const doc = fromPolicyDocument(
      start?.document ?? {
        title: view.policy.title,
        sections: [{ heading: '', clauses: [] }],
        declaration: '',
        consents: [],
        approval: null,
      },
    );
    return { history: startHistory(doc), numbering: detectNumbering(doc) };
  });
  const [label, setLabel] = useState(open?.label ?? '');
  const [changeKind, setChangeKind] = useState<ChangeKind>(open?.changeKind ?? 'material');
  const [saved, setSaved] = useState<PolicyVersion | undefined>(open);
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState<'save' | 'publish' | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<{ title: string; error: unknown } | null>(null);
  const [said, setSaid] = useState('');

  const save = () => {
    const tidy = tidyDocument(toPolicyDocument(draft.history.present), view.policy.audiences);
    const missing = [...tidy.problems];
    if (label.trim() === '') missing.push('Give the version a label, for example “2027-28”.');
    setProblems(missing);
    if (missing.length > 0) return;
    setBusy('save');
    setError(null);
    api.saveMasterDraft(key, { label: label.trim(), changeKind, document: tidy.document }).then(
      (version) => {
        setBusy(null);
        setSaved(version);
        setSaid(`Saved as draft version ${version.number} of the master.`);
        onChanged();
      },
      (e: unknown) => {
        setBusy(null);
        setError({ title: 'The master text could not be saved', error: e });
      },
    );
  };

  const publish = (versionNumber: number) => {
    setBusy('publish');
    setError(null);
    api.publishMaster(key, versionNumber).then(
      (result) => {
        setBusy(null);
        setConfirming(false);
        setSaved(undefined);
        setSaid(
          publishedLine(result, new Map(view.schools.map((c) => [c.schoolId, c.schoolName]))),
        );
        onChanged();
      },
      (e: unknown) => {
        setBusy(null);
        setConfirming(false);
        setError({ title: 'The master could not be published', error: e });
      },
    );
  };

  return (
    <section aria-label={`Master text of ${view.policy.title}`} className={styles.stack}>
      <h3>Master text</h3>
      <p>
        Nobody signs the master as such: each school signs it with its own clauses after it, and “
        {'{{school}}'}” and “{'{{contact:dsl}}'}” filled from that school’s settings.
      </p>
      <DraftEditor
        history={draft.history}
        onHistory={(history) => {
          setDraft((d) => ({ ...d, history }));
          if (history.present !== draft.history.present) setSaved(undefined);
        }}
        numbering={draft.numbering}
        onNumbering={(numbering) => setDraft((d) => ({ ...d, numbering }))}
        audiences={view.policy.audiences}
        {...(current === undefined ? {} : { current: current.document })}
      />
      <div className={styles.row}>
        <Field label="Version label" required>
          <Input value={label} onChange={(_e, data) => setLabel(data.value)} />
        </Field>
        <ChangeKindField
          value={changeKind}
          onChange={setChangeKind}
          material="Material: everyone in every school must sign again"
        />
      </div>
      {problems.length > 0 && (
        <MessageBar intent="warning" role="alert">
          <MessageBarBody>
            <ul aria-label="Before saving">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.row}>
        <Button onClick={save} disabled={busy !== null}>
          Save master draft
        </Button>
        {saved !== undefined && (
          <Button appearance="primary" onClick={() => setConfirming(true)} disabled={busy !== null}>
            Publish master version {saved.number}…
          </Button>
        )}
      </div>
      <p role="status">{said}</p>
      {error !== null && <ErrorMessage title={error.title} error={error.error} />}
      {saved !== undefined && (
        <TrustPublishConfirmation
          api={api}
          policyKey={key}
          versionNumber={saved.number}
          open={confirming}
          busy={busy === 'publish'}
          onConfirm={() => publish(saved.number)}
          onCancel={() => setConfirming(false)}
        />
      )}
    </section>
  );
}
