import { describe, expect, it } from 'vitest';
import {
  checkApprovalColumn,
  latestDecision,
  signedApprovalState,
} from '../../../src/domain/evidence/approval-evidence.ts';
import { acknowledgementRecord, decisionRecord } from './records.ts';

const pending = acknowledgementRecord('u1', { approvalAtSigning: 'pending' });
const approved = decisionRecord(pending, { id: 'd1', decidedAt: '2026-09-04T09:00:00.000Z' });
const rejectedLater = decisionRecord(pending, {
  id: 'd2',
  decision: 'rejected',
  decidedAt: '2026-09-05T09:00:00.000Z',
});
const subject = { list: 'acknowledgements' as const, id: pending.id };

describe('signedApprovalState', () => {
  it('is pending until a signed decision, then the latest decision', () => {
    expect(signedApprovalState(pending, [])).toBe('pending');
    expect(signedApprovalState(pending, [approved])).toBe('approved');
    expect(signedApprovalState(pending, [rejectedLater, approved])).toBe('rejected');
    expect(latestDecision(pending.id, [approved, rejectedLater])?.id).toBe('d2');
  });

  it('breaks a tie in time by decision id, and ignores other acknowledgements’ decisions', () => {
    const sameTime = { ...rejectedLater, id: 'd0', decidedAt: approved.decidedAt };
    expect(latestDecision(pending.id, [approved, sameTime])?.id).toBe('d1');
    const other = decisionRecord(acknowledgementRecord('u2'), { decision: 'rejected' });
    expect(signedApprovalState(pending, [other])).toBe('pending');
  });

  it('is not required when the signed acknowledgement says so, whatever decisions exist', () => {
    const free = acknowledgementRecord('u3');
    expect(signedApprovalState(free, [decisionRecord(free, { decision: 'rejected' })])).toBe(
      'not-required',
    );
  });
});

describe('checkApprovalColumn', () => {
  it('accepts a column that agrees with the signed records', () => {
    expect(checkApprovalColumn(pending, 'approved', [approved], subject)).toBeNull();
    expect(checkApprovalColumn(pending, 'pending', [], subject)).toBeNull();
  });

  it('calls “not required” of a signature that needed approval a bypass', () => {
    expect(checkApprovalColumn(pending, 'not-required', [], subject)).toMatchObject({
      code: 'approval-bypassed',
      column: 'not-required',
    });
  });

  it('calls any other disagreement a flip, including a cleared or nonsense column', () => {
    expect(checkApprovalColumn(pending, 'approved', [], subject)).toMatchObject({
      code: 'approval-flipped',
      column: 'approved',
      signed: 'pending',
    });
    expect(checkApprovalColumn(pending, 'pending', [approved], subject)).toMatchObject({
      code: 'approval-flipped',
      signed: 'approved',
    });
    expect(checkApprovalColumn(acknowledgementRecord('u3'), 'approved', [], subject)).toMatchObject(
      { code: 'approval-flipped', signed: 'not-required' },
    );
    expect(checkApprovalColumn(pending, '', [], subject)).toMatchObject({
      code: 'approval-flipped',
      column: '""',
    });
  });
});
