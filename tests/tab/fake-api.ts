import { acknowledgementId, type Acknowledgement } from '../../src/domain/acknowledgement.ts';
import type { Approval } from '../../src/domain/approval.ts';
import type { Campaign } from '../../src/domain/campaign.ts';
import { audienceView, contentHash } from '../../src/domain/content-hash.ts';
import { diffDocuments, summariseDiff } from '../../src/domain/policy-diff.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { ChangeKind, Policy, PolicyVersion } from '../../src/domain/policy.ts';
import { typedNameDiffers } from '../../src/domain/name-match.ts';
import type { PersonStatusKind } from '../../src/domain/person-status.ts';
import { computeStatus, currentVersion, signatureNeedsApproval } from '../../src/domain/status.ts';
import type {
  MyPolicyView,
  PendingApproval,
  PersonRow,
} from '../../src/services/countersign-service.ts';

/**
 * An in-memory implementation of /work/team/API.md for the tab's tests, built on the real domain
 * functions (status, content hash, clause diff), so the tab is tested against the contract
 * rather than against itself. Tokens are "fake.<user key>"; the real API verifies real JWTs.
 */
export interface FakeUser {
  key: string;
  id: string;
  displayName: string;
  upn: string;
  roles: string[];
  audiences: string[];
}

export const FAKE_USERS: FakeUser[] = [
  {
    key: 'staff',
    id: 'u-staff',
    displayName: 'Sam Patel',
    upn: 'sam.patel@school.example',
    roles: [],
    audiences: ['staff'],
  },
  {
    key: 'governor',
    id: 'u-governor',
    displayName: 'Grace Okafor',
    upn: 'grace.okafor@school.example',
    roles: [],
    audiences: ['governors'],
  },
  {
    key: 'dsl',
    id: 'u-dsl',
    displayName: 'Dana Lee',
    upn: 'dana.lee@school.example',
    roles: ['Policy.Admin'],
    audiences: ['staff'],
  },
  {
    key: 'head',
    id: 'u-head',
    displayName: 'Emma Bonnin',
    upn: 'emma.bonnin@school.example',
    roles: ['Policy.Approver'],
    audiences: ['staff'],
  },
];

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

const SCHOOL = 'school-1';
const TIME_ZONE = 'Europe/London';

function problem(status: number, code: string, detail: string, extra: object = {}): Response {
  return new Response(
    JSON.stringify({ type: 'about:blank', title: code, status, code, detail, ...extra }),
    {
      status,
      headers: { 'content-type': 'application/problem+json' },
    },
  );
}

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

export interface FakeApiOptions {
  now?: () => Date;
  /** Turns an uploaded file into a draft document (the test supplies a .docx reader). */
  importFile?: (bytes: Uint8Array, fileName: string) => Promise<PolicyDocument>;
}

export class FakeApi {
  readonly policy: Policy = {
    key: 'staff-aup',
    schoolId: SCHOOL,
    title: 'Staff AUP',
    audiences: ['staff', 'governors'],
    renewal: { kind: 'anniversary', months: 12 },
    approvalMode: 'first-signature',
  };
  versions: PolicyVersion[] = [];
  acknowledgements: Acknowledgement[] = [];
  approvals: Approval[] = [];
  campaigns: Campaign[] = [];
  sentTestCards: { userId: string; policyKey: string; versionNumber: number }[] = [];
  requests: { method: string; path: string }[] = [];
  readonly #now: () => Date;
  readonly #importFile: (bytes: Uint8Array, fileName: string) => Promise<PolicyDocument>;

  constructor(options: FakeApiOptions = {}) {
    this.#now = options.now ?? (() => new Date());
    this.#importFile =
      options.importFile ??
      ((bytes) => Promise.resolve(textToDocument(new TextDecoder().decode(bytes))));
    this.versions.push(
      this.#version(
        1,
        'Spring 2026',
        'published',
        'material',
        SEED_DOCUMENT,
        '2026-01-05T09:00:00.000Z',
      ),
    );
  }

  #version(
    number: number,
    label: string,
    status: PolicyVersion['status'],
    changeKind: ChangeKind,
    document: PolicyDocument,
    publishedAt?: string,
  ): PolicyVersion {
    return {
      policyKey: this.policy.key,
      number,
      label,
      status,
      changeKind,
      ...(publishedAt === undefined ? {} : { publishedAt }),
      document,
      contentHash: contentHash(document),
    };
  }

  /** Publishes a new version directly, as an admin elsewhere would. */
  publishVersion(document: PolicyDocument, label: string, changeKind: ChangeKind): PolicyVersion {
    const number = Math.max(...this.versions.map((v) => v.number)) + 1;
    const version = this.#version(
      number,
      label,
      'published',
      changeKind,
      document,
      this.#now().toISOString(),
    );
    this.versions.push(version);
    return version;
  }

  /** Seeds a signature as if the person had signed through the tab (as themselves, by default). */
  seedSignature(
    userKey: string,
    versionNumber: number,
    signedAt: string,
    typedName?: string,
  ): Acknowledgement {
    const user = userByKey(userKey);
    const version = this.versions.find((v) => v.number === versionNumber);
    if (user === undefined || version === undefined) throw new Error('unknown user or version');
    const ack = this.#acknowledge(user, version, {
      typedName: typedName ?? user.displayName,
      statedRole: 'Teacher',
      consents: {},
      signedAt,
    });
    return ack;
  }

  #acknowledge(
    user: FakeUser,
    version: PolicyVersion,
    input: {
      typedName: string;
      statedRole: string;
      consents: Record<string, boolean>;
      signedAt: string;
    },
  ): Acknowledgement {
    const earlier = this.acknowledgements.filter(
      (a) => a.userId === user.id && a.policyKey === version.policyKey,
    );
    const needsApproval = signatureNeedsApproval(this.policy.approvalMode, earlier, this.approvals);
    const ack: Acknowledgement = {
      id: acknowledgementId(version.policyKey, version.number, user.id),
      policyKey: version.policyKey,
      versionNumber: version.number,
      contentHash: version.contentHash,
      userId: user.id,
      upn: user.upn,
      displayName: user.displayName,
      typedName: input.typedName,
      statedRole: input.statedRole,
      signedAt: input.signedAt,
      channel: 'tab',
      consents: input.consents,
      approvalState: needsApproval ? 'pending' : 'not-required',
      seal: 'a'.repeat(64),
    };
    this.acknowledgements.push(ack);
    if (needsApproval) {
      this.approvals.push({
        acknowledgementId: ack.id,
        userId: user.id,
        decision: 'pending',
        additionalPermissions: [],
      });
    }
    return ack;
  }

  #status(user: FakeUser) {
    const running = this.campaigns.find((c) => c.status === 'running');
    return computeStatus({
      policy: this.policy,
      versions: this.versions,
      acknowledgements: this.acknowledgements.filter((a) => a.userId === user.id),
      approvals: this.approvals,
      personAudiences: user.audiences,
      timeZone: TIME_ZONE,
      now: this.#now(),
      ...(running === undefined ? {} : { deadline: running.deadline }),
    });
  }

  /** A fetch for ApiClient: relative URLs resolve against a made-up origin. */
  readonly fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url =
      typeof input === 'string'
        ? new URL(input, 'http://tab.test')
        : input instanceof URL
          ? input
          : new URL(input.url);
    return this.handle(url, init?.method ?? 'GET', new Headers(init?.headers), init?.body);
  };

  /** fetch() for jsdom: its File is not a Blob that Node's Response can read, so read it first. */
  readonly jsdomFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const body = init?.body;
    if (typeof body === 'object' && body !== null && body instanceof Blob) {
      const bytes = await new Promise<ArrayBuffer>((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result as ArrayBuffer);
        reader.onerror = () => reject(reader.error ?? new Error('FileReader failed'));
        reader.readAsArrayBuffer(body);
      });
      return this.fetch(input, { ...init, body: new Uint8Array(bytes) });
    }
    return this.fetch(input, init);
  };

  async handle(
    url: URL,
    method: string,
    headers: Headers,
    body: BodyInit | null | undefined,
  ): Promise<Response> {
    const path = url.pathname;
    this.requests.push({ method, path });
    const readJson = async (): Promise<Record<string, unknown>> =>
      (body === null || body === undefined
        ? {}
        : JSON.parse(await new Response(body).text())) as Record<string, unknown>;

    if (path === '/config.json') return json({ mode: 'dev' });
    if (path === '/dev/users' && method === 'GET') {
      return json(
        FAKE_USERS.map(({ key, id, displayName, roles }) => ({ key, id, displayName, roles })),
      );
    }
    if (path === '/dev/token' && method === 'POST') {
      const { user } = await readJson();
      if (typeof user !== 'string' || userByKey(user) === undefined)
        return problem(422, 'validation', 'unknown user');
      return json({ accessToken: `fake.${user}` });
    }
    if (!path.startsWith('/api/')) return problem(404, 'not-found', `No route ${path}`);
    const token = /^Bearer fake\.(\w+)$/.exec(headers.get('authorization') ?? '')?.[1];
    const user = token === undefined ? undefined : userByKey(token);
    if (user === undefined) return problem(401, 'unauthenticated', 'A bearer token is needed.');
    const isAdmin = user.roles.includes('Policy.Admin');
    const isApprover = user.roles.includes('Policy.Approver');
    const current = currentVersion(this.versions);
    const route = `${method} ${path}`;

    if (route === 'GET /api/me') {
      return json({ id: user.id, displayName: user.displayName, upn: user.upn, roles: user.roles });
    }
    if (route === 'GET /api/me/policies') {
      const status = this.#status(user);
      if (status.kind === 'not-required' || current === undefined) return json([]);
      const view: MyPolicyView = {
        policy: this.policy,
        version: { ...current, document: audienceView(current.document, user.audiences) },
        status,
      };
      return json([view]);
    }
    if (route === `GET /api/me/policies/${this.policy.key}/changes`) {
      if (current === undefined) return problem(404, 'not-found', 'Nothing published.');
      const last = this.acknowledgements
        .filter((a) => a.userId === user.id)
        .sort((a, b) => b.versionNumber - a.versionNumber)[0];
      const from = this.versions.find((v) => v.number === last?.versionNumber);
      const base = from?.document ?? { ...current.document, sections: [] };
      const diff = diffDocuments(base, current.document, user.audiences);
      return json({
        ...(from === undefined ? {} : { fromVersion: from.number }),
        toVersion: current.number,
        summary: summariseDiff(diff),
        diff,
      });
    }
    if (route === `POST /api/me/policies/${this.policy.key}/sign`) {
      const input = await readJson();
      if (current === undefined) return problem(404, 'not-found', 'Nothing published.');
      if (
        input.declarationAccepted !== true ||
        typeof input.typedName !== 'string' ||
        input.typedName.trim() === '' ||
        typeof input.statedRole !== 'string' ||
        input.statedRole.trim() === ''
      ) {
        return problem(422, 'validation', 'The declaration, name and role are required.');
      }
      if (input.versionNumber !== current.number || input.contentHash !== current.contentHash) {
        return problem(409, 'conflict', 'A newer version was published.', { current });
      }
      const existing = this.acknowledgements.find(
        (a) => a.id === acknowledgementId(this.policy.key, current.number, user.id),
      );
      if (existing !== undefined) return json({ acknowledgement: existing }, 200);
      const ack = this.#acknowledge(user, current, {
        typedName: input.typedName,
        statedRole: input.statedRole,
        consents: (input.consents ?? {}) as Record<string, boolean>,
        signedAt: this.#now().toISOString(),
      });
      return json({ acknowledgement: ack }, 201);
    }
    if (route === 'GET /api/me/history') {
      return json(this.acknowledgements.filter((a) => a.userId === user.id));
    }

    if (path.startsWith('/api/admin/')) {
      if (!isAdmin) return problem(403, 'forbidden', 'Policy.Admin is needed.');
      return this.#admin(route, url, headers, user, body, readJson);
    }
    if (path.startsWith('/api/approvals')) {
      if (!isApprover) return problem(403, 'forbidden', 'Policy.Approver is needed.');
      return this.#approvals(route, user, readJson);
    }
    return problem(404, 'not-found', `No route ${route}`);
  }

  async #admin(
    route: string,
    url: URL,
    headers: Headers,
    user: FakeUser,
    body: BodyInit | null | undefined,
    readJson: () => Promise<Record<string, unknown>>,
  ): Promise<Response> {
    const key = this.policy.key;
    const versionRoute = new RegExp(
      `^(GET|POST) /api/admin/policies/${key}/versions/(\\d+)/(diff|publish)$`,
    ).exec(route);
    if (route === 'POST /api/admin/import') {
      const bytes = new Uint8Array(await new Response(body ?? null).arrayBuffer());
      if (bytes.length > 10 * 1024 * 1024)
        return problem(413, 'too-large', 'Upload at most 10 MB.');
      const document = await this.#importFile(bytes, headers.get('x-file-name') ?? 'aup.txt');
      return json({
        document,
        report: {
          source: 'text',
          removed: [],
          repairs: [],
          warnings: [{ message: 'Check the unplaced text.' }],
        },
      });
    }
    if (route === 'GET /api/admin/policies') {
      return json([{ policy: this.policy, versions: this.versions }]);
    }
    if (route === `PUT /api/admin/policies/${key}/draft`) {
      const input = await readJson();
      const document = input.document as PolicyDocument;
      this.versions = this.versions.filter((v) => v.status !== 'draft');
      const number = Math.max(...this.versions.map((v) => v.number)) + 1;
      const draft = this.#version(
        number,
        String(input.label),
        'draft',
        input.changeKind === 'minor' ? 'minor' : 'material',
        document,
      );
      this.versions.push(draft);
      return json(draft);
    }
    if (versionRoute !== null) {
      const number = Number(versionRoute[2]);
      const draft = this.versions.find((v) => v.number === number);
      if (draft === undefined) return problem(404, 'not-found', 'No such version.');
      const from = currentVersion(this.versions);
      if (versionRoute[3] === 'diff') {
        const diff = diffDocuments(
          from?.document ?? { ...draft.document, sections: [] },
          draft.document,
        );
        return json({
          ...(from === undefined ? {} : { fromVersion: from.number }),
          summary: summariseDiff(diff),
          diff,
        });
      }
      if (draft.status !== 'draft') return problem(409, 'conflict', 'Already published.');
      const published: PolicyVersion = {
        ...draft,
        status: 'published',
        publishedAt: this.#now().toISOString(),
      };
      this.versions = this.versions.map((v) => (v.number === number ? published : v));
      return json(published);
    }
    if (route === 'GET /api/admin/people' || route === 'GET /api/admin/people.csv') {
      const audience = url.searchParams.get('audience') ?? '';
      const status = url.searchParams.get('status') ?? '';
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const everyone: PersonRow[] = FAKE_USERS.map((u) => {
        const rowStatus = this.#status(u);
        // As the service: the signature the status rests on, with the name check.
        const ack =
          'signedAt' in rowStatus
            ? this.acknowledgements.find(
                (a) =>
                  a.userId === u.id &&
                  a.versionNumber === rowStatus.versionNumber &&
                  a.signedAt === rowStatus.signedAt,
              )
            : undefined;
        return {
          id: u.id,
          displayName: u.displayName,
          upn: u.upn,
          audiences: u.audiences,
          statuses: { [key]: rowStatus },
          ...(ack === undefined
            ? {}
            : {
                signature: {
                  acknowledgementId: ack.id,
                  typedName: ack.typedName,
                  statedRole: ack.statedRole,
                  displayName: ack.displayName,
                  upn: ack.upn,
                  typedNameDiffers: typedNameDiffers(ack.typedName, ack.displayName),
                },
              }),
        };
      });
      const totals: Record<string, Partial<Record<PersonStatusKind, number>>> = {};
      for (const row of everyone) {
        for (const a of row.audiences) {
          const kind = row.statuses[key]?.kind ?? 'not-required';
          const bucket = (totals[a] ??= {});
          bucket[kind] = (bucket[kind] ?? 0) + 1;
        }
      }
      const rows = everyone.filter(
        (r) =>
          (audience === '' || r.audiences.includes(audience)) &&
          (status === '' || r.statuses[key]?.kind === status) &&
          (q === '' || r.displayName.toLowerCase().includes(q) || r.upn.includes(q)),
      );
      if (route.endsWith('.csv')) {
        const csv = [
          'name,upn,status',
          ...rows.map((r) => `${r.displayName},${r.upn},${r.statuses[key]?.kind ?? ''}`),
        ].join('\r\n');
        return new Response(csv, { headers: { 'content-type': 'text/csv' } });
      }
      const pageSize = Number(url.searchParams.get('pageSize') ?? '50');
      const start = Number(url.searchParams.get('cursor') ?? '0');
      const page = rows.slice(start, start + pageSize);
      return json({
        rows: page,
        total: rows.length,
        totals,
        ...(start + pageSize < rows.length ? { nextCursor: String(start + pageSize) } : {}),
      });
    }
    if (route === 'GET /api/admin/campaigns') return json(this.campaigns);
    if (route === 'POST /api/admin/campaigns') {
      const input = await readJson();
      // As the campaign service does: a version has one open campaign; launching it again
      // answers with that campaign, its first plan kept.
      const open = this.campaigns.find(
        (c) =>
          c.policyKey === String(input.policyKey) &&
          c.versionNumber === Number(input.versionNumber) &&
          (c.status === 'running' || c.status === 'paused'),
      );
      if (open !== undefined) return json(open, 201);
      const campaign: Campaign = {
        id: `c-${this.campaigns.length + 1}`,
        schoolId: SCHOOL,
        policyKey: String(input.policyKey),
        versionNumber: Number(input.versionNumber),
        audiences: input.audiences as string[],
        deadline: String(input.deadline),
        reminderDays: input.reminderDays as number[],
        status: 'running',
        counts: { recipients: 3, sent: 3, failed: 0, signed: 1 },
        createdBy: user.id,
        createdAt: this.#now().toISOString(),
      };
      this.campaigns.push(campaign);
      return json(campaign, 201);
    }
    if (route.startsWith('GET /api/admin/campaigns/preview-card')) {
      const version = this.versions.find(
        (v) => v.number === Number(url.searchParams.get('versionNumber')),
      );
      if (version === undefined) return problem(404, 'not-found', 'No such version.');
      return json(previewCard(version));
    }
    if (route === 'POST /api/admin/campaigns/send-test') {
      const input = await readJson();
      this.sentTestCards.push({
        userId: user.id,
        policyKey: String(input.policyKey),
        versionNumber: Number(input.versionNumber),
      });
      return new Response(null, { status: 202 });
    }
    const action = /^POST \/api\/admin\/campaigns\/([^/]+)\/(pause|resume|cancel)$/.exec(route);
    if (action !== null) {
      const next = { pause: 'paused', resume: 'running', cancel: 'cancelled' } as const;
      const verb = action[2] as keyof typeof next;
      this.campaigns = this.campaigns.map((c) =>
        c.id === action[1] ? { ...c, status: next[verb] } : c,
      );
      return json(this.campaigns.find((c) => c.id === action[1]));
    }
    return problem(404, 'not-found', `No route ${route}`);
  }

  async #approvals(
    route: string,
    user: FakeUser,
    readJson: () => Promise<Record<string, unknown>>,
  ): Promise<Response> {
    if (route === 'GET /api/approvals') {
      const pending: PendingApproval[] = this.approvals
        .filter((a) => a.decision === 'pending')
        .flatMap((approval) => {
          const acknowledgement = this.acknowledgements.find(
            (a) => a.id === approval.acknowledgementId,
          );
          return acknowledgement === undefined
            ? []
            : [
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
      return json(pending);
    }
    const decideOne = (id: string, input: Record<string, unknown>): Approval | undefined => {
      const approval = this.approvals.find(
        (a) => a.acknowledgementId === id && a.decision === 'pending',
      );
      if (approval === undefined) return undefined;
      const decision = input.decision === 'rejected' ? 'rejected' : 'approved';
      const decided: Approval = {
        ...approval,
        decision,
        approverId: user.id,
        approverName: user.displayName,
        additionalPermissions: (input.additionalPermissions ?? []) as string[],
        ...(typeof input.comment === 'string' ? { comment: input.comment } : {}),
        decidedAt: this.#now().toISOString(),
      };
      this.approvals = this.approvals.map((a) => (a === approval ? decided : a));
      this.acknowledgements = this.acknowledgements.map((a) =>
        a.id === id ? { ...a, approvalState: decision } : a,
      );
      return decided;
    };
    if (route === 'POST /api/approvals/bulk') {
      const input = await readJson();
      const ids = input.acknowledgementIds as string[];
      return json({
        results: ids.map((id) =>
          decideOne(id, input) === undefined
            ? { acknowledgementId: id, ok: false, code: 'not-found' }
            : { acknowledgementId: id, ok: true },
        ),
      });
    }
    const one = /^POST \/api\/approvals\/([^/]+)\/decision$/.exec(route);
    if (one?.[1] !== undefined) {
      const input = await readJson();
      if (
        input.decision === 'rejected' &&
        (typeof input.comment !== 'string' || input.comment.trim() === '')
      ) {
        return problem(422, 'validation', 'A reason is needed to reject.');
      }
      const decided = decideOne(decodeURIComponent(one[1]), input);
      return decided === undefined
        ? problem(404, 'not-found', 'No pending approval.')
        : json(decided);
    }
    return problem(404, 'not-found', `No route ${route}`);
  }
}

function userByKey(key: string): FakeUser | undefined {
  return FAKE_USERS.find((u) => u.key === key);
}

/** A plain-text AUP to a document: numbered lines are clauses, "I have read" the declaration. */
export function textToDocument(text: string): PolicyDocument {
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

/** A small Adaptive Card 1.5 like the bot's sign prompt. */
export function previewCard(version: PolicyVersion): Record<string, unknown> {
  return {
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
    actions: [{ type: 'Action.Execute', title: 'Sign', verb: 'sign', data: { action: 'sign' } }],
  };
}
