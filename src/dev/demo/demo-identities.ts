import { DEMO_SCHOOL } from './demo-school.ts';
import type { DemoPerson } from './demo-school.ts';
import { DEMO_TRUST } from './demo-trust.ts';
import { createDevIdentityProvider, DEV_USER_ROLES } from '../identity/dev-identity-provider.ts';
import type {
  DevIdentityProvider,
  DevIdentityProviderOptions,
  DevUser,
  DevUserKey,
} from '../identity/dev-identity-provider.ts';

function asDevUser(key: DevUserKey, person: DemoPerson | undefined): DevUser {
  if (person === undefined) throw new Error(`The demo school has no one to be "${key}".`);
  return {
    key,
    id: person.id,
    displayName: person.displayName,
    upn: person.userPrincipalName,
    roles: DEV_USER_ROLES[key],
  };
}

/**
 * The user switcher's four people, taken from the demo school the emulator is seeded with, so
 * a dev token's `oid` is a person the (emulated) directory knows: a class teacher, the chair of
 * governors, the DSL (Policy.Admin) and the headteacher (Policy.Approver).
 */
export function demoDevUsers(): DevUser[] {
  return [
    asDevUser(
      'staff',
      DEMO_SCHOOL.staff.find((p) => p.team === 'teaching'),
    ),
    asDevUser('governor', DEMO_SCHOOL.governors[0]),
    asDevUser('dsl', DEMO_SCHOOL.dsl),
    asDevUser('head', DEMO_SCHOOL.headteacher),
  ];
}

/**
 * The demo trust's lead, each of its schools' admins (the DSL), smallest school first, and the
 * teacher in two schools (Kingsmead and Hazel Lane), who gets the School picker.
 */
export function demoTrustDevUsers(): DevUser[] {
  const [hazelLane, kingsmead, northfield] = DEMO_TRUST.schools;
  return [
    asDevUser('trust-lead', DEMO_TRUST.trustLead),
    asDevUser('hazel-lane-admin', hazelLane.admin),
    asDevUser('kingsmead-admin', kingsmead.admin),
    asDevUser('northfield-admin', northfield.admin),
    asDevUser('shared-teacher', DEMO_TRUST.sharedTeacher),
  ];
}

/**
 * The dev identity provider for a local run: the demo school's people and tenant id, and with
 * `trust` the demo trust's lead and school admins too.
 */
export function createDemoIdentityProvider(
  options: Omit<DevIdentityProviderOptions, 'users' | 'tenantId'> & { trust?: boolean } = {},
): Promise<DevIdentityProvider> {
  const { trust, ...rest } = options;
  return createDevIdentityProvider({
    ...rest,
    users: [...demoDevUsers(), ...(trust === true ? demoTrustDevUsers() : [])],
    tenantId: DEMO_SCHOOL.tenantId,
  });
}
