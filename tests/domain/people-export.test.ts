import { describe, expect, it } from 'vitest';
import {
  PEOPLE_EXPORT_HEADER,
  consentsInWords,
  peopleExportRow,
  type ExportContext,
} from '../../src/domain/people-export.ts';

const ctx: ExportContext = {
  timeZone: 'Europe/London',
  policyTitle: 'Staff AUP',
  versionName: (n) => (n === 2 ? '2026-27' : `version ${n}`),
  consentKeys: () => ['photo', 'newsletter'],
};

describe('people export', () => {
  it('writes a signature in words and UK school time, with its approval', () => {
    const row = peopleExportRow(
      {
        name: 'Siobhán Ní Bhriain',
        upn: 'sni@school.example',
        audiences: ['Staff', 'Governors'],
        status: {
          kind: 'rejected',
          versionNumber: 2,
          signedAt: '2026-07-03T17:35:10.123Z',
          comment: 'Use your own name',
        },
        signature: {
          versionNumber: 2,
          signedAt: '2026-07-03T17:35:10.123Z',
          typedName: 'S. Ni Bhriain',
          entraName: 'Siobhán Ní Bhriain',
          role: 'Governor',
          consents: { photo: false },
          approvalState: 'rejected',
          decision: {
            decision: 'rejected',
            approverName: 'Helen Head',
            additionalPermissions: [],
            comment: 'Use your own name',
          },
        },
      },
      ctx,
    );
    expect(row).toHaveLength(PEOPLE_EXPORT_HEADER.length);
    expect(Object.fromEntries(PEOPLE_EXPORT_HEADER.map((h, i) => [h, row[i]]))).toEqual({
      Name: 'Siobhán Ní Bhriain',
      UPN: 'sni@school.example',
      Audience: 'Staff, Governors',
      'Policy title': 'Staff AUP',
      'Version label': '2026-27',
      Status: 'Signed 2026-27 on 3 July 2026; the approver rejected it (Use your own name)',
      // British Summer Time in July; no seconds or milliseconds.
      'Signed at (school time)': '3 July 2026, 18:35 BST',
      'Typed name': 'S. Ni Bhriain',
      'Entra name': 'Siobhán Ní Bhriain',
      Role: 'Governor',
      Consents: 'photo: No; newsletter: Not answered',
      Approval: 'Rejected',
      Approver: 'Helen Head',
      Permissions: '',
      'Rejection reason': 'Use your own name',
    });
  });

  it('leaves the signature columns empty for someone who has not signed', () => {
    const row = peopleExportRow(
      {
        name: 'Ben Walsh',
        upn: 'ben@school.example',
        audiences: ['Staff'],
        status: {
          kind: 'overdue',
          reason: 'never-signed',
          versionNumber: 2,
          deadline: '2026-12-04T23:59:59.000Z',
        },
      },
      ctx,
    );
    expect(row.slice(4, 7)).toEqual([
      '2026-27',
      'Overdue: has not signed yet (2026-27 to sign); the deadline was 4 December 2026',
      '',
    ]);
    expect(row.slice(7).every((cell) => cell === '')).toBe(true);
  });

  it('lists consents in the version’s order, then any others answered', () => {
    expect(consentsInWords({ zeta: true, photo: true }, ['photo', 'newsletter'])).toBe(
      'photo: Yes; newsletter: Not answered; zeta: Yes',
    );
    expect(consentsInWords({}, [])).toBe('');
  });
});
