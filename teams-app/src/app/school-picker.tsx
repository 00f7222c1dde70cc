import { Field, Select } from '@fluentui/react-components';
import { useState } from 'react';
import { ApiError } from '../api/api-error.ts';
import type { Me } from '../api/api-types.ts';

export interface SchoolPickerProps {
  me: Me;
  /** Serves the tab from this school (the session's api names it on every request). */
  onChoose: (school: string) => Promise<void>;
}

/**
 * Someone in several schools of a trust chooses which school the tab shows (issue 14): a native
 * select in a labelled Field, so the keyboard and screen readers work as they do for any select.
 * Shown only for more than one school; a school of one, or a deployment of one, has no choice.
 */
export function SchoolPicker({ me, onChoose }: SchoolPickerProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const schools = me.schools ?? [];
  if (schools.length < 2) return null;
  const choose = (school: string): void => {
    setBusy(true);
    setError(undefined);
    onChoose(school).then(
      () => setBusy(false),
      (failure: unknown) => {
        setBusy(false);
        setError(
          failure instanceof ApiError
            ? failure.message
            : 'Countersign could not switch school just now. Try again.',
        );
      },
    );
  };
  return (
    <Field
      label="School"
      orientation="horizontal"
      {...(error === undefined ? {} : { validationMessage: error })}
    >
      <Select
        value={me.school ?? ''}
        disabled={busy}
        onChange={(_event, data) => choose(data.value)}
      >
        {schools.map((school) => (
          <option key={school.id} value={school.id}>
            {school.name}
          </option>
        ))}
      </Select>
    </Field>
  );
}
