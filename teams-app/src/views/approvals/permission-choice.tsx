import { Checkbox, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { parsePermissions } from './permissions.ts';

const useStyles = makeStyles({
  group: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalM,
    alignItems: 'center',
    border: 'none',
    margin: '0',
    padding: '0',
  },
  legend: { padding: '0', fontWeight: tokens.fontWeightSemibold },
});

/**
 * The additional permissions an approver grants: the school's list as tick boxes (the same list
 * the approval card's multi-select offers, from GET /api/school), and free text for anything
 * else (the service writes a free entry that matches a listed choice as the choice).
 */
export function PermissionChoice({
  legend,
  choices,
  onChange,
}: {
  legend: string;
  choices: readonly string[];
  onChange: (permissions: string[]) => void;
}) {
  const styles = useStyles();
  const [ticked, setTicked] = useState<readonly string[]>([]);
  const [other, setOther] = useState('');
  const report = (nextTicked: readonly string[], nextOther: string) => {
    setTicked(nextTicked);
    setOther(nextOther);
    onChange([...new Set([...nextTicked, ...parsePermissions(nextOther)])]);
  };
  return (
    <fieldset className={styles.group}>
      <legend className={styles.legend}>{legend}</legend>
      {choices.map((choice) => (
        <Checkbox
          key={choice}
          label={choice}
          checked={ticked.includes(choice)}
          onChange={(_e, data) =>
            report(
              data.checked === true
                ? choices.filter((c) => c === choice || ticked.includes(c))
                : ticked.filter((c) => c !== choice),
              other,
            )
          }
        />
      ))}
      <Field label="Other permissions (optional, comma-separated)">
        <Input value={other} onChange={(_e, data) => report(ticked, data.value)} />
      </Field>
    </fieldset>
  );
}
