import {
  Button,
  Checkbox,
  Field,
  Input,
  Spinner,
  Switch,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import type { PolicyVersion, SignBody } from '../../api/api-types.ts';

const useStyles = makeStyles({
  form: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  declaration: {
    margin: '0',
    paddingInlineStart: tokens.spacingHorizontalM,
    borderInlineStartWidth: tokens.strokeWidthThicker,
    borderInlineStartStyle: 'solid',
    borderInlineStartColor: tokens.colorBrandStroke1,
    overflowWrap: 'anywhere',
  },
  consents: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  fieldset: { border: 'none', margin: '0', padding: '0' },
  legend: { fontWeight: tokens.fontWeightSemibold, marginBottom: tokens.spacingVerticalS },
  actions: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM },
});

export interface SignFormProps {
  version: PolicyVersion;
  busy: boolean;
  onSign: (body: SignBody) => void;
}

/** The declaration, typed full name, stated role and consents; Sign waits for the essentials. */
export function SignForm({ version, busy, onSign }: SignFormProps) {
  const styles = useStyles();
  const { document } = version;
  const [accepted, setAccepted] = useState(false);
  const [typedName, setTypedName] = useState('');
  const [statedRole, setStatedRole] = useState('');
  const [roleMissing, setRoleMissing] = useState(false);
  const [consents, setConsents] = useState<Record<string, boolean>>(() =>
    Object.fromEntries(document.consents.map((consent) => [consent.key, false])),
  );
  const ready = accepted && typedName.trim() !== '' && !busy;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    if (statedRole.trim() === '') {
      setRoleMissing(true);
      return;
    }
    onSign({
      versionNumber: version.number,
      contentHash: version.contentHash,
      declarationAccepted: true,
      typedName: typedName.trim(),
      statedRole: statedRole.trim(),
      consents,
    });
  };

  return (
    <form className={styles.form} onSubmit={submit} aria-labelledby="sign-heading" noValidate>
      <h3 id="sign-heading">Sign this version</h3>
      {document.declaration !== '' && (
        <blockquote className={styles.declaration}>{document.declaration}</blockquote>
      )}
      <Checkbox
        checked={accepted}
        onChange={(_event, data) => setAccepted(data.checked === true)}
        label="I have read this policy and I accept the declaration above"
      />
      <Field label="Your full name" required hint="Type your name as your signature.">
        <Input
          value={typedName}
          autoComplete="name"
          onChange={(_event, data) => setTypedName(data.value)}
        />
      </Field>
      <Field
        label="Your role in school"
        required
        hint="For example: Teacher, Teaching assistant, Governor, Volunteer."
        {...(roleMissing ? { validationMessage: 'Enter your role.' } : {})}
      >
        <Input
          value={statedRole}
          autoComplete="organization-title"
          onChange={(_event, data) => {
            setStatedRole(data.value);
            if (data.value.trim() !== '') setRoleMissing(false);
          }}
        />
      </Field>
      {document.consents.length > 0 && (
        <fieldset className={styles.fieldset}>
          <legend className={styles.legend}>Consents (optional)</legend>
          <div className={styles.consents}>
            {document.consents.map((consent) => (
              <Switch
                key={consent.key}
                checked={consents[consent.key] ?? false}
                onChange={(_event, data) =>
                  setConsents((previous) => ({ ...previous, [consent.key]: data.checked }))
                }
                label={consent.text}
              />
            ))}
          </div>
        </fieldset>
      )}
      <div className={styles.actions}>
        <Button type="submit" appearance="primary" disabled={!ready}>
          Sign
        </Button>
        {busy && <Spinner size="tiny" label="Signing…" />}
      </div>
    </form>
  );
}
