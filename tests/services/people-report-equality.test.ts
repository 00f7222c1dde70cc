import { describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { MemoryRecordStore } from '../../src/adapters/memory/memory-record-store.ts';
import { acknowledgementId, type Acknowledgement } from '../../src/domain/acknowledgement.ts';
import type { Approval } from '../../src/domain/approval.ts';
import type { AuditEvent } from '../../src/domain/audit-event.ts';
import { contentHash } from '../../src/domain/content-hash.ts';
import type { PersonStatus } from '../../src/domain/person-status.ts';
import type { AudienceKey, PolicyDocument } from '../../src/domain/policy-document.ts';
import type { Policy, PolicyVersion } from '../../src/domain/policy.ts';
import type { School } from '../../src/domain/school.ts';
import { sealAcknowledgement } from '../../src/domain/seal.ts';
import { computeStatus } from '../../src/domain/status.ts';
import { tallyStatuses } from '../../src/domain/status-counts.ts';
import type { Actor } from '../../src/services/actor.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import type { PeopleSort, PersonRow } from '../../src/services/countersign-service.ts';

/**
 * The people report of a generated school equals the report worked out person by person with
 * the one pure function (computeStatus, no memo, no shared basis): whatever the report does to
 * go faster (issue 13: the policy's part computed once, slices, snapshots) must not move a
 * single status or count. The school has what moves a status: four audiences (one not the
 * policy's), a nested group, material changes for some audiences only, a minor version, a
 * withdrawn version, renewals due and not, first-signature approvals pending, approved (with
 * permissions) and rejected, and a running campaign whose deadline has passed.
 */
const SEAL_KEY = 'test-seal-key-0123456789abcdef0123456789abcdef';
const POLICY = 'staff-aup';
const PEOPLE = 1_300;
const NOW = new Date('2026-11-23T10:00:00Z');

/** A small seeded generator (mulberry32), so the school is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const school: School = {
  id: 'generated',
  name: 'Generated Academy',
  timeZone: 'Europe/London',
  audiences: [
    { key: 'staff', label: 'Staff', groupIds: ['g-staff'] },
    { key: 'governor', label: 'Governors', groupIds: ['g-governors'] },
    { key: 'volunteer', label: 'Volunteers', groupIds: ['g-volunteers', 'g-helpers'] },
    { key: 'contractor', label: 'Contractors', groupIds: ['g-contractors'] },
  ],
  approverIds: ['u-head'],
  adminIds: ['u-admin'],
};
const policy: Policy = {
  key: POLICY,
  schoolId: school.id,
  title: 'Staff Acceptable Use Policy',
  audiences: ['staff', 'governor', 'volunteer'],
  renewal: { kind: 'anniversary', months: 12 },
  approvalMode: 'first-signature',
};

function documentWith(clauses: { staff: string; governor: string; volunteer: string }) {
  const document: PolicyDocument = {
    title: 'Staff Acceptable Use Policy',
    sections: [
      {
        heading: 'Using school systems',
        clauses: [
          { number: '1', text: 'I will only use school systems for school purposes.', items: [] },
          { number: '2', text: clauses.staff, audience: ['staff'], items: [] },
          { number: '3', text: clauses.governor, audience: ['governor'], items: [] },
          { number: '4', text: clauses.volunteer, audience: ['volunteer'], items: [] },
        ],
      },
    ],
    declaration: 'I have read, understood and agree to this policy.',
    consents: [],
    approval: { statement: 'I approve this user to be allocated credentials.' },
  };
  return document;
}

function version(
  number: number,
  status: PolicyVersion['status'],
  changeKind: PolicyVersion['changeKind'],
  clauses: { staff: string; governor: string; volunteer: string },
  publishedAt: string,
): PolicyVersion {
  const document = documentWith(clauses);
  return {
    policyKey: POLICY,
    number,
    label: `Version ${number}`,
    status,
    changeKind,
    publishedAt,
    document,
    contentHash: contentHash(document),
  };
}

const base = { staff: 'Staff A.', governor: 'Governors A.', volunteer: 'Volunteers A.' };
const versions: PolicyVersion[] = [
  version(1, 'retired', 'material', base, '2025-01-06T09:00:00.000Z'),
  // Material for governors only.
  version(
    2,
    'retired',
    'material',
    { ...base, governor: 'Governors B.' },
    '2025-04-01T09:00:00.000Z',
  ),
  // Minor: a wording fix for staff, nobody signs again.
  version(
    3,
    'retired',
    'minor',
    { ...base, governor: 'Governors B.', staff: 'Staff A2.' },
    '2025-09-01T09:00:00.000Z',
  ),
  // Material for staff, then withdrawn as published by mistake.
  version(
    4,
    'withdrawn',
    'material',
    { ...base, governor: 'Governors B.', staff: 'Staff C.' },
    '2026-02-01T09:00:00.000Z',
  ),
  // The current one: material for volunteers only.
  version(
    5,
    'published',
    'material',
    { ...base, governor: 'Governors B.', staff: 'Staff A2.', volunteer: 'Volunteers B.' },
    '2026-03-01T09:00:00.000Z',
  ),
];

const audit = (subject: string, n: number): AuditEvent => ({
  id: `evt-${n}`,
  type: 'policy.saved',
  actorId: 'u-admin',
  at: '2025-01-01T00:00:00.000Z',
  subject,
  details: {},
});

interface Generated {
  records: MemoryRecordStore;
  directory: MemoryDirectory;
  /** Each person's audiences of the policy, in the school's order, and their records. */
  people: Map<
    string,
    {
      displayName: string;
      audiences: AudienceKey[];
      acks: Acknowledgement[];
      approvals: Approval[];
    }
  >;
  deadline: string;
}

async function generateSchool(seed: number): Promise<Generated> {
  const random = seeded(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const records = new MemoryRecordStore();
  let events = 0;
  await records.putPolicy(policy);
  for (const v of versions)
    await records.createVersion(v, audit(`${POLICY}:v${v.number}`, ++events));
  const deadline = '2026-11-20T17:00:00.000Z';
  await records.createCampaign(
    {
      id: 'c-1',
      schoolId: school.id,
      policyKey: POLICY,
      versionNumber: 5,
      audiences: ['volunteer'],
      deadline,
      reminderDays: [3, 7],
      status: 'running',
      counts: { recipients: 0, sent: 0, failed: 0, signed: 0 },
      createdBy: 'u-admin',
      createdAt: '2026-11-01T09:00:00.000Z',
    },
    audit('c-1', ++events),
  );

  const groups = new Map<string, string[]>(
    ['g-staff', 'g-governors', 'g-volunteers', 'g-helpers', 'g-contractors', 'g-nested'].map(
      (id) => [id, []],
    ),
  );
  // A nested group: its people are staff through g-staff's transitive members.
  groups.get('g-staff')?.push('g-nested');
  const people: Generated['people'] = new Map();
  const directoryPeople = [];
  for (let i = 0; i < PEOPLE; i++) {
    const id = `u-${String(i).padStart(5, '0')}`;
    // Names repeat, so the sort's tie-break (the id) is exercised too.
    const displayName = `${pick(['Ana', 'Ben', 'Cara', 'Dev', 'Eli', 'Fay'])} ${pick(['Okafor', 'Walsh', 'Singh', 'Ng'])}`;
    directoryPeople.push({ id, displayName, userPrincipalName: `${id}@generated.example` });
    const inGroups = new Set<string>();
    const r = random();
    if (r < 0.55) inGroups.add(pick(['g-staff', 'g-nested']));
    else if (r < 0.7) inGroups.add('g-governors');
    else if (r < 0.85) inGroups.add(pick(['g-volunteers', 'g-helpers']));
    else if (r < 0.95) {
      inGroups.add('g-staff');
      inGroups.add(pick(['g-governors', 'g-volunteers', 'g-contractors']));
    } else inGroups.add('g-contractors');
    if (random() < 0.05) inGroups.add('g-helpers');
    for (const g of inGroups) groups.get(g)?.push(id);
    const transitive = new Set(inGroups);
    if (transitive.has('g-nested')) transitive.add('g-staff');
    const audiences = school.audiences
      .filter((a) => policy.audiences.includes(a.key) && a.groupIds.some((g) => transitive.has(g)))
      .map((a) => a.key);
    if (audiences.length === 0) continue;

    // Their signatures: none, or one to three of the versions people could sign.
    const acks: Acknowledgement[] = [];
    const approvals: Approval[] = [];
    const count = random() < 0.22 ? 0 : 1 + Math.floor(random() * 3);
    const signedVersions = [
      ...new Set(Array.from({ length: count }, () => pick([1, 2, 3, 4, 5]))),
    ].sort((a, b) => a - b);
    let at = Date.UTC(2025, 0, 10) + Math.floor(random() * 60 * 86_400_000);
    for (const number of signedVersions) {
      const v = versions[number - 1] as PolicyVersion;
      at = Math.max(at, Date.parse(v.publishedAt ?? '')) + Math.floor(random() * 200 * 86_400_000);
      if (at > NOW.getTime()) break;
      const renewals = random() < 0.1 ? 2 : 1;
      for (let renewal = 0; renewal < renewals; renewal++) {
        const signedAt = new Date(at + renewal * 370 * 86_400_000);
        if (signedAt.getTime() > NOW.getTime()) break;
        const fields = {
          policyKey: POLICY,
          versionNumber: number,
          contentHash: v.contentHash,
          userId: id,
          upn: `${id}@generated.example`,
          displayName,
          typedName: displayName,
          statedRole: 'Teaching assistant',
          signedAt: signedAt.toISOString(),
          channel: 'tab' as const,
          consents: {},
        };
        const ack: Acknowledgement = {
          ...fields,
          id: acknowledgementId(POLICY, number, id, renewal),
          approvalState: pick(['pending', 'approved', 'not-required', 'rejected', 'pending']),
          seal: sealAcknowledgement(fields, SEAL_KEY),
        };
        await records.recordSignature(ack, audit(ack.id, ++events));
        acks.push(ack);
        const decision = random();
        if (decision < 0.5) {
          const approval: Approval = {
            acknowledgementId: ack.id,
            userId: id,
            decision: pick(['pending', 'approved', 'approved', 'rejected']),
            additionalPermissions: random() < 0.3 ? ['Remote desktop'] : [],
            ...(random() < 0.3 ? { comment: 'Please sign the current version.' } : {}),
          };
          const stored =
            approval.decision === 'pending'
              ? approval
              : {
                  ...approval,
                  approverId: 'u-head',
                  decidedAt: new Date(signedAt.getTime() + 3_600_000).toISOString(),
                };
          await records.createApproval(stored);
          approvals.push(stored);
        }
      }
    }
    people.set(id, { displayName, audiences, acks, approvals });
  }
  const directory = new MemoryDirectory({
    people: directoryPeople,
    groups: [...groups].map(([id, members]) => ({ id, members })),
  });
  return { records, directory, people, deadline };
}

const admin: Actor = {
  id: 'u-admin',
  displayName: 'Ada Admin',
  upn: 'u-admin@generated.example',
  roles: ['Policy.Admin'],
};

describe('the people report of a generated school', () => {
  it('equals every status and count worked out person by person with computeStatus', async () => {
    const school1 = await generateSchool(20261123);
    const expected = new Map<string, PersonStatus>();
    for (const [id, person] of school1.people) {
      expected.set(
        id,
        computeStatus({
          policy,
          versions,
          acknowledgements: person.acks,
          approvals: person.approvals,
          personAudiences: person.audiences,
          timeZone: school.timeZone,
          now: NOW,
          deadline: school1.deadline,
        }),
      );
    }
    // The generated school has every kind of status worth pinning.
    const kinds = new Set(
      [...expected.values()].map((s) => `${s.kind}:${'reason' in s ? s.reason : ''}`),
    );
    expect([...kinds].sort()).toEqual([
      'awaiting-approval:',
      'overdue:material-change',
      'overdue:never-signed',
      'overdue:renewal',
      'rejected:',
      'signed:',
    ]);
    expect(
      [...expected.values()].some((s) => s.kind === 'signed' && s.standsFor !== undefined),
    ).toBe(true);
    expect(
      [...expected.values()].some(
        (s) => s.kind === 'signed' && s.additionalPermissions !== undefined,
      ),
    ).toBe(true);

    const service = createCountersignService({
      records: school1.records,
      directory: school1.directory,
      clock: { now: () => NOW },
      sealKey: SEAL_KEY,
      evidence: memoryEvidenceKeys(),
      school,
    });
    // Cold (read and computed), then warm (from the snapshot): the same report both times.
    for (const round of ['cold', 'warm']) {
      const rows: PersonRow[] = [];
      let cursor: string | undefined;
      let first;
      do {
        const page = await service.peopleStatus(admin, {
          policyKey: POLICY,
          pageSize: 500,
          ...(cursor === undefined ? {} : { cursor }),
        });
        first ??= page;
        rows.push(...page.rows);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(rows.map((row) => row.id).sort(), round).toEqual([...school1.people.keys()].sort());
      for (const row of rows) {
        const person = school1.people.get(row.id);
        const status = expected.get(row.id);
        expect({ id: row.id, status: row.statuses[POLICY] }, round).toEqual({ id: row.id, status });
        expect(row.audiences).toEqual(person?.audiences);
        const signedOn =
          status !== undefined && 'signedAt' in status
            ? person?.acks.find(
                (a) => a.versionNumber === status.versionNumber && a.signedAt === status.signedAt,
              )?.id
            : undefined;
        expect(row.signature?.acknowledgementId, row.id).toBe(signedOn);
      }
      const tally = tallyStatuses(
        [...school1.people].map(([id, person]) => ({
          audiences: person.audiences,
          kind: (expected.get(id) as PersonStatus).kind,
        })),
      );
      expect(first).toMatchObject({
        total: school1.people.size,
        totals: tally.byAudience,
        overall: tally.overall,
        people: tally.people,
      });
    }

    // Short pages near the start are picked without sorting everyone (pageInSlices' heap); each
    // must be exactly the slice of the whole order the 500-row pages (a full sort) give, for
    // every column either way (ties by name, then id: names repeat here).
    const ids = async (sort: PeopleSort, pageSize: number, offset: number) =>
      (
        await service.peopleStatus(admin, {
          policyKey: POLICY,
          sort,
          pageSize,
          ...(offset === 0
            ? {}
            : { cursor: Buffer.from(String(offset), 'utf8').toString('base64url') }),
        })
      ).rows.map((row) => row.id);
    for (const by of ['name', 'upn', 'audiences', 'status', 'signed'] as const) {
      for (const direction of ['ascending', 'descending'] as const) {
        const sort = { by, direction };
        const whole: string[] = [];
        for (let offset = 0; offset < school1.people.size; offset += 500) {
          whole.push(...(await ids(sort, 500, offset)));
        }
        expect(whole).toHaveLength(school1.people.size);
        for (const [offset, size] of [
          [0, 20],
          [20, 20],
          [137, 50],
          [0, 100],
        ] as const) {
          expect(await ids(sort, size, offset), `${by} ${direction} ${offset}`).toEqual(
            whole.slice(offset, offset + size),
          );
        }
      }
    }
  });
});
