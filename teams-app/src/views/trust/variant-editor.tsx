import {
  Button,
  Field,
  MessageBar,
  MessageBarBody,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { ChangeKindField } from '../admin/change-kind-field.tsx';
import type { ApiClient } from '../../api/api-client.ts';
import type { ChangeKind, TrustPolicyView, VariantPreview } from '../../api/api-types.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { GrowingTextarea } from '../../ui/growing-textarea.tsx';
import { PolicyDocumentView } from '../my-aup/policy-document-view.tsx';
import { textToVariant, variantToText } from './variant-text.ts';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'end' },
  preview: {
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    padding: tokens.spacingHorizontalM,
  },
});

type SchoolCopy = TrustPolicyView['schools'][number];

/**
 * A school admin's own clauses of a trust policy: edited as text, previewed as the school's
 * people would read it (the master, then these clauses, the school's contacts filled: the API
 * composes it exactly as a publish would), then published as the school's variant. Material asks
 * only this school's people to sign again; a minor correction leaves their signatures standing.
 */
export function VariantEditor({
  api,
  view,
  copy,
  onChanged,
}: {
  api: ApiClient;
  view: TrustPolicyView;
  copy: SchoolCopy;
  onChanged: () => void;
}) {
  const styles = useStyles();
  const [text, setText] = useState(() => variantToText(copy.variant));
  const [changeKind, setChangeKind] = useState<ChangeKind>('material');
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState<'preview' | 'publish' | null>(null);
  const [preview, setPreview] = useState<VariantPreview | null>(null);
  const [error, setError] = useState<{ title: string; error: unknown } | null>(null);
  const [said, setSaid] = useState('');
  const school = copy.schoolName;

  const parsed = () => {
    const result = textToVariant(text);
    setProblems(result.problems);
    return result.problems.length > 0 ? null : result.variant;
  };

  const showPreview = () => {
    const variant = parsed();
    if (variant === null) return;
    setBusy('preview');
    setError(null);
    api.variantPreview(view.policy.key, copy.schoolId, variant).then(
      (answer) => {
        setBusy(null);
        setPreview(answer);
      },
      (e: unknown) => {
        setBusy(null);
        setPreview(null);
        setError({ title: 'The text could not be composed', error: e });
      },
    );
  };

  const publish = () => {
    const variant = parsed();
    if (variant === null) return;
    send(variant);
  };

  // The clauses as published, sent again: the settings changed the text they compose to.
  const republish = () => send(copy.variant);

  const send = (variant: SchoolCopy['variant']) => {
    setBusy('publish');
    setError(null);
    api.publishVariant(view.policy.key, copy.schoolId, { changeKind, ...variant }).then(
      (outcome) => {
        setBusy(null);
        setSaid(
          outcome.published === undefined
            ? 'Nothing to publish.'
            : `Published version ${outcome.published.number} (${outcome.published.label}): ${outcome.askedToSignAgain ? `${school}’s people are asked to sign again` : 'existing signatures still stand'}.`,
        );
        onChanged();
      },
      (e: unknown) => {
        setBusy(null);
        setError({ title: 'Your clauses could not be published', error: e });
      },
    );
  };

  return (
    <section aria-label={`${school}’s own clauses`} className={styles.stack}>
      <h3>{school}’s own clauses</h3>
      {copy.needsRepublish !== undefined && (
        <MessageBar intent="warning">
          <MessageBarBody>
            <p>
              <strong>To publish again.</strong> {copy.needsRepublish.reason} Your people still sign
              the text as it was published until you publish your clauses again; the kind of change
              below decides whether they must sign again.
            </p>
            <Button onClick={republish} disabled={busy !== null}>
              Republish {school}’s clauses as they are
            </Button>
          </MessageBarBody>
        </MessageBar>
      )}
      <Field
        label={`${school}’s own clauses of ${view.policy.title}`}
        hint="A line “## Heading” starts a section; each other line is a clause; a line starting “- ” is a sub-item of the clause above. Start a clause with a number (“1. …”) to number it: it is numbered after the trust’s clauses. Put audiences in brackets (“[staff] …”) for a clause that is for them only. They are printed after the trust’s text."
      >
        <GrowingTextarea value={text} onChange={(_e, data) => setText(data.value)} />
      </Field>
      <ChangeKindField
        value={changeKind}
        onChange={setChangeKind}
        material={`Material: everyone at ${school} must sign again`}
      />
      {problems.length > 0 && (
        <MessageBar intent="warning" role="alert">
          <MessageBarBody>
            <ul aria-label="Before previewing or publishing">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.row}>
        <Button onClick={showPreview} disabled={busy !== null}>
          Preview the text {school} signs
        </Button>
        <Button appearance="primary" onClick={publish} disabled={busy !== null}>
          Publish {school}’s clauses
        </Button>
        {busy !== null && (
          <Spinner size="tiny" label={busy === 'preview' ? 'Composing…' : 'Publishing…'} />
        )}
      </div>
      <p role="status">{said}</p>
      {error !== null && <ErrorMessage title={error.title} error={error.error} />}
      {preview !== null && (
        <section aria-label={`Composed text for ${school}`} className={styles.preview}>
          <h4>
            {preview.document.title} ({preview.label})
          </h4>
          <PolicyDocumentView document={preview.document} headingLevel={4} showAudiences />
          <p>{preview.document.declaration}</p>
        </section>
      )}
    </section>
  );
}
