import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { MemoryRecordStore } from '../../src/adapters/memory/memory-record-store.ts';
import { openSqliteWorkStore } from '../../src/adapters/sqlite/sqlite-work-store.ts';
import type { DevUser, DevUserKey } from '../../src/api/auth/dev-sign-in.ts';
import { createTokenVerifier } from '../../src/api/auth/token-verifier.ts';
import { createApiHandler } from '../../src/api/create-api-handler.ts';
import type { ImportPolicy } from '../../src/api/route-context.ts';
import {
  createDevIdentityProvider,
  DEV_USER_ROLES,
} from '../../src/dev/identity/dev-identity-provider.ts';
import type { Acknowledgement } from '../../src/domain/acknowledgement.ts';
import type { Approval } from '../../src/domain/approval.ts';
import type { Campaign } from '../../src/domain/campaign.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { ChangeKind, Policy, PolicyVersion } from '../../src/domain/policy.ts';
import type { School } from '../../src/domain/school.ts';
import { ADAPTIVE_CARD_CONTENT_TYPE, type Messenger } from '../../src/ports/messenger.ts';
import type { DeliveryJob } from '../../src/ports/delivery-queue.ts';
import type { WorkStore } from '../../src/ports/work-store.ts';
import type { Actor } from '../../src/services/actor.ts';
import type { CardRenderer } from '../../src/services/campaigns/card-renderer.ts';
import { SENDER_LEASE } from '../../src/services/campaigns/campaign-sender.ts';
import { createCampaignService } from '../../src/services/campaigns/campaign-service.ts';
import { placeholderCards } from '../../src/services/campaigns/placeholder-cards.ts';
import { queuedApprovalRequests } from '../../src/services/approval-requests.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { trustSettingsRow } from '../../src/domain/trust.ts';
import { createTrustReportRead } from '../../src/services/trust-report-read.ts';
import { ReportSnapshots } from '../../src/services/report-snapshot.ts';
import { createTrustCompliance } from '../../src/services/trust-compliance.ts';
import { createTrustEvidence } from '../../src/services/trust-evidence.ts';
import { MemorySettingsStore } from '../../src/adapters/memory/memory-settings-store.ts';
import { deploymentSchool } from '../../src/services/actor-school.ts';
import { createSchoolSettingsAdmin } from '../../src/services/school-settings-admin.ts';
import { seedSchoolSettings } from '../../src/services/school-settings.ts';

/**
 * The real API for the tab's tests: createApiHandler over the real use cases, the memory record
 * store and directory, an in-memory SQLite work store, and real JWTs from the dev identity
 * provider, served on 127.0.0.1 to the tab's ApiClient. A change to the contract, a handler or
 * a service breaks these tests as it would break the tab. The handler checks every 2xx body it
 * sends against the contract's response schemas (checkResponses).
 *
 * What stays a stand-in: the importer (a small text reader below, so the tests decide what is
 * "unplaced"), the cards (a one-text-block sign prompt) and the messenger (nothing is sent: the
 * campaign sender is never started, so sent cards are read from the work store's queue).
 */

/** The four people of the dev user switcher, with the audiences the directory puts them in. */
export const TAB_USERS = [
  {
    key: 'staff',
    id: 'u-staff',
    displayName: 'Sam Patel',
    upn: 'sam.patel@school.example',
    audiences: ['staff'],
  },
  {
    key: 'governor',
    id: 'u-governor',
    displayName: 'Grace Okafor',
    upn: 'grace.okafor@school.example',
    audiences: ['governors'],
  },
  {
    key: 'dsl',
    id: 'u-dsl',
    displayName: 'Dana Lee',
    upn: 'dana.lee@school.example',
    audiences: ['staff'],
  },
  {
    key: 'head',
    id: 'u-head',
    displayName: 'Emma Bonnin',
    upn: 'emma.bonnin@school.example',
    audiences: ['staff'],
  },
] as const satisfies readonly {
  key: DevUserKey;
  id: string;
  displayName: string;
  upn: string;
  audiences: readonly string[];
}[];

export type TabUserKey = (typeof TAB_USERS)[number]['key'];

export const SEED_DOCUMENT: PolicyDocument = {
  title: 'Staff Acceptable Use Policy',
  sections: [
    {
      heading: 'What is an AUP?',
      clauses: [
        {
          text: 'An Acceptable Use Policy sets out how school systems and devices may be used.',
          items: [],
        },
      ],
    },
    {
      heading: 'My use of school systems',
      clauses: [
        {
          number: '1',
          text: 'I will only use school systems for professional purposes.',
          items: [],
        },
        {
          number: '2',
          text: 'I will keep my passwords private and will not share them with anyone.',
          items: ['This includes other members of staff.', 'I will change it if it is exposed.'],
        },
        {
          number: '3',
          text: 'I will report any safeguarding concern to the designated safeguarding lead.',
          audience: ['staff'],
          items: [],
        },
      ],
    },
  ],
  declaration: 'I have read, understood and agree to comply with the Staff Acceptable Use Policy.',
  consents: [{ key: 'photo', text: 'The school may use my photograph on its website.' }],
  approval: {
    statement:
      'I approve this user to be allocated credentials for school systems as relevant to their role.',
    approverName: 'Emma Bonnin',
    approverRole: 'Headteacher',
  },
};

const SCHOOL: School = {
  id: 'school-1',
  name: 'Oakfield Primary School',
  timeZone: 'Europe/London',
  audiences: [
    { key: 'staff', label: 'Staff', groupIds: ['g-staff'] },
    { key: 'governors', label: 'Governors', groupIds: ['g-governors'] },
  ],
  approverIds: ['u-head'],
  adminIds: ['u-dsl'],
};

const POLICY: Policy = {
  key: 'staff-aup',
  schoolId: SCHOOL.id,
  title: 'Staff Acceptable Use Policy',
  audiences: ['staff', 'governors'],
  renewal: { kind: 'anniversary', months: 12 },
  approvalMode: 'first-signature',
};

/** Version 1 ("Spring 2026") was published then. */
const SEEDED_AT = new Date('2026-01-05T09:00:00.000Z');
const SEAL_KEY = 'tab-tests-seal-key-0123456789abcdef0123456789';

/** A plain-text AUP to a document: numbered lines are clauses, "I have read" the declaration. */
function textToDocument(text: string): PolicyDocument {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const [title = 'Untitled policy', ...rest] = lines;
  const clauses: PolicyDocument['sections'][number]['clauses'] = [];
  const unplaced: string[] = [];
  let declaration = '';
  for (const line of rest) {
    const numbered = /^(\d+)[.)]\s+(.*)$/.exec(line);
    if (numbered?.[1] !== undefined && numbered[2] !== undefined)
      clauses.push({ number: numbered[1], text: numbered[2], items: [] });
    else if (/^I have read/i.test(line)) declaration = line;
    else unplaced.push(line);
  }
  return {
    title,
    sections: [
      { heading: 'Policy', clauses },
      ...(unplaced.length === 0
        ? []
        : [{ heading: 'Unplaced', clauses: unplaced.map((t) => ({ text: t, items: [] })) }]),
    ],
    declaration,
    consents: [],
    approval: null,
  };
}

const importText: ImportPolicy = (bytes) =>
  Promise.resolve({
    document: textToDocument(new TextDecoder().decode(bytes)),
    report: {
      source: 'text',
      removed: [],
      repairs: [],
      warnings: [{ message: 'Check the unplaced text.' }],
    },
  });

/** The sign prompt as a small Adaptive Card 1.5: the document's title, the version, a name box. */
const promptCards: CardRenderer = {
  prompt: ({ version }) => ({
    type: 'message',
    attachments: [
      {
        contentType: ADAPTIVE_CARD_CONTENT_TYPE,
        content: {
          type: 'AdaptiveCard',
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          version: '1.5',
          body: [
            {
              type: 'TextBlock',
              text: `Please sign: ${version.document.title}`,
              weight: 'Bolder',
              size: 'Medium',
              wrap: true,
            },
            { type: 'TextBlock', text: `Version ${version.number} (${version.label})`, wrap: true },
            {
              type: 'Input.Text',
              id: 'typedName',
              label: 'Your full name',
              isRequired: true,
              errorMessage: 'Type your full name.',
            },
          ],
          actions: [
            { type: 'Action.Execute', title: 'Sign', verb: 'sign', data: { action: 'sign' } },
          ],
        },
      },
    ],
  }),
  digest: (input) => placeholderCards.digest(input),
  approvalRequest: (input) => placeholderCards.approvalRequest(input),
};

/** Nothing is sent in the tab's tests: the campaign sender never runs. */
const noMessenger = new Proxy({} as Messenger, {
  get: (_target, property) => () => {
    throw new Error(`The tab's tests send nothing (Messenger.${String(property)}).`);
  },
});

const realFetch = globalThis.fetch.bind(globalThis);

/** A jsdom Blob (an upload's File) is not one Node's fetch can send: read it to bytes first. */
async function sendable(body: BodyInit | null | undefined): Promise<BodyInit | null | undefined> {
  if (typeof body !== 'object' || body === null || !(body instanceof Blob)) return body;
  const bytes = await new Promise<ArrayBuffer>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(reader.error ?? new Error('FileReader failed'));
    reader.readAsArrayBuffer(body);
  });
  return new Uint8Array(bytes);
}

export interface TabApiOptions {
  /** The service's clock (fixed); tokens use the real clock. */
  now: Date;
  /**
   * The school's service serves it as one of a trust (the governor its lead), for the trust
   * policies screen; without it the service is a lone school's, as it was.
   */
  trust?: boolean;
  /** The importer behind POST /api/admin/import; a small stand-in (importText) without it. */
  importPolicy?: ImportPolicy;
}

export interface TabApi {
  /** A fetch for ApiClient and the tab's dev sign-in: relative URLs go to the real API. */
  readonly fetch: typeof fetch;
  /** Every request the tab made, in order. */
  readonly requests: { method: string; path: string }[];
  readonly policy: Policy;
  readonly directory: MemoryDirectory;
  /** A real dev token for one of TAB_USERS. */
  token(userKey: TabUserKey): Promise<string>;
  /** Publishes a new version as the DSL would, through the service. */
  publishVersion(
    document: PolicyDocument,
    label: string,
    changeKind: ChangeKind,
  ): Promise<PolicyVersion>;
  /**
   * The trust lead (the governor) publishes a master version of the trust policy 'trust-aup'
   * (created on first use; needs the trust option), composed into the school's copy.
   */
  publishMaster(document: PolicyDocument, label: string): Promise<PolicyVersion>;
  /** Signs the current version as this person, at `signedAt` (their own name unless typed). */
  seedSignature(
    userKeyOrId: string,
    signedAt: string,
    typedName?: string,
  ): Promise<Acknowledgement>;
  versions(): Promise<PolicyVersion[]>;
  acknowledgements(): Promise<Acknowledgement[]>;
  approvals(): Promise<Approval[]>;
  campaigns(): Promise<Campaign[]>;
  /** Moves the service's clock. */
  setNow(iso: string): void;
  /** Runs the nightly records check now, as the scheduled work does when it is due. */
  runRecordsCheck(): Promise<void>;
  /** What a site owner could do to a signature's row in SharePoint (its plain columns). */
  tamperAcknowledgement(id: string, change: Partial<Acknowledgement>): void;
  /** The test cards the admin sent themselves: queued in the work store, one row each. */
  testCards(): Promise<{ userId: string; policyKey: string; versionNumber: number }[]>;
  /**
   * Settles every approval card still queued as the campaign sender would: `failed` with the
   * connector's reason (not reached), or sent. Returns how many rows it settled.
   */
  settleApprovalCards(outcome: { failed: string } | 'sent'): Promise<number>;
  /** The work store is lost (deleted, replaced): the service goes on with a fresh, empty one. */
  loseWorkStore(): Promise<void>;
  /**
   * Settles every queued card as the campaign sender would have (the sender never runs here):
   * under the sender's lease, each row claimed and marked sent (with an activity id) or failed
   * with the reason `settle` gives. The sender's own choices are tested in tests/campaigns.
   */
  settleQueued(
    settle: (job: DeliveryJob, userId: string) => { failed: string } | 'sent',
  ): Promise<number>;
  close(): Promise<void>;
}

function actorOf(
  person: { id: string; displayName: string; upn: string },
  roles: Actor['roles'] = [],
): Actor {
  return { id: person.id, displayName: person.displayName, upn: person.upn, roles };
}

/** Starts the real API with version 1 of the staff AUP published, nobody signed. */
export async function startTabApi(options: TabApiOptions): Promise<TabApi> {
  let now = SEEDED_AT;
  const clock = { now: () => now };
  const records = new MemoryRecordStore();
  const directory = new MemoryDirectory({
    people: TAB_USERS.map((u) => ({
      id: u.id,
      displayName: u.displayName,
      userPrincipalName: u.upn,
    })),
    groups: [
      {
        id: 'g-staff',
        members: TAB_USERS.filter((u) => u.audiences.includes('staff' as never)).map((u) => u.id),
      },
      {
        id: 'g-governors',
        members: TAB_USERS.filter((u) => u.audiences.includes('governors' as never)).map(
          (u) => u.id,
        ),
      },
    ],
  });
  // The campaign service's work store, behind a seam that can lose it (loseWorkStore).
  let currentWork = openSqliteWorkStore({ path: ':memory:' });
  const work = new Proxy({} as WorkStore, {
    get: (_target, property) => {
      const value: unknown = Reflect.get(currentWork, property);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(currentWork)
        : value;
    },
  });
  // The school's settings, stored as revision 1 as a fresh site seeds them (the Settings page).
  // Its own records: the settings' audit events stay out of the policy records other tests read.
  const settingsDeps = {
    store: new MemorySettingsStore(),
    records: new MemoryRecordStore(),
    clock,
    newId: () => `settings-${randomUUID()}`,
  };
  await seedSchoolSettings(settingsDeps, SCHOOL);
  let n = 0;
  const service = createCountersignService({
    records,
    directory,
    clock,
    sealKey: SEAL_KEY,
    evidence: memoryEvidenceKeys(),
    school: SCHOOL,
    newId: () => `evt-${++n}`,
    readCache: false,
    ...(options.trust === true
      ? {
          trust: {
            id: '@trust',
            read: () =>
              // The school as its settings stand now: a saved contact changes its text.
              settingsDeps.store.get(SCHOOL.id).then((stored) => ({
                name: 'Oakfield Learning Trust',
                leadIds: ['u-governor'],
                schools: [stored?.school ?? SCHOOL],
              })),
          },
        }
      : {}),
    // As school-services.ts wires it: a signature that needs approval queues the approvers' card.
    approvalRequests: queuedApprovalRequests({ queue: work, school: SCHOOL, clock }),
  });
  const campaigns = createCampaignService({
    records,
    directory,
    work,
    messenger: noMessenger,
    cards: promptCards,
    school: SCHOOL,
    clock,
    newId: randomUUID,
    holderId: 'tab-tests',
    scheduleEveryMs: 0,
    // Nothing runs in the background here; if it did, the test's output says so.
    onError: (error) => console.error('campaign runtime:', error),
  });
  const users: DevUser[] = TAB_USERS.map((u) => ({
    key: u.key,
    id: u.id,
    displayName: u.displayName,
    upn: u.upn,
    roles: DEV_USER_ROLES[u.key],
  }));
  const idp = await createDevIdentityProvider({ users });
  const trustDeps = {
    settings: {
      list: () =>
        Promise.resolve(
          [
            SCHOOL,
            trustSettingsRow({ name: 'Oakfield Learning Trust', leadIds: ['u-governor'] }),
          ].map((school) => ({ school, revision: 1, updatedAt: '', updatedBy: 'test' })),
        ),
    },
    serviceFor: () => service,
  };
  const handler = createApiHandler({
    service,
    settings: createSchoolSettingsAdmin({
      settings: settingsDeps,
      directory,
      actorSchool: deploymentSchool(() => SCHOOL.id),
    }),
    log: silentLogger,
    campaigns,
    importPolicy: options.importPolicy ?? importText,
    auth: createTokenVerifier(idp.verifierConfig()),
    devIdentityProvider: idp,
    checkResponses: true,
    // The trust view over the real service: the school and the trust's row, the governor its lead.
    trust: createTrustCompliance({
      settings: trustDeps.settings,
      // The service keeps no snapshot here (readCache: false): neither does the trust read.
      read: createTrustReportRead({
        records,
        directory,
        clock,
        snapshots: new ReportSnapshots(clock, 0),
      }),
    }),
    trustEvidence: createTrustEvidence(trustDeps),
  });

  const dsl = actorOf(TAB_USERS[2], ['Policy.Admin']);
  async function publishVersion(
    document: PolicyDocument,
    label: string,
    changeKind: ChangeKind,
  ): Promise<PolicyVersion> {
    const draft = await service.saveDraft(dsl, {
      policyKey: POLICY.key,
      label,
      changeKind,
      document,
    });
    return service.publish(dsl, POLICY.key, draft.number);
  }
  await records.putPolicy(POLICY);
  await publishVersion(SEED_DOCUMENT, 'Spring 2026', 'material');
  now = options.now;

  const server = createServer((req, res) => {
    handler(req, res).then(
      (handled) => {
        if (!handled) {
          res.statusCode = 404;
          res.end('not the API');
        }
      },
      (error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const requests: { method: string; path: string }[] = [];

  const apiFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(href, origin);
    const method = (init?.method ?? 'GET').toUpperCase();
    requests.push({ method, path: url.pathname });
    const body = await sendable(init?.body);
    return realFetch(`${origin}${url.pathname}${url.search}`, {
      ...init,
      ...(body === undefined ? {} : { body }),
    });
  };

  return {
    fetch: apiFetch,
    requests,
    policy: POLICY,
    directory,
    token: (userKey) => idp.issueToken(userKey),
    publishVersion,
    async publishMaster(document, label) {
      const lead = actorOf(TAB_USERS[1]);
      if ((await records.getPolicy('trust-aup')) === null) {
        await service.trust.create(lead, {
          key: 'trust-aup',
          title: 'Trust Acceptable Use Policy',
          audiences: ['staff'],
          approvalMode: 'none',
        });
      }
      const draft = await service.trust.saveMasterDraft(lead, {
        policyKey: 'trust-aup',
        label,
        changeKind: 'material',
        document,
      });
      await service.trust.publishMaster(lead, 'trust-aup', draft.number);
      const published = await records.getVersion('trust-aup', draft.number);
      if (published === null) throw new Error('the master was not published');
      return published.value;
    },
    async seedSignature(userKeyOrId, signedAt, typedName) {
      const person =
        TAB_USERS.find((u) => u.key === userKeyOrId) ??
        (await directory
          .getPerson(userKeyOrId)
          .then((p) =>
            p === null
              ? undefined
              : { id: p.id, displayName: p.displayName, upn: p.userPrincipalName },
          ));
      if (person === undefined) throw new Error(`no one called ${userKeyOrId}`);
      const versions = await records.listVersions(POLICY.key);
      const current = versions
        .map((v) => v.value)
        .filter((v) => v.status === 'published')
        .sort((a, b) => b.number - a.number)[0];
      if (current === undefined) throw new Error('nothing published');
      const before = now;
      now = new Date(signedAt);
      try {
        const outcome = await service.sign(actorOf(person), {
          policyKey: POLICY.key,
          versionNumber: current.number,
          contentHash: current.contentHash,
          declarationAccepted: true,
          typedName: typedName ?? person.displayName,
          statedRole: 'Teacher',
          consents: {},
          channel: 'tab',
        });
        if (outcome.kind !== 'signed') throw new Error('the seed signature is outdated');
        return outcome.acknowledgement;
      } finally {
        now = before;
      }
    },
    versions: async () =>
      (await records.listVersions(POLICY.key))
        .map((v) => v.value)
        .sort((a, b) => a.number - b.number),
    acknowledgements: () => records.listAcknowledgements({ policyKey: POLICY.key }),
    approvals: async () => (await records.listApprovals({})).map((a) => a.value),
    campaigns: async () => (await records.listCampaigns({})).map((c) => c.value),
    async settleQueued(settle) {
      const at = now;
      const grant = await work.acquireLease(SENDER_LEASE, 'tab-tests-sender', 60_000, at);
      if (grant === null) throw new Error('the sender lease is held');
      const fence = { lease: SENDER_LEASE, token: grant.token };
      let settled = 0;
      for (const job of await work.listJobs({ status: 'running' })) {
        for (const row of await work.listDeliveries({
          jobId: job.id,
          state: 'queued',
          limit: 1000,
        })) {
          if (!(await work.markInFlight(job.id, row.userId, fence, at))) continue;
          const outcome = settle(job, row.userId);
          if (outcome === 'sent')
            await work.markSent(job.id, row.userId, fence, at, `act-${row.userId}`);
          else await work.markFailed(job.id, row.userId, fence, at, outcome.failed);
          settled += 1;
        }
      }
      await work.releaseLease(grant);
      return settled;
    },
    async settleApprovalCards(outcome) {
      const grant = await work.acquireLease(SENDER_LEASE, 'tab-tests', 60_000, now);
      if (grant === null) throw new Error('the sender lease is held');
      const fence = { lease: SENDER_LEASE, token: grant.token };
      let settled = 0;
      for (const job of await work.listJobs({ kind: 'approval' })) {
        for (const row of await work.listDeliveries({
          jobId: job.id,
          state: 'queued',
          limit: 100,
        })) {
          if (!(await work.markInFlight(job.id, row.userId, fence, now))) continue;
          const done =
            outcome === 'sent'
              ? await work.markSent(job.id, row.userId, fence, now, `activity-${settled}`)
              : await work.markFailed(job.id, row.userId, fence, now, outcome.failed);
          if (done) settled += 1;
        }
      }
      await work.releaseLease(grant);
      return settled;
    },
    async loseWorkStore() {
      const lost = currentWork;
      currentWork = openSqliteWorkStore({ path: ':memory:' });
      await lost.close();
    },
    setNow: (iso) => {
      now = new Date(iso);
    },
    async runRecordsCheck() {
      await service.recordsCheckRunner.runIfDue(now);
    },
    tamperAcknowledgement: (id, change) => {
      records.tamperAcknowledgement(id, change);
    },
    async testCards() {
      const jobs = await work.listJobs({ kind: 'test' });
      const cards: { userId: string; policyKey: string; versionNumber: number }[] = [];
      for (const job of jobs) {
        const rows = await work.listDeliveries({ jobId: job.id, limit: 100 });
        for (const row of rows) {
          cards.push({
            userId: row.userId,
            policyKey: job.policyKey,
            versionNumber: job.versionNumber,
          });
        }
      }
      return cards;
    },
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
      await campaigns.stop();
      await work.close();
    },
  };
}
