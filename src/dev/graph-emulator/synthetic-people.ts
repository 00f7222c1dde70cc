import { demoId } from '../demo/demo-school.ts';
import type { DirectoryUser } from './directory.ts';

/**
 * Made-up people in bulk, for benchmarks and scale tests (a trust with 20,000 staff). Names are
 * combined from short lists; ids and UPNs are stable for a given prefix and index.
 */
const GIVEN = ['Amelia', 'Oliver', 'Isla', 'Harry', 'Ava', 'Noah', 'Mia', 'Jacob', 'Freya', 'Leo'];
const FAMILY = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Khan',
  'Davies',
  'Patel',
  'Evans',
];

export interface SyntheticPeopleOptions {
  /** Distinguishes one generated population from another (default 'person'). */
  prefix?: string;
  domain?: string;
  jobTitle?: string;
}

export function syntheticPeople(
  count: number,
  options: SyntheticPeopleOptions = {},
): DirectoryUser[] {
  const prefix = options.prefix ?? 'person';
  const domain = options.domain ?? 'trust.example';
  return Array.from({ length: count }, (_, index) => {
    const givenName = GIVEN[index % GIVEN.length] ?? 'Sam';
    const surname = `${FAMILY[Math.floor(index / GIVEN.length) % FAMILY.length] ?? 'Smith'}-${index}`;
    const userPrincipalName = `${prefix}.${index}@${domain}`;
    return {
      id: demoId(`synthetic:${userPrincipalName}`),
      displayName: `${givenName} ${surname}`,
      givenName,
      surname,
      userPrincipalName,
      mail: userPrincipalName,
      jobTitle: options.jobTitle ?? 'Teaching Assistant',
      department: 'Staff',
      officeLocation: null,
      accountEnabled: true,
    };
  });
}
