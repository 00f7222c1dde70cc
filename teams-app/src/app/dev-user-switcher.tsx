import { Select, useId } from '@fluentui/react-components';
import type { DevUser } from '../auth/dev-token-source.ts';

export interface DevUserSwitcherProps {
  users: readonly DevUser[];
  current: string | undefined;
  onSwitch: (key: string) => void;
}

/** Dev mode only: act as any demo user. Loaded on demand, so a tab in Teams never fetches it. */
export default function DevUserSwitcher({ users, current, onSwitch }: DevUserSwitcherProps) {
  const id = useId('dev-user');
  return (
    <>
      <label htmlFor={id}>Demo user</label>
      <Select id={id} value={current ?? ''} onChange={(_event, data) => onSwitch(data.value)}>
        {users.map((user) => (
          <option key={user.key} value={user.key}>
            {user.displayName}
            {user.roles.length > 0 ? ` (${user.roles.join(', ')})` : ''}
          </option>
        ))}
      </Select>
    </>
  );
}
