import { Field, Radio, RadioGroup } from '@fluentui/react-components';
import type { ChangeKind } from '../../api/api-types.ts';

/**
 * The material/minor choice of a publish, one wording for the school's policies, the trust's
 * master and a school's own clauses; only who must sign again differs (`material` says it).
 */
export function ChangeKindField(props: {
  value: ChangeKind;
  onChange: (kind: ChangeKind) => void;
  material: string;
}) {
  return (
    <Field label="Kind of change">
      <RadioGroup
        value={props.value}
        onChange={(_e, data) => props.onChange(data.value === 'minor' ? 'minor' : 'material')}
      >
        <Radio value="material" label={props.material} />
        <Radio value="minor" label="Minor correction: existing signatures still stand" />
      </RadioGroup>
    </Field>
  );
}
