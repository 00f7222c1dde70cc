import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PERMISSION_CHOICES,
  normalisePermissions,
  permissionChoicesOf,
} from '../../src/domain/additional-permissions.ts';
import {
  approvalRecipients,
  approvalRoute,
  decisionAuthority,
  describeApprover,
} from '../../src/domain/approval-route.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import { schoolSchema } from '../../src/domain/school.ts';

const chair = { id: 'u-chair', name: 'Margaret Ellison', role: 'Chair of Governors' };
const lone = { approverIds: ['u-head'] };
const named = { approverIds: ['u-head'], approversApprover: chair };
const twoHeads = { approverIds: ['u-head', 'u-deputy'] };

const approver = (id: string) => ({ id, holdsApproverRole: true });
const noRole = (id: string) => ({ id, holdsApproverRole: false });

describe('approvalRoute', () => {
  it('sends an ordinary signature to every approver', () => {
    expect(approvalRoute(twoHeads, 'u-teacher')).toEqual({
      kind: 'approvers',
      notify: ['u-head', 'u-deputy'],
    });
  });

  it('sends an approver’s own signature to the named approver only', () => {
    const route = approvalRoute({ ...twoHeads, approversApprover: chair }, 'u-head');
    expect(route).toEqual({ kind: 'named', approver: chair });
    expect(approvalRecipients(route)).toEqual(['u-chair']);
  });

  it('without a named approver, to the other approvers; with none, to nobody', () => {
    expect(approvalRecipients(approvalRoute(twoHeads, 'u-head'))).toEqual(['u-deputy']);
    const nobody = approvalRoute(lone, 'u-head');
    expect(nobody).toEqual({ kind: 'nobody' });
    expect(approvalRecipients(nobody)).toEqual([]);
  });

  it('never routes a named approver’s own signature to themselves', () => {
    const selfNamed = {
      approverIds: ['u-head', 'u-deputy'],
      approversApprover: { id: 'u-head', name: 'H' },
    };
    expect(approvalRecipients(approvalRoute(selfNamed, 'u-head'))).toEqual(['u-deputy']);
  });
});

describe('decisionAuthority', () => {
  it('refuses everyone their own signature, approvers and the named approver alike', () => {
    expect(decisionAuthority(named, approver('u-head'), 'u-head')).toMatchObject({
      allowed: false,
      reason: 'own-signature',
    });
    expect(decisionAuthority(named, approver('u-chair'), 'u-chair')).toMatchObject({
      allowed: false,
      reason: 'own-signature',
    });
  });

  it('lets the named approver, and only her, decide on the headteacher’s signature', () => {
    expect(decisionAuthority(named, approver('u-chair'), 'u-head')).toEqual({ allowed: true });
    // Her authority comes from the school's settings, not from holding the role.
    expect(decisionAuthority(named, noRole('u-chair'), 'u-head')).toEqual({ allowed: true });
    const other = decisionAuthority(
      { ...named, approverIds: ['u-head', 'u-deputy'] },
      approver('u-deputy'),
      'u-head',
    );
    expect(other).toMatchObject({ allowed: false, reason: 'named-approver-only' });
    if (!other.allowed) expect(other.message).toContain('Margaret Ellison (Chair of Governors)');
  });

  it('keeps the named approver out of ordinary staff signatures', () => {
    expect(decisionAuthority(named, approver('u-chair'), 'u-teacher')).toMatchObject({
      allowed: false,
      reason: 'not-an-approver',
    });
    expect(decisionAuthority(named, approver('u-head'), 'u-teacher')).toEqual({ allowed: true });
  });

  it('needs the approver role for an ordinary signature', () => {
    expect(decisionAuthority(named, noRole('u-teacher2'), 'u-teacher')).toMatchObject({
      allowed: false,
      reason: 'not-an-approver',
    });
  });

  it('says so when nobody can approve a lone approver’s signature', () => {
    expect(decisionAuthority(lone, approver('u-other'), 'u-head')).toMatchObject({
      allowed: false,
      reason: 'nobody-named',
    });
  });
});

describe('additional permissions', () => {
  it('offers the school’s list, or the defaults', () => {
    expect(permissionChoicesOf({})).toEqual(DEFAULT_PERMISSION_CHOICES);
    expect(permissionChoicesOf({ permissionChoices: ['MIS admin'] })).toEqual(['MIS admin']);
  });

  it('records listed choices as listed and keeps free text, without blanks or repeats', () => {
    expect(
      normalisePermissions(
        ['remote ACCESS', ' Remote access ', '', 'Door  entry fob', 'MIS admin'],
        ['Remote access', 'MIS admin'],
      ),
    ).toEqual(['Remote access', 'Door entry fob', 'MIS admin']);
  });

  it('refuses a permission too long to record, as a validation error', () => {
    expect(() => normalisePermissions(['x'.repeat(201)], [])).toThrow(CountersignError);
  });

  it('describes a named approver with the role when the school gives one', () => {
    expect(describeApprover(chair)).toBe('Margaret Ellison (Chair of Governors)');
    expect(describeApprover({ id: 'x', name: 'Sam Deputy' })).toBe('Sam Deputy');
  });
});

describe('the school’s settings', () => {
  const base = { id: 's', name: 'S', audiences: [], approverIds: ['u-head'] };

  it('accepts a named approver and a permission list, both optional', () => {
    expect(schoolSchema.parse(base).approversApprover).toBeUndefined();
    const parsed = schoolSchema.parse({
      ...base,
      approversApprover: chair,
      permissionChoices: ['MIS admin', 'Remote access'],
    });
    expect(parsed.approversApprover).toEqual(chair);
    expect(parsed.permissionChoices).toEqual(['MIS admin', 'Remote access']);
  });

  it('refuses a choice with a comma (a card answers with the choices joined by commas)', () => {
    expect(schoolSchema.safeParse({ ...base, permissionChoices: ['A, B'] }).success).toBe(false);
    expect(schoolSchema.safeParse({ ...base, approversApprover: { id: 'x' } }).success).toBe(false);
  });
});
