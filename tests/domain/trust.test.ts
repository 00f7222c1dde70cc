import { describe, expect, it } from 'vitest';
import { policyKeyOfAcknowledgementId } from '../../src/domain/acknowledgement.ts';
import type { School } from '../../src/domain/school.ts';
import {
  decideInSchool,
  policyInSchool,
  schoolsOfPerson,
  TRUST_SETTINGS_ID,
  trustAccessOf,
  trustOf,
  trustSettingsRow,
} from '../../src/domain/trust.ts';

function school(id: string, over: Partial<School> = {}): School {
  return {
    id,
    name: `${id} school`,
    timeZone: 'Europe/London',
    audiences: [],
    approverIds: [],
    adminIds: [],
    ...over,
  };
}

const ash = school('ash', {
  audiences: [
    { key: 'staff', label: 'Staff', groupIds: ['g-ash-staff'] },
    { key: 'governors', label: 'Governors', groupIds: ['g-ash-gov', 'g-trust-board'] },
  ],
  adminIds: ['ash-dsl'],
  approverIds: ['ash-head'],
  approversApprover: { id: 'ash-chair', name: 'Ash Chair' },
});
const birch = school('birch', {
  audiences: [{ key: 'staff', label: 'Staff', groupIds: ['g-birch-staff'] }],
  adminIds: ['birch-dsl', 'ash-head'],
  approverIds: ['birch-head'],
});
const trustRow = trustSettingsRow({ name: 'Oakwood Learning Trust', leadIds: ['ceo'] });

describe('a trust is the settings list: one row per school and one reserved row', () => {
  it('the reserved row gives the name and the leads; every other row is a school, in id order', () => {
    const trust = trustOf([birch, trustRow, ash]);
    expect(trust.settings).toEqual({ name: 'Oakwood Learning Trust', leadIds: ['ceo'] });
    expect(trust.schools.map((s) => s.id)).toEqual(['ash', 'birch']);
    expect(trustRow.id).toBe(TRUST_SETTINGS_ID);
  });

  it('a single school without the reserved row is a trust of one, with no lead', () => {
    const trust = trustOf([ash]);
    expect(trust.settings).toEqual({ name: 'ash school', leadIds: [] });
    expect(trust.schools).toEqual([ash]);
    expect(trustAccessOf(trust, 'ceo').trustLead).toBe(false);
  });

  it('the reserved row is checked as trust settings (a name, at most 50 leads)', () => {
    expect(() => trustSettingsRow({ name: ' ', leadIds: [] })).toThrow();
    const many = Array.from({ length: 51 }, (_, i) => `lead-${String(i)}`);
    expect(() => trustSettingsRow({ name: 'T', leadIds: many })).toThrow();
  });
});

describe('which schools a person belongs to: the schools whose audience groups they are in', () => {
  const trust = trustOf([ash, birch, trustRow]);
  it.each([
    [['g-ash-staff'], ['ash']],
    [
      ['g-birch-staff', 'g-trust-board'],
      ['ash', 'birch'],
    ],
    [['g-elsewhere'], []],
    [[], []],
  ])('groups %j → %j', (groups, schools) => {
    expect(schoolsOfPerson(trust, groups)).toEqual(schools);
  });
});

describe('roles per school, and the trust lead', () => {
  const trust = trustOf([ash, birch, trustRow]);
  it.each([
    ['ash-dsl', { trustLead: false, schools: { ash: ['Policy.Admin'] } }],
    ['ash-chair', { trustLead: false, schools: { ash: ['Policy.Approver'] } }],
    [
      'ash-head',
      { trustLead: false, schools: { ash: ['Policy.Approver'], birch: ['Policy.Admin'] } },
    ],
    ['ceo', { trustLead: true, schools: {} }],
    ['teacher', { trustLead: false, schools: {} }],
  ])('%s → %j', (person, access) => {
    expect(trustAccessOf(trust, person)).toEqual(access);
  });
});

describe('the authorisation matrix’s school dimension', () => {
  const trust = trustOf([ash, birch, trustRow]);
  const decide = (person: string, schoolId: string, intent: 'read' | 'change') =>
    decideInSchool(trustAccessOf(trust, person), schoolId, 'Policy.Admin', intent).kind;

  it('an admin of ash reads and changes ash, and is not told birch’s things exist', () => {
    expect(decide('ash-dsl', 'ash', 'read')).toBe('allowed');
    expect(decide('ash-dsl', 'ash', 'change')).toBe('allowed');
    expect(decide('ash-dsl', 'birch', 'read')).toBe('hidden');
    expect(decide('ash-dsl', 'birch', 'change')).toBe('hidden');
  });

  it('the trust lead reads every school and changes none', () => {
    for (const id of ['ash', 'birch']) {
      expect(decide('ceo', id, 'read')).toBe('allowed');
      expect(decide('ceo', id, 'change')).toBe('read-only');
    }
  });

  it('a role is the one asked for: ash’s approver is not an admin of ash', () => {
    expect(decide('ash-head', 'ash', 'read')).toBe('hidden');
    expect(decide('ash-head', 'birch', 'change')).toBe('allowed');
  });

  it('a policy is the school’s own when its schoolId says so; a signature’s policy is in its id', () => {
    expect(policyInSchool({ schoolId: 'ash' }, 'ash')).toBe(true);
    expect(policyInSchool({ schoolId: 'ash' }, 'birch')).toBe(false);
    expect(policyKeyOfAcknowledgementId('staff-aup:v2:user-1:r1')).toBe('staff-aup');
  });
});
