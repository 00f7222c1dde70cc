import type { Acknowledgement } from '../../../src/domain/acknowledgement.ts';
import type { Approval } from '../../../src/domain/approval.ts';
import type { Campaign } from '../../../src/domain/campaign.ts';
import { diffDocuments } from '../../../src/domain/policy-diff.ts';
import { CountersignError } from '../../../src/domain/errors.ts';
import { typedNameDiffers } from '../../../src/domain/name-match.ts';
import type { Policy, PolicyVersion } from '../../../src/domain/policy.ts';
import type { PolicyDocument } from '../../../src/domain/policy-document.ts';
import type { CampaignApi } from '../../../src/api/campaign-api.ts';
import { parseCsv } from './parse-csv.ts';
import type { Actor, AppRole } from '../../../src/services/actor.ts';
import type {
  CountersignService,
  PendingApproval,
} from '../../../src/services/countersign-service.ts';
import { emptyStatusCounts } from '../../../src/domain/status-counts.ts';
import { PEOPLE } from './tokens.ts';

/**
 * An in-memory CountersignService for API tests: real behaviour for what the API relies on
 * (idempotent signing, outdated versions, role checks like the real service), and a log of
 * which actor each call acted as.
 */
export const POLICY_KEY = 'staff-aup';

export const DOCUMENT: PolicyDocument = {
  title: 'Staff Acceptable Use Policy',
  sections: [
    {
      heading: 'Using school systems',
      clauses: [{ number: '1', text: 'I will keep my password private.', items: [] }],
    },
  ],
  declaration: 'I have read, understood and agreed to this policy.',
  consents: [{ key: 'photo', text: 'The school may use my photograph.' }],
  approval: { statement: 'I approve this user to be allocated credentials.' },
};

export const POLICY: Policy = {
  key: POLICY_KEY,
  schoolId: 'demo',
  title: 'Staff AUP',
  audiences: ['staff'],
  renewal: { kind: 'anniversary', months: 12 },
  approvalMode: 'first-signature',
};

const hash = (c: string) => c.repeat(64);

export function version(number: number, status: PolicyVersion['status']): PolicyVersion {
  return {
    policyKey: POLICY_KEY,
    number,
    label: `Version ${number}`,
    status,
    changeKind: 'material',
    ...(status === 'draft' ? {} : { publishedAt: '2026-09-01T08:00:00.000Z' }),
    document: DOCUMENT,
    contentHash: hash(String(number)),
  };
}

/** A signature of version 1 by Sam (PEOPLE.staff): the signed-text route's own-or-admin test. */
export const STAFF_PAST_ACK = `${POLICY_KEY}:v1:aaaaaaaa-0000-4000-8000-000000000001`;
const STAFF_PAST_OWNER = 'aaaaaaaa-0000-4000-8000-000000000001';

export const CURRENT_VERSION = 2;
export const CURRENT_HASH = hash('2');

export interface Call {
  method: string;
  actorId: string;
}

function requireRole(actor: Actor, role: AppRole): void {
  if (!actor.roles.includes(role)) throw new CountersignError('forbidden', `Needs ${role}.`);
}

export interface FakeService extends CountersignService {
  calls: Call[];
  acks: Acknowledgement[];
  approvals: Approval[];
  csv: string;
}

export function createFakeService(): FakeService {
  const versions = [
    version(1, 'retired'),
    version(CURRENT_VERSION, 'published'),
    version(3, 'draft'),
  ];
  const acks: Acknowledgement[] = [];
  const approvals: Approval[] = [
    {
      acknowledgementId: `${POLICY_KEY}:v2:new-starter`,
      userId: 'new-starter',
      decision: 'pending',
      additionalPermissions: [],
    },
  ];
  const calls: Call[] = [];
  const log = (method: string, actor: Actor) => calls.push({ method, actorId: actor.id });
  const findVersion = (key: string, n: number) => {
    const v = key === POLICY_KEY ? versions.find((x) => x.number === n) : undefined;
    if (!v) throw new CountersignError('not-found', `There is no version ${n} of "${key}".`);
    return v;
  };
  const service: FakeService = {
    calls,
    acks,
    approvals,
    csv: 'Name,Role\r\nPlain,staff\r\n',
    repairRecords() {
      return Promise.resolve({
        signaturesChecked: 0,
        auditEventsRecreated: [],
        approvalsCreated: [],
        approvalRequestsQueued: [],
        policyEventsRecreated: [],
        skipped: [],
      });
    },
    recordsCheckRunner: {
      runIfDue: () => Promise.resolve(null),
      latest: () =>
        Promise.resolve({ check: null, line: 'Records check: not run yet.', details: [] }),
    },
    evidencePdf(actor, request) {
      log('evidencePdf', actor);
      requireRole(actor, 'Policy.Admin');
      findVersion(request.policyKey, CURRENT_VERSION);
      return Promise.resolve({
        bytes: new TextEncoder().encode('%PDF-1.7\n%%EOF\n'),
        fileName: `evidence-${request.policyKey}.pdf`,
        ok: true,
      });
    },
    trust: fakeTrust(log),
    approvalRequests(actor) {
      log('approvalRequests', actor);
      requireRole(actor, 'Policy.Admin');
      return Promise.resolve([]);
    },
    resendApprovalRequest(actor, acknowledgementId) {
      log(`resendApprovalRequest ${acknowledgementId}`, actor);
      requireRole(actor, 'Policy.Admin');
      return Promise.resolve({ queued: 0 });
    },
    approvalsNotReached() {
      return Promise.resolve(0);
    },
    recordsCheck(actor) {
      log('recordsCheck', actor);
      requireRole(actor, 'Policy.Admin');
      return Promise.resolve({ check: null, line: 'Records check: not run yet.', details: [] });
    },
    myPolicies(actor) {
      log('myPolicies', actor);
      return Promise.resolve([
        {
          policy: POLICY,
          version: findVersion(POLICY_KEY, CURRENT_VERSION),
          status: { kind: 'due', reason: 'never-signed', versionNumber: CURRENT_VERSION },
        },
      ]);
    },
    getVersion(actor, key, n) {
      log('getVersion', actor);
      return Promise.resolve(findVersion(key, n));
    },
    whatChanged(actor, key) {
      log('whatChanged', actor);
      findVersion(key, CURRENT_VERSION);
      return Promise.resolve({
        fromVersion: 1,
        toVersion: 2,
        summary: '1 reworded',
        diff: diffDocuments(DOCUMENT, DOCUMENT),
      });
    },
    sign(actor, input) {
      log('sign', actor);
      const current = findVersion(input.policyKey, CURRENT_VERSION);
      if (input.versionNumber !== current.number || input.contentHash !== current.contentHash) {
        return Promise.resolve({ kind: 'outdated' as const, current });
      }
      const id = `${input.policyKey}:v${input.versionNumber}:${actor.id}`;
      const existing = acks.find((a) => a.id === id);
      if (existing)
        return Promise.resolve({
          kind: 'signed' as const,
          acknowledgement: existing,
          created: false,
        });
      const ack: Acknowledgement = {
        id,
        policyKey: input.policyKey,
        versionNumber: input.versionNumber,
        contentHash: current.contentHash,
        userId: actor.id,
        upn: actor.upn,
        displayName: actor.displayName,
        typedName: input.typedName,
        statedRole: input.statedRole,
        signedAt: '2026-11-23T10:00:00.000Z',
        channel: input.channel,
        consents: input.consents,
        approvalState: 'not-required',
        seal: hash('a'),
      };
      acks.push(ack);
      return Promise.resolve({ kind: 'signed' as const, acknowledgement: ack, created: true });
    },
    myHistory(actor) {
      log('myHistory', actor);
      return Promise.resolve(
        acks
          .filter((a) => a.userId === actor.id)
          .map((a) => ({
            ...a,
            versionLabel: `Version ${a.versionNumber}`,
            versionTitle: DOCUMENT.title,
          })),
      );
    },
    signedText(actor, id) {
      log('signedText', actor);
      // The service's rule (person-record.ts): the signer's own, or anyone's for an admin.
      if (
        id !== STAFF_PAST_ACK ||
        (actor.id !== STAFF_PAST_OWNER && !actor.roles.includes('Policy.Admin'))
      ) {
        throw new CountersignError('not-found', 'There is no such signature.');
      }
      const v1 = findVersion(POLICY_KEY, 1);
      return Promise.resolve({
        acknowledgement: {
          id,
          policyKey: POLICY_KEY,
          versionNumber: 1,
          contentHash: v1.contentHash,
          userId: STAFF_PAST_OWNER,
          upn: 'sam.staff@school.example',
          displayName: 'Sam Staff',
          typedName: 'Sam Staff',
          statedRole: 'Teacher',
          signedAt: '2026-09-02T08:00:00.000Z',
          channel: 'tab',
          consents: {},
          approvalState: 'not-required',
          seal: CURRENT_HASH,
        },
        policyTitle: POLICY.title,
        version: v1,
        signedAtLocal: '2 September 2026, 09:00 BST',
        textMatchesSignature: true,
      });
    },
    school(actor) {
      log('school', actor);
      return {
        name: 'Demo School',
        audiences: [{ key: 'staff', label: 'Staff' }],
        permissionChoices: ['Admin rights', 'Remote access'],
      };
    },
    createPolicy(actor, input) {
      log('createPolicy', actor);
      requireRole(actor, 'Policy.Admin');
      if (input.key === POLICY_KEY) {
        throw new CountersignError(
          'conflict',
          `A policy with the key "${input.key}" already exists.`,
        );
      }
      return Promise.resolve({
        key: input.key,
        schoolId: 'demo',
        title: input.title,
        audiences: input.audiences,
        renewal: input.renewal ?? { kind: 'fixed-date', month: 9, day: 1 },
        approvalMode: input.approvalMode ?? 'first-signature',
      });
    },
    listPolicies(actor) {
      log('listPolicies', actor);
      requireRole(actor, 'Policy.Admin');
      return Promise.resolve([{ policy: POLICY, versions }]);
    },
    saveDraft(actor, input) {
      log('saveDraft', actor);
      requireRole(actor, 'Policy.Admin');
      findVersion(input.policyKey, CURRENT_VERSION);
      const draft = {
        ...version(3, 'draft'),
        label: input.label,
        changeKind: input.changeKind,
        document: input.document,
      };
      return Promise.resolve(draft);
    },
    previewPublish(actor, key, n) {
      log('previewPublish', actor);
      requireRole(actor, 'Policy.Admin');
      findVersion(key, n);
      return Promise.resolve({
        fromVersion: CURRENT_VERSION,
        summary: 'no changes',
        diff: diffDocuments(DOCUMENT, DOCUMENT),
      });
    },
    publish(actor, key, n) {
      log('publish', actor);
      requireRole(actor, 'Policy.Admin');
      const v = findVersion(key, n);
      if (v.status !== 'draft')
        throw new CountersignError('conflict', `Version ${n} is not a draft.`);
      return Promise.resolve({
        ...v,
        status: 'published',
        publishedAt: '2026-11-23T10:00:00.000Z',
      });
    },
    publishPreview(actor, key, n) {
      log('publishPreview', actor);
      requireRole(actor, 'Policy.Admin');
      const v = findVersion(key, n);
      return Promise.resolve({
        versionNumber: n,
        label: v.label,
        changeKind: v.changeKind,
        fromVersion: CURRENT_VERSION,
        summary: 'no changes',
        diff: diffDocuments(DOCUMENT, DOCUMENT),
        audiences: [
          {
            audience: 'staff',
            label: 'Staff',
            people: 3,
            mustSignAgain: 2,
            stillToSign: 1,
            signedAgain: 0,
          },
        ],
      });
    },
    withdrawPreview(actor, key, n) {
      log('withdrawPreview', actor);
      requireRole(actor, 'Policy.Admin');
      const v = findVersion(key, n);
      if (n !== CURRENT_VERSION) {
        throw new CountersignError('conflict', `Version ${n} is not the current version.`);
      }
      return Promise.resolve({
        withdrawn: v,
        restored: { ...findVersion(key, n - 1), status: 'published' },
        audiences: [],
      });
    },
    withdraw(actor, key, n) {
      log('withdraw', actor);
      requireRole(actor, 'Policy.Admin');
      const v = findVersion(key, n);
      if (n !== CURRENT_VERSION) {
        throw new CountersignError('conflict', `Version ${n} is not the current version.`);
      }
      return Promise.resolve({
        withdrawn: { ...v, status: 'withdrawn' },
        restored: { ...findVersion(key, n - 1), status: 'published' },
        audiences: [],
      });
    },
    peopleStatus(actor, query) {
      log('peopleStatus', actor);
      requireRole(actor, 'Policy.Admin');
      findVersion(query.policyKey, CURRENT_VERSION);
      return Promise.resolve({
        rows: [],
        total: 0,
        totals: {},
        overall: emptyStatusCounts(),
        people: 0,
      });
    },
    personRecord(actor, key, userId) {
      log('personRecord', actor);
      requireRole(actor, 'Policy.Admin');
      findVersion(key, CURRENT_VERSION);
      return Promise.resolve({
        person: {
          id: userId,
          displayName: 'Sam Staff',
          upn: 'sam.staff@school.example',
          audiences: ['Staff'],
        },
        policy: { key, title: POLICY.title },
        status: { kind: 'due', reason: 'never-signed', versionNumber: CURRENT_VERSION },
        statusWords: 'Has not signed yet (Version 2 to sign)',
        signatures: [],
      });
    },
    exportPeopleRows(actor, query) {
      log('exportPeopleRows', actor);
      requireRole(actor, 'Policy.Admin');
      findVersion(query.policyKey, CURRENT_VERSION);
      // The canned export is CSV text, easier to read in a test; the service returns rows.
      return Promise.resolve(parseCsv(service.csv));
    },
    pendingApprovals(actor) {
      log('pendingApprovals', actor);
      requireRole(actor, 'Policy.Approver');
      // As the real service: each pending decision with its signature and the name check.
      const pending: PendingApproval[] = approvals
        .filter((a) => a.decision === 'pending')
        .flatMap((approval) => {
          const acknowledgement = acks.find((a) => a.id === approval.acknowledgementId);
          if (acknowledgement === undefined) return [];
          return [
            {
              approval,
              acknowledgement,
              etag: '"1"',
              typedNameDiffers: typedNameDiffers(
                acknowledgement.typedName,
                acknowledgement.displayName,
              ),
            },
          ];
        });
      return Promise.resolve(pending);
    },
    decide(actor, input) {
      log('decide', actor);
      requireRole(actor, 'Policy.Approver');
      const current = approvals.find((a) => a.acknowledgementId === input.acknowledgementId);
      if (!current)
        throw new CountersignError('not-found', 'There is no approval for that signature.');
      if (current.decision !== 'pending')
        throw new CountersignError('conflict', 'Already decided.');
      current.decision = input.decision;
      current.approverId = actor.id;
      current.additionalPermissions = input.additionalPermissions;
      if (input.comment !== undefined) current.comment = input.comment;
      return Promise.resolve({ ...current });
    },
    assertDecidable(actor, acknowledgementId) {
      log('assertDecidable', actor);
      requireRole(actor, 'Policy.Approver');
      const current = approvals.find((a) => a.acknowledgementId === acknowledgementId);
      if (!current)
        throw new CountersignError('not-found', 'There is no approval for that signature.');
      return Promise.resolve();
    },
  };
  return service;
}

export function createFakeCampaigns(calls: Call[]): CampaignApi {
  const campaign = (status: Campaign['status']): Campaign => ({
    id: 'c1',
    schoolId: 'demo',
    policyKey: POLICY_KEY,
    versionNumber: CURRENT_VERSION,
    audiences: ['staff'],
    deadline: '2026-12-01T17:00:00.000Z',
    reminderDays: [3, 7, 14],
    status,
    counts: { recipients: 10, sent: 0, failed: 0, signed: 0 },
    createdBy: 'someone',
    createdAt: '2026-11-23T10:00:00.000Z',
  });
  const act = (method: string, actor: Actor, id?: string) => {
    calls.push({ method, actorId: actor.id });
    requireRole(actor, 'Policy.Admin');
    if (id !== undefined && id !== 'c1')
      throw new CountersignError('not-found', 'No such campaign.');
  };
  return {
    personDeliveries: (actor, policyKey) => {
      act('personDeliveries', actor);
      if (policyKey !== POLICY_KEY) throw new CountersignError('not-found', 'No such policy.');
      return Promise.resolve({
        deliveries: [
          {
            jobId: 'c1',
            kind: 'prompt' as const,
            what: 'Campaign: the card asking them to sign',
            versionNumber: CURRENT_VERSION,
            campaignId: 'c1',
            state: 'sent' as const,
            outcome: 'Sent',
            at: '2026-11-23T10:05:00.000Z',
            atLocal: '23 November 2026, 10:05 GMT',
            deadlineLocal: '1 December 2026, 17:00 GMT',
          },
        ],
        notes: [],
      });
    },
    launchTrust: (actor, policyKey) => {
      calls.push({ method: 'launchTrust', actorId: actor.id });
      // As the real launch: the trust's settings name the lead (here, the approver).
      if (actor.id !== PEOPLE.approver.oid) {
        throw new CountersignError('forbidden', 'This needs the trust lead role.');
      }
      return Promise.resolve({
        policyKey,
        schools: [
          {
            schoolId: 'demo',
            schoolName: 'Demo School',
            kind: 'launched' as const,
            campaign: { ...campaign('running'), createdBy: actor.id },
          },
        ],
      });
    },
    launch: (actor, input) => {
      act('launch', actor);
      return Promise.resolve({ ...campaign('running'), ...input, createdBy: actor.id });
    },
    list: (actor) => {
      act('list', actor);
      return Promise.resolve([
        {
          campaign: campaign('running'),
          delivery: { queued: 3, inFlight: 1, sent: 5, failed: 1, skipped: 2, total: 12 },
          reasons: { 'already-signed': 2, blocked: 1 },
          deliveryRecords: { kind: 'kept' as const },
        },
      ]);
    },
    pause: (actor, id) => {
      act('pause', actor, id);
      return Promise.resolve(campaign('paused'));
    },
    resume: (actor, id) => {
      act('resume', actor, id);
      return Promise.resolve(campaign('running'));
    },
    cancel: (actor, id) => {
      act('cancel', actor, id);
      return Promise.resolve(campaign('cancelled'));
    },
    recover: (actor, id) => {
      act('recover', actor, id);
      return Promise.resolve({ campaign: campaign('running'), queued: 7, mayGetSecondCard: 5 });
    },
    previewCard: (actor, policyKey, versionNumber) => {
      act('previewCard', actor);
      return Promise.resolve({
        type: 'message' as const,
        summary: `Please sign ${policyKey} v${versionNumber}`,
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: { type: 'AdaptiveCard', version: '1.5', body: [] },
          },
        ],
      });
    },
    sendTest: (actor) => {
      act('sendTest', actor);
      return Promise.resolve({ jobId: 'test/1' });
    },
  };
}

/** The trust's master policy in the fake (issue 14). */
export const TRUST_POLICY_KEY = 'trust-aup';

/**
 * The trust's calls as the real service decides them: the trust lead (in the fake, the approver:
 * the head of the trust's lead school) drafts and publishes the master; a Policy.Admin publishes
 * their own school's ('demo') variant only; the list is the lead's or an admin's.
 */
function fakeTrust(log: (method: string, actor: Actor) => void): CountersignService['trust'] {
  const lead = (actor: Actor) => {
    if (actor.id !== PEOPLE.approver.oid) {
      throw new CountersignError('forbidden', 'This needs the trust lead role.');
    }
  };
  const trustPolicy: Policy = {
    ...POLICY,
    key: TRUST_POLICY_KEY,
    schoolId: 'trust',
    scope: 'trust',
  };
  const master = { ...version(1, 'published'), policyKey: TRUST_POLICY_KEY };
  return {
    list(actor) {
      log('trust.list', actor);
      if (actor.id !== PEOPLE.approver.oid) requireRole(actor, 'Policy.Admin');
      return Promise.resolve([{ policy: trustPolicy, versions: [master], schools: [] }]);
    },
    create(actor, input) {
      log('trust.create', actor);
      lead(actor);
      return Promise.resolve({ ...trustPolicy, key: input.key, title: input.title });
    },
    saveMasterDraft(actor, input) {
      log('trust.saveMasterDraft', actor);
      lead(actor);
      return Promise.resolve({ ...version(2, 'draft'), policyKey: input.policyKey });
    },
    publishMaster(actor, policyKey) {
      log('trust.publishMaster', actor);
      lead(actor);
      return Promise.resolve({ master: { ...master, policyKey }, schools: [] });
    },
    publishVariant(actor, input) {
      log('trust.publishVariant', actor);
      requireRole(actor, 'Policy.Admin');
      if (input.schoolId !== 'demo') {
        throw new CountersignError(
          'forbidden',
          `This needs the Policy.Admin role of ${input.schoolId}.`,
        );
      }
      return Promise.resolve({
        schoolId: input.schoolId,
        policyKey: `${input.policyKey}--${input.schoolId}`,
        published: {
          number: 2,
          label: 'Version 1 · Demo variant 1',
          changeKind: input.changeKind,
          contentHash: hash('d'),
        },
        askedToSignAgain: input.changeKind === 'material',
      });
    },
    masterPublishPreview(actor, _policyKey, versionNumber) {
      log('trust.masterPublishPreview', actor);
      lead(actor);
      return Promise.resolve({
        versionNumber,
        label: '2027-28',
        changeKind: 'material' as const,
        fromVersion: 1,
        summary: 'No changes',
        diff: diffDocuments(DOCUMENT, DOCUMENT),
        schools: [
          {
            schoolId: 'demo',
            schoolName: 'Demo',
            label: '2027-28 · Demo',
            changeKind: 'material' as const,
            audiences: [],
          },
        ],
      });
    },
    masterWithdrawalPreview(actor, policyKey) {
      log('trust.masterWithdrawalPreview', actor);
      lead(actor);
      return Promise.resolve({
        withdrawn: { ...master, policyKey, number: 2 },
        restored: { ...master, policyKey },
        schools: [
          {
            schoolId: 'demo',
            schoolName: 'Demo',
            withdrawn: [{ number: 2, label: '2027-28 · Demo' }],
            restored: { number: 1, label: '2026-27 · Demo', masterVersion: 1 },
          },
        ],
      });
    },
    withdrawMaster(actor, policyKey) {
      log('trust.withdrawMaster', actor);
      lead(actor);
      return Promise.resolve({
        withdrawn: { ...master, policyKey, status: 'withdrawn' as const },
        restored: { ...master, policyKey },
        schools: [],
      });
    },
    variantPreview(actor, input) {
      log('trust.variantPreview', actor);
      requireRole(actor, 'Policy.Admin');
      if (input.schoolId !== 'demo') {
        throw new CountersignError(
          'forbidden',
          `This needs the Policy.Admin role of ${input.schoolId}.`,
        );
      }
      return Promise.resolve({
        label: 'Version 1 · Demo variant 1',
        masterVersion: 1,
        document: DOCUMENT,
      });
    },
  };
}
