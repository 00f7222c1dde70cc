import { DEV_USER_ROLES } from '../../../src/dev/identity/dev-identity-provider.ts';
import type { DevUser } from '../../../src/dev/identity/dev-identity-provider.ts';

/** The four demo people, as the emulator's demo school would provide them. */
export const DEV_USERS: DevUser[] = [
  { key: 'staff', id: 'dev-staff', displayName: 'Sam Staff', upn: 'sam@demo.example', roles: [] },
  {
    key: 'governor',
    id: 'dev-gov',
    displayName: 'Gil Governor',
    upn: 'gil@demo.example',
    roles: [],
  },
  {
    key: 'dsl',
    id: 'dev-dsl',
    displayName: 'Dana DSL',
    upn: 'dana@demo.example',
    roles: DEV_USER_ROLES.dsl,
  },
  {
    key: 'head',
    id: 'dev-head',
    displayName: 'Harriet Head',
    upn: 'harriet@demo.example',
    roles: DEV_USER_ROLES.head,
  },
];
