import { describe, expect, it } from 'vitest';
import { rolesIn } from '../../src/domain/school-roles.ts';

const school = {
  adminIds: ['dsl', 'office'],
  approverIds: ['head'],
  approversApprover: { id: 'chair', name: 'Margaret Ellison' },
};

describe('rolesIn: who administers and approves, from the school settings alone', () => {
  it.each([
    ['dsl', ['Policy.Admin']],
    ['office', ['Policy.Admin']],
    ['head', ['Policy.Approver']],
    ['chair', ['Policy.Approver']],
    ['teacher', []],
  ])('%s → %j', (person, roles) => {
    expect(rolesIn(school, person)).toEqual(roles);
  });

  it('an admin who also approves holds both roles, each once', () => {
    expect(rolesIn({ ...school, approverIds: ['head', 'dsl'] }, 'dsl')).toEqual([
      'Policy.Admin',
      'Policy.Approver',
    ]);
  });

  it('without a named approver of approvers nobody holds the role through it', () => {
    expect(rolesIn({ adminIds: [], approverIds: [] }, 'chair')).toEqual([]);
  });
});
