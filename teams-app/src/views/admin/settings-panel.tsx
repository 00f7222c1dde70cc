import {
  Button,
  Combobox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Spinner,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { ApiClient } from '../../api/api-client.ts';
import { ApiError } from '../../api/api-error.ts';
import type { DirectoryGroup, SchoolSettings } from '../../api/api-types.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { ContactsEditor, contactRows, contactsFromRows } from './contacts-editor.tsx';
import { useLoad } from '../../ui/use-load.ts';

type Settings = SchoolSettings['settings'];
type Range = NonNullable<Settings['holidays']>[number];

const useStyles = makeStyles({
  panel: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    maxWidth: '48rem',
  },
  row: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  audience: {
    border: `1px solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingVerticalS,
  },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalXL },
});

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** "Christmas: 2026-12-19 to 2027-01-04", one a line, as the admin types them. */
const rangesText = (ranges: readonly Range[] | undefined): string =>
  (ranges ?? []).map((r) => `${r.name}: ${r.from} to ${r.to}`).join('\n');

function parseRanges(text: string, what: string): Range[] {
  return lines(text).map((line) => {
    const m = /^(.+?):\s*(\d{4}-\d{2}-\d{2})\s+to\s+(\d{4}-\d{2}-\d{2})$/.exec(line);
    if (m === null)
      throw new Error(`${what}: write "${line}" as "Name: YYYY-MM-DD to YYYY-MM-DD".`);
    return { name: (m[1] ?? '').trim(), from: m[2] ?? '', to: m[3] ?? '' };
  });
}

const numberOrUndefined = (text: string): number | undefined =>
  text.trim() === '' ? undefined : Number(text.trim());

/** The group picker: a combobox whose options come from the API's Graph group search. */
function GroupPicker({
  api,
  label,
  onPick,
}: {
  api: ApiClient;
  label: string;
  onPick: (group: DirectoryGroup) => void;
}) {
  const [text, setText] = useState('');
  const [found, setFound] = useState<DirectoryGroup[]>([]);
  const search = (value: string) => {
    setText(value);
    if (value.trim().length < 2) {
      setFound([]);
      return;
    }
    api.searchGroups(value).then(setFound, () => setFound([]));
  };
  return (
    <Field label={label} hint="Type two letters or more of the group's name">
      <Combobox
        freeform
        value={text}
        onChange={(e) => search(e.target.value)}
        onOptionSelect={(_, data) => {
          const group = found.find((g) => g.id === data.optionValue);
          if (group !== undefined) onPick(group);
          setText('');
          setFound([]);
        }}
      >
        {found.map((g) => (
          <Option key={g.id} value={g.id} text={g.displayName}>
            {g.displayName}
          </Option>
        ))}
      </Combobox>
    </Field>
  );
}

function SettingsForm({
  api,
  stored,
  saved,
  onSaved,
}: {
  api: ApiClient;
  stored: SchoolSettings;
  /** What the last save changed: the form is made anew for the saved revision and says so. */
  saved: string[] | null;
  onSaved: (changed: string[]) => void;
}) {
  const styles = useStyles();
  const s = stored.settings;
  const [name, setName] = useState(s.name);
  const [timeZone, setTimeZone] = useState(s.timeZone);
  const [audiences, setAudiences] = useState(s.audiences);
  const [groupNames, setGroupNames] = useState<Record<string, string>>({});
  const [admins, setAdmins] = useState(s.adminIds.join('\n'));
  const [approvers, setApprovers] = useState(s.approverIds.join('\n'));
  const [aaId, setAaId] = useState(s.approversApprover?.id ?? '');
  const [aaName, setAaName] = useState(s.approversApprover?.name ?? '');
  const [aaRole, setAaRole] = useState(s.approversApprover?.role ?? '');
  const [permissions, setPermissions] = useState((s.permissionChoices ?? []).join('\n'));
  const [reminderDays, setReminderDays] = useState((s.reminderDays ?? []).join(', '));
  const [startHour, setStartHour] = useState(String(s.workingHours?.startHour ?? ''));
  const [endHour, setEndHour] = useState(String(s.workingHours?.endHour ?? ''));
  const [terms, setTerms] = useState(rangesText(s.terms));
  const [holidays, setHolidays] = useState(rangesText(s.holidays));
  const [retention, setRetention] = useState(String(s.retentionYears ?? ''));
  const [contacts, setContacts] = useState(() => contactRows(s.contacts));
  const [state, setState] = useState<
    | { kind: 'idle' }
    | { kind: 'invalid'; problems: string[] }
    | { kind: 'saving' }
    | { kind: 'saved'; changed: string[] }
    | { kind: 'conflict'; message: string }
    | { kind: 'failed'; error: unknown }
  >(saved === null ? { kind: 'idle' } : { kind: 'saved', changed: saved });

  const build = (checkedContacts: Settings['contacts']): Settings => {
    const start = numberOrUndefined(startHour);
    const end = numberOrUndefined(endHour);
    const days = reminderDays
      .split(',')
      .map((d) => d.trim())
      .filter((d) => d !== '')
      .map(Number);
    const choices = lines(permissions);
    const retentionYears = numberOrUndefined(retention);
    // Settings this page does not edit (added by other parts of the app) are kept as stored.
    const kept: Settings = { ...s };
    for (const key of [
      'approversApprover',
      'permissionChoices',
      'reminderDays',
      'workingHours',
      'terms',
      'holidays',
      'retentionYears',
      'contacts',
    ] as const) {
      delete kept[key];
    }
    return {
      ...kept,
      name: name.trim(),
      timeZone: timeZone.trim(),
      audiences,
      adminIds: lines(admins),
      approverIds: lines(approvers),
      ...(aaId.trim() === ''
        ? {}
        : {
            approversApprover: {
              id: aaId.trim(),
              name: aaName.trim(),
              ...(aaRole.trim() === '' ? {} : { role: aaRole.trim() }),
            },
          }),
      ...(choices.length === 0 ? {} : { permissionChoices: choices }),
      ...(days.length === 0 ? {} : { reminderDays: days }),
      ...(start === undefined || end === undefined
        ? {}
        : { workingHours: { startHour: start, endHour: end } }),
      ...(lines(terms).length === 0 ? {} : { terms: parseRanges(terms, 'Term dates') }),
      ...(lines(holidays).length === 0 ? {} : { holidays: parseRanges(holidays, 'Holidays') }),
      ...(retentionYears === undefined ? {} : { retentionYears }),
      ...(checkedContacts === undefined || checkedContacts.length === 0
        ? {}
        : { contacts: checkedContacts }),
    };
  };

  const save = async () => {
    // Checked here by the API's own schema, so a mistake is named by row before anything is sent.
    const checked = contactsFromRows(contacts);
    if (!checked.ok) {
      setState({ kind: 'invalid', problems: checked.problems });
      return;
    }
    setState({ kind: 'saving' });
    try {
      const answer = await api.saveSettings({
        expectedRevision: stored.revision,
        settings: build(checked.contacts),
      });
      setState({ kind: 'saved', changed: answer.changed });
      onSaved(answer.changed);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'conflict') {
        setState({
          kind: 'conflict',
          message:
            'Someone else saved these settings since you opened them. Reload them to see their change, then make yours again.',
        });
      } else {
        setState({ kind: 'failed', error });
      }
    }
  };

  return (
    <form
      className={styles.panel}
      aria-label="School settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <Field label="School name" required>
        <Input value={name} onChange={(_, d) => setName(d.value)} />
      </Field>
      <Field label="Time zone" hint="IANA name, e.g. Europe/London">
        <Input value={timeZone} onChange={(_, d) => setTimeZone(d.value)} />
      </Field>
      <h3>Audiences</h3>
      {audiences.map((audience, i) => (
        <section
          key={audience.key}
          className={styles.audience}
          aria-label={`Audience ${audience.label}`}
        >
          <Field label={`Name of the ${audience.key} audience`}>
            <Input
              value={audience.label}
              onChange={(_, d) =>
                setAudiences(audiences.map((a, j) => (j === i ? { ...a, label: d.value } : a)))
              }
            />
          </Field>
          <ul className={styles.list} aria-label={`Groups of ${audience.label}`}>
            {audience.groupIds.map((id) => (
              <li key={id}>
                {groupNames[id] ?? id}{' '}
                <Button
                  size="small"
                  aria-label={`Remove ${groupNames[id] ?? id} from ${audience.label}`}
                  onClick={() =>
                    setAudiences(
                      audiences.map((a, j) =>
                        j === i ? { ...a, groupIds: a.groupIds.filter((g) => g !== id) } : a,
                      ),
                    )
                  }
                >
                  Remove
                </Button>
              </li>
            ))}
          </ul>
          <GroupPicker
            api={api}
            label={`Add a group to ${audience.label}`}
            onPick={(group) => {
              setGroupNames({ ...groupNames, [group.id]: group.displayName });
              setAudiences(
                audiences.map((a, j) =>
                  j === i && !a.groupIds.includes(group.id)
                    ? { ...a, groupIds: [...a.groupIds, group.id] }
                    : a,
                ),
              );
            }}
          />
        </section>
      ))}
      <Field label="Admins" hint="Entra object ids, one a line">
        <Textarea value={admins} onChange={(_, d) => setAdmins(d.value)} />
      </Field>
      <Field label="Approvers" hint="Entra object ids, one a line">
        <Textarea value={approvers} onChange={(_, d) => setApprovers(d.value)} />
      </Field>
      <div className={styles.row}>
        <Field label="Approvers' approver (Entra object id)">
          <Input value={aaId} onChange={(_, d) => setAaId(d.value)} />
        </Field>
        <Field label="Their name">
          <Input value={aaName} onChange={(_, d) => setAaName(d.value)} />
        </Field>
        <Field label="Their role">
          <Input value={aaRole} onChange={(_, d) => setAaRole(d.value)} />
        </Field>
      </div>
      <Field label="Additional permissions approvers choose from" hint="One a line">
        <Textarea value={permissions} onChange={(_, d) => setPermissions(d.value)} />
      </Field>
      <Field label="Reminder days" hint="Days after a launch, e.g. 3, 7, 14">
        <Input value={reminderDays} onChange={(_, d) => setReminderDays(d.value)} />
      </Field>
      <div className={styles.row}>
        <Field label="School day starts (hour)">
          <Input type="number" value={startHour} onChange={(_, d) => setStartHour(d.value)} />
        </Field>
        <Field label="School day ends (hour)">
          <Input type="number" value={endHour} onChange={(_, d) => setEndHour(d.value)} />
        </Field>
      </div>
      <Field label="Term dates" hint="One a line: Autumn: 2026-09-02 to 2026-12-18">
        <Textarea value={terms} onChange={(_, d) => setTerms(d.value)} />
      </Field>
      <Field
        label="Holidays and closures"
        hint="One a line: Christmas: 2026-12-19 to 2027-01-04 (no reminder falls in one)"
      >
        <Textarea value={holidays} onChange={(_, d) => setHolidays(d.value)} />
      </Field>
      <Field label="Keep records for (years after a person leaves)">
        <Input type="number" value={retention} onChange={(_, d) => setRetention(d.value)} />
      </Field>
      <ContactsEditor rows={contacts} onRows={setContacts} />
      <div>
        <Button appearance="primary" type="submit" disabled={state.kind === 'saving'}>
          Save settings
        </Button>
      </div>
      {state.kind === 'saving' && <Spinner size="tiny" label="Saving…" />}
      {state.kind === 'saved' && (
        <MessageBar intent="success" role="status">
          <MessageBarBody>
            {state.changed.length === 0
              ? 'Saved: nothing had changed.'
              : `Saved: ${state.changed.join(', ')}.`}
          </MessageBarBody>
        </MessageBar>
      )}
      {state.kind === 'invalid' && (
        <MessageBar intent="warning" role="alert">
          <MessageBarBody>
            <ul aria-label="Before saving">
              {state.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      )}
      {state.kind === 'conflict' && (
        <MessageBar intent="warning" role="alert">
          <MessageBarBody>{state.message}</MessageBarBody>
        </MessageBar>
      )}
      {state.kind === 'failed' && <ErrorMessage title="Not saved" error={state.error} />}
    </form>
  );
}

/** The Admin view's Settings section: the school's settings, saved over their revision, and history. */
export function SettingsPanel({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const [stored, reload] = useLoad(() => api.settings(), [api]);
  const [history, reloadHistory] = useLoad(() => api.settingsHistory(), [api]);
  // Kept here, not in the form: the form is keyed by revision, so a save's reload makes it anew
  // and its own "Saved" line would vanish as soon as the new revision is read.
  const [saved, setSaved] = useState<string[] | null>(null);
  return (
    <div className={styles.panel}>
      <h2>School settings</h2>
      {stored.status === 'loading' && <Spinner label="Loading…" />}
      {stored.status === 'failed' && (
        <ErrorMessage title="Could not load the settings" error={stored.error} />
      )}
      {stored.status === 'ready' && (
        <>
          <p>
            Revision {stored.value.revision}, saved{' '}
            {new Date(stored.value.updatedAt).toLocaleString('en-GB')}.{' '}
            <Button
              size="small"
              onClick={() => {
                setSaved(null);
                reload();
              }}
            >
              Reload
            </Button>
          </p>
          <SettingsForm
            key={stored.value.revision}
            api={api}
            stored={stored.value}
            saved={saved}
            onSaved={(changed) => {
              setSaved(changed);
              reload();
              reloadHistory();
            }}
          />
        </>
      )}
      <section aria-label="History of changes">
        <h3>History of changes</h3>
        {history.status === 'failed' && (
          <ErrorMessage title="Could not load the history" error={history.error} />
        )}
        {history.status === 'ready' && (
          <ol className={styles.list}>
            {history.value.map((change) => (
              <li key={change.eventId}>
                {new Date(change.at).toLocaleString('en-GB')}: revision {change.revision} by{' '}
                {change.actorName} ({change.source}) changed{' '}
                {change.changed.join(', ') || 'nothing'}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
