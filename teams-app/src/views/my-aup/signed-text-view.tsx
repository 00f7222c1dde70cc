import { Button, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { ApiClient } from '../../api/api-client.ts';
import type { PolicyDocument } from '../../api/api-types.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { PolicyDocumentView } from './policy-document-view.tsx';

const useStyles = makeStyles({
  text: {
    borderInlineStartWidth: tokens.strokeWidthThick,
    borderInlineStartStyle: 'solid',
    borderInlineStartColor: tokens.colorNeutralStroke1,
    paddingInlineStart: tokens.spacingHorizontalM,
    marginBlockStart: tokens.spacingVerticalS,
  },
  hash: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
});

/** A version's exact text: its own title, the clauses, the declaration and the consents. */
export function VersionText({
  document,
  heading,
}: {
  document: PolicyDocument;
  /** What the text is, e.g. "Staff AUP 2025, version 2025-26: the text you signed". */
  heading: string;
}) {
  const styles = useStyles();
  return (
    <section className={styles.text} aria-label={heading}>
      <h4>{document.title}</h4>
      <PolicyDocumentView document={document} headingLevel={4} />
      {document.declaration !== '' && (
        <p>
          <strong>Declaration:</strong> {document.declaration}
        </p>
      )}
      {document.consents.length > 0 && (
        <ul>
          {document.consents.map((c) => (
            <li key={c.key}>Consent asked: {c.text}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function LoadedSignedText({
  api,
  acknowledgementId,
}: {
  api: ApiClient;
  acknowledgementId: string;
}) {
  const styles = useStyles();
  const [text] = useLoad(() => api.signedText(acknowledgementId), [api, acknowledgementId]);
  if (text.status === 'loading') return <Spinner size="tiny" label="Loading the text…" />;
  if (text.status === 'failed') {
    return <ErrorMessage title="Could not load the text" error={text.error} />;
  }
  const { version, textMatchesSignature, acknowledgement } = text.value;
  return (
    <>
      <VersionText
        document={version.document}
        heading={`${version.document.title}, version ${version.label}: the text signed`}
      />
      <p className={styles.hash}>
        {textMatchesSignature
          ? `This is the exact text signed (content hash ${acknowledgement.contentHash.slice(0, 16)}…).`
          : 'Warning: the stored text does not match the hash that was signed.'}
      </p>
    </>
  );
}

/** A button that shows, below it, the exact text a signature was made on (loaded when opened). */
export function SignedTextToggle({
  api,
  acknowledgementId,
  label = 'Read the text signed',
}: {
  api: ApiClient;
  acknowledgementId: string;
  label?: string;
}) {
  const [open, setOpen] = useState(false);
  const regionId = `signed-text-${acknowledgementId.replace(/[^a-zA-Z0-9-]/g, '-')}`;
  return (
    <div>
      <Button
        size="small"
        aria-expanded={open}
        aria-controls={regionId}
        onClick={() => setOpen(!open)}
      >
        {open ? 'Hide the text' : label}
      </Button>
      <div id={regionId}>
        {open && <LoadedSignedText api={api} acknowledgementId={acknowledgementId} />}
      </div>
    </div>
  );
}
