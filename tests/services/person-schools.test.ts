import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import type { School } from '../../src/domain/school.ts';
import { trustSettingsRow } from '../../src/domain/trust.ts';
import { createPersonSchools } from '../../src/services/person-schools.ts';

// Which school serves a person (issue 14, item 3): their schools by audience group or role, the
// one they name only if it is theirs, else where they hold the role asked for, else the
// deployment's own, else the first; nobody is served by a school they are not in.

function school(id: string, groupId: string, extra: Partial<School> = {}): School {
  return {
    id,
    name: `${id} school`,
    timeZone: 'Europe/London',
    audiences: [{ key: 'staff', label: 'Staff', groupIds: [groupId] }],
    approverIds: [],
    adminIds: [],
    ...extra,
  };
}

const rows: School[] = [
  trustSettingsRow({ name: 'Test Trust', leadIds: ['lead'] }),
  // The deployment's own school, then two more, out of id order on purpose.
  school('oak', 'g-oak', { adminIds: ['both-admin'] }),
  school('kingsmead', 'g-kings', {
    adminIds: ['kings-admin', 'both-admin'],
    approverIds: ['kings-head'],
  }),
  school('ash', 'g-ash', { adminIds: ['outside-admin'] }),
];

function setUp() {
  const directory = new MemoryDirectory({
    groups: [
      { id: 'g-oak', members: ['oak-teacher', 'both-teacher'] },
      // Kingsmead's staff group holds a nested group (Entra resolves it transitively).
      { id: 'g-kings', members: ['kings-teacher', 'g-kings-ta', 'both-teacher', 'kings-head'] },
      { id: 'g-kings-ta', members: ['kings-ta'] },
      { id: 'g-ash', members: [] },
    ],
  });
  let reads = 0;
  const counted = {
    listMemberships: (id: string) => {
      reads += 1;
      return directory.listMemberships(id);
    },
  };
  let now = 0;
  const people = createPersonSchools({
    rows: () => Promise.resolve(rows),
    directory: counted,
    clock: { now: () => new Date(now) },
    preferred: () => 'oak',
  });
  return {
    people,
    directory,
    reads: () => reads,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CountersignError) return { code: error.code, ...error.details };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('createPersonSchools', () => {
  it('a person belongs to the schools of their groups, nested ones included, and of their roles', async () => {
    const { people } = setUp();
    expect(await people.membershipsOf('kings-ta')).toEqual([
      { id: 'kingsmead', name: 'kingsmead school', roles: [] },
    ]);
    expect((await people.membershipsOf('both-teacher')).map((m) => m.id)).toEqual([
      'kingsmead',
      'oak',
    ]);
    // An admin in none of the school's groups belongs to it by the role.
    expect(await people.membershipsOf('outside-admin')).toEqual([
      { id: 'ash', name: 'ash school', roles: ['Policy.Admin'] },
    ]);
  });

  it('someone in one school is served there, with their roles there', async () => {
    const { people } = setUp();
    expect(await people.choose('kings-head', {})).toMatchObject({
      schoolId: 'kingsmead',
      roles: ['Policy.Approver'],
    });
    expect((await people.choose('kings-teacher', {})).schoolId).toBe('kingsmead');
  });

  it('someone in several: the school they name, else where they hold the role, else the deployment’s', async () => {
    const { people } = setUp();
    expect((await people.choose('both-teacher', {})).schoolId).toBe('oak');
    expect((await people.choose('both-teacher', { requested: 'kingsmead' })).schoolId).toBe(
      'kingsmead',
    );
    // An admin of two schools: the deployment's first, the other when named.
    expect(await people.choose('both-admin', { role: 'Policy.Admin' })).toMatchObject({
      schoolId: 'oak',
      roles: ['Policy.Admin'],
    });
    expect((await people.choose('both-admin', { requested: 'kingsmead' })).schoolId).toBe(
      'kingsmead',
    );
  });

  it('a school they are not in is refused, never served', async () => {
    const { people } = setUp();
    expect(await refusal(people.choose('kings-teacher', { requested: 'oak' }))).toEqual({
      code: 'forbidden',
      reason: 'not-in-school',
      school: 'oak',
    });
    expect(await refusal(people.choose('kings-teacher', { requested: '@trust' }))).toMatchObject({
      reason: 'not-in-school',
    });
  });

  it('someone in no school is refused with the reason; a trust lead in none is served without a role', async () => {
    const { people } = setUp();
    expect(await refusal(people.choose('stranger', {}))).toEqual({
      code: 'forbidden',
      reason: 'no-school',
    });
    expect(await people.choose('lead', {})).toEqual({
      schoolId: 'oak',
      roles: [],
      memberships: [],
    });
  });

  it('memberships are read once a minute at most: a new starter counts within it', async () => {
    const { people, directory, reads, advance } = setUp();
    expect(await refusal(people.choose('new-starter', {}))).toMatchObject({ reason: 'no-school' });
    directory.addMembers('g-kings', ['new-starter']);
    expect(await refusal(people.choose('new-starter', {}))).toMatchObject({ reason: 'no-school' });
    expect(reads()).toBe(1);
    advance(60_000);
    expect((await people.choose('new-starter', {})).schoolId).toBe('kingsmead');
    expect(reads()).toBe(2);
  });
});
