import { Button, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useRef } from 'react';
import type { SchoolSettings } from '../../api/api-types.ts';
import { schoolSchema } from '../../../../src/domain/school.ts';

type Contact = NonNullable<SchoolSettings['settings']['contacts']>[number];

/** A contact row as typed: every field text, empty meaning "not given". */
export interface ContactRow {
  /** Stable across edits (React's key; the contact's own key is being typed). */
  id: number;
  key: string;
  name: string;
  role: string;
  detail: string;
}

const useStyles = makeStyles({
  contact: {
    border: `1px solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: tokens.spacingVerticalS,
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalM,
    alignItems: 'end',
  },
});

export const contactRows = (contacts: readonly Contact[] | undefined): ContactRow[] =>
  (contacts ?? []).map((c, i) => ({
    id: i,
    key: c.key,
    name: c.name,
    role: c.role ?? '',
    detail: c.detail ?? '',
  }));

/**
 * The rows as the settings store them, checked by the schema the API checks them with (the
 * domain's schoolSchema): either the contacts, or each problem naming its row.
 */
export function contactsFromRows(
  rows: readonly ContactRow[],
): { ok: true; contacts: Contact[] } | { ok: false; problems: string[] } {
  const typed = rows.map((r) => ({
    key: r.key.trim(),
    name: r.name.trim(),
    ...(r.role.trim() === '' ? {} : { role: r.role.trim() }),
    ...(r.detail.trim() === '' ? {} : { detail: r.detail.trim() }),
  }));
  const parsed = schoolSchema.shape.contacts.safeParse(typed);
  if (parsed.success) return { ok: true, contacts: parsed.data ?? [] };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const [index, field] = issue.path;
      if (typeof index !== 'number') return `Contacts: ${issue.message}.`;
      const who = typed[index]?.key ?? '';
      return `Contact ${index + 1}${who === '' ? '' : ` (${who})`}${typeof field === 'string' ? `, ${field}` : ''}: ${issue.message}.`;
    }),
  };
}

/**
 * The people a trust policy's text names for this school ("speak to {{contact:dsl}}"): one row
 * each, added and removed here and saved with the other settings. A changed contact changes what
 * the school's copy of a trust policy says: the Trust policies screen then asks for it to be
 * published again. Adding a contact moves focus to its key; removing one moves it to Add.
 */
export function ContactsEditor({
  rows,
  onRows,
}: {
  rows: readonly ContactRow[];
  onRows: (rows: ContactRow[]) => void;
}) {
  const styles = useStyles();
  const added = useRef<HTMLInputElement>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const change = (id: number, field: 'key' | 'name' | 'role' | 'detail', value: string) =>
    onRows(rows.map((r) => (r.id === id ? { ...r, [field]: value } : r)));
  const last = rows.at(-1)?.id;
  return (
    <>
      <h3>Contacts</h3>
      <p>
        Who a trust policy tells your people to speak to: “{'{{contact:dsl}}'}” in its text prints
        the contact whose key is “dsl”.
      </p>
      {rows.map((row, i) => {
        const label = row.key.trim() === '' ? `contact ${i + 1}` : row.key.trim();
        return (
          <section key={row.id} className={styles.contact} aria-label={`Contact ${label}`}>
            <Field label={`Key of ${label}`} hint="e.g. dsl" required>
              <Input
                ref={row.id === last ? added : undefined}
                value={row.key}
                onChange={(_, d) => change(row.id, 'key', d.value)}
              />
            </Field>
            <Field label={`Name of ${label}`} required>
              <Input value={row.name} onChange={(_, d) => change(row.id, 'name', d.value)} />
            </Field>
            <Field label={`Role of ${label}`}>
              <Input value={row.role} onChange={(_, d) => change(row.id, 'role', d.value)} />
            </Field>
            <Field label={`How to reach ${label}`}>
              <Input value={row.detail} onChange={(_, d) => change(row.id, 'detail', d.value)} />
            </Field>
            <Button
              onClick={() => {
                onRows(rows.filter((r) => r.id !== row.id));
                requestAnimationFrame(() => addButton.current?.focus());
              }}
            >
              Remove contact {label}
            </Button>
          </section>
        );
      })}
      <div>
        <Button
          ref={addButton}
          onClick={() => {
            const id = Math.max(-1, ...rows.map((r) => r.id)) + 1;
            onRows([...rows, { id, key: '', name: '', role: '', detail: '' }]);
            requestAnimationFrame(() => added.current?.focus());
          }}
        >
          Add a contact
        </Button>
      </div>
    </>
  );
}
