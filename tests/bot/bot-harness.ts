import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { MemoryRecordStore } from '../../src/adapters/memory/memory-record-store.ts';
import type { AuditEvent } from '../../src/domain/audit-event.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { School } from '../../src/domain/school.ts';
import type { Actor } from '../../src/services/actor.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { schoolRoleSource } from '../../src/services/school-role-source.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import {
  createBot,
  schoolActorResolver,
  type BotDeps,
  type BotLogger,
  type BotNotifications,
  type CountersignBot,
} from '../../src/bot/index.ts';
import { config } from './card-fixtures.ts';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { recordingApprovalRequests } from '../support/recording-approval-requests.ts';

/** The people of the test school (Entra object ids as the activities carry them). */
export const people = {
  staff: { id: 'aad-staff-1', upn: 'sam.okafor@school.example', name: 'Sam Okafor' },
  other: { id: 'aad-staff-2', upn: 'rhian.price@school.example', name: 'Rhian Price' },
  head: { id: 'aad-head', upn: 'emma.bonnin@school.example', name: 'Emma Bonnin' },
  admin: { id: 'aad-admin', upn: 'it.lead@school.example', name: 'Jo Admin' },
} as const;
export interface Person {
  readonly id: string;
  readonly upn: string;
  readonly name: string;
}

export const TENANT_ID = 'tenant-1';

export const school: School = {
  id: 'st-barts',
  name: 'St Bartholomew’s Primary',
  timeZone: 'Europe/London',
  audiences: [{ key: 'staff', label: 'Staff', groupIds: ['g-staff'] }],
  approverIds: [people.head.id],
  adminIds: [people.admin.id],
};

export class TestClock {
  #now: Date;
  constructor(iso: string) {
    this.#now = new Date(iso);
  }
  now(): Date {
    return new Date(this.#now);
  }
  set(iso: string): void {
    this.#now = new Date(iso);
  }
}

/** Keeps what the SDK logs, so a test can see warnings and errors instead of console noise. */
export class RecordingLogger implements BotLogger {
  readonly lines: { level: string; msg: unknown[] }[];
  constructor(lines: { level: string; msg: unknown[] }[] = []) {
    this.lines = lines;
  }
  debug(): void {}
  trace(): void {}
  info(): void {}
  warn(...msg: unknown[]): void {
    this.lines.push({ level: 'warn', msg });
  }
  error(...msg: unknown[]): void {
    this.lines.push({ level: 'error', msg });
  }
  log(level: string, ...msg: unknown[]): void {
    if (level === 'warn' || level === 'error') this.lines.push({ level, msg });
  }
  child(): BotLogger {
    return new RecordingLogger(this.lines);
  }
}

export interface RecordedCall {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** A Bot Connector stand-in that records what the bot sends (replies to messages). */
export class RecordingConnector {
  readonly calls: RecordedCall[] = [];
  readonly #server: Server;
  #sequence = 0;

  constructor() {
    this.#server = createServer((req, res) => {
      void this.#record(req).then((body) => {
        this.calls.push({
          method: req.method ?? '',
          path: req.url ?? '',
          authorization: req.headers.authorization,
          body,
        });
        this.#sequence += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `activity-${this.#sequence}` }));
      });
    });
  }

  async #record(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    return raw === '' ? undefined : (JSON.parse(raw) as unknown);
  }

  async listen(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.close();
    await once(this.#server, 'close');
  }

  /** The activities sent to a conversation, in order. */
  sent(): {
    type?: string;
    text?: string;
    attachments?: { contentType: string; content: unknown }[];
  }[] {
    return this.calls
      .filter((c) => c.method === 'POST' && /\/v3\/conversations\/[^/]+\/activities/.test(c.path))
      .map((c) => c.body as { type?: string; text?: string });
  }
}

export function actorOf(person: Person, roles: Actor['roles'] = []): Actor {
  return { id: person.id, upn: person.upn, displayName: person.name, roles };
}

/** The world a bot test runs in: the real service over memory stores, the bot, a connector. */
export class BotWorld {
  readonly records = new MemoryRecordStore();
  readonly directory: MemoryDirectory;
  readonly clock = new TestClock('2026-03-05T14:07:00.000Z');
  readonly service: CountersignService;
  readonly connector = new RecordingConnector();
  readonly logger = new RecordingLogger();
  readonly audit: AuditEvent[] = [];
  readonly notified: { kind: string; input: unknown }[] = [];
  bot!: CountersignBot;
  #server!: Server;
  botUrl = '';
  connectorUrl = '';
  #sequence = 0;
  /** The service's approval requests: each signature's request recorded once, as queued. */
  readonly #approvalRequests = recordingApprovalRequests((acknowledgement) => {
    this.notified.push({ kind: 'approvalNeeded', input: { acknowledgement } });
  });

  /** `staff`: more members of the staff group (the Playground's users, for instance). */
  constructor(options: { service?: CountersignService; staff?: readonly Person[] } = {}) {
    const extra = options.staff ?? [];
    this.directory = new MemoryDirectory({
      people: [...Object.values(people), ...extra].map((p) => ({
        id: p.id,
        userPrincipalName: p.upn,
        displayName: p.name,
      })),
      groups: [
        {
          id: 'g-staff',
          members: [people.staff.id, people.other.id, people.head.id, ...extra.map((p) => p.id)],
        },
      ],
    });
    const service = options.service;
    this.service =
      service ??
      createCountersignService({
        records: this.records,
        directory: this.directory,
        clock: this.clock,
        sealKey: 'test-seal-key-with-at-least-32-bytes!!',
        evidence: memoryEvidenceKeys(),
        school,
        // As the composition root wires it: the service asks for the approvers' card.
        approvalRequests: this.#approvalRequests,
      });
  }

  async start(overrides: Partial<BotDeps> = {}): Promise<void> {
    this.connectorUrl = await this.connector.listen();
    const notifications: BotNotifications = {
      approvalDecided: (input) => {
        this.notified.push({ kind: 'approvalDecided', input });
        return Promise.resolve();
      },
      conversationSeen: (ref) => {
        this.notified.push({ kind: 'conversationSeen', input: ref });
        return Promise.resolve();
      },
    };
    this.bot = createBot({
      service: this.service,
      resolveActor: schoolActorResolver({
        directory: this.directory,
        roles: schoolRoleSource(() => Promise.resolve(school)),
      }),
      cards: { ...config, approverIds: school.approverIds },
      audit: (event) => {
        this.audit.push(event);
        return this.records.appendAudit([event]);
      },
      notifications,
      devMode: true,
      allowUnauthenticated: true,
      clock: this.clock,
      logger: this.logger,
      ...overrides,
    });
    await this.bot.initialize();
    this.#server = createServer((req, res) => {
      this.bot.handle(req, res).catch((error: unknown) => {
        this.logger.error('bot handle failed', error);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.botUrl = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/api/messages`;
  }

  async stop(): Promise<void> {
    this.#server.close();
    await once(this.#server, 'close');
    await this.connector.close();
  }

  /** Publishes a version of the staff AUP as the admin. */
  async publish(label: string, document: PolicyDocument): Promise<number> {
    const admin = actorOf(people.admin, ['Policy.Admin']);
    // A policy is created explicitly before its first draft (create-policy.ts).
    if ((await this.records.getPolicy('staff-aup')) === null) {
      await this.service.createPolicy(admin, {
        key: 'staff-aup',
        title: document.title,
        audiences: school.audiences.map((a) => a.key),
      });
    }
    const draft = await this.service.saveDraft(admin, {
      policyKey: 'staff-aup',
      label,
      changeKind: 'material',
      document,
    });
    await this.service.publish(admin, 'staff-aup', draft.number);
    return draft.number;
  }

  #activityBase(from: Person): Record<string, unknown> {
    this.#sequence += 1;
    return {
      id: `incoming-${this.#sequence}`,
      timestamp: this.clock.now().toISOString(),
      channelId: 'msteams',
      serviceUrl: this.connectorUrl,
      from: { id: `29:${from.id}`, name: from.name, aadObjectId: from.id },
      recipient: { id: '28:countersign-bot', name: 'Countersign' },
      conversation: {
        id: `a:personal-${from.id}`,
        conversationType: 'personal',
        tenantId: TENANT_ID,
      },
      channelData: { tenant: { id: TENANT_ID } },
      locale: 'en-GB',
    };
  }

  async post(activity: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const response = await fetch(this.botUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
    };
  }

  /** The activity Teams sends when a person installs the app (or a campaign installs it). */
  installed(from: Person): Promise<{ status: number; body: unknown }> {
    return this.post({ ...this.#activityBase(from), type: 'installationUpdate', action: 'add' });
  }

  message(from: Person, text: string): Promise<{ status: number; body: unknown }> {
    return this.post({ ...this.#activityBase(from), type: 'message', text });
  }

  /**
   * An older client's Action.Submit (the fallback of our Action.Execute buttons): a message
   * activity with no text and the card's data, inputs merged in, as `value`.
   */
  submit(from: Person, data: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    return this.post({
      ...this.#activityBase(from),
      type: 'message',
      replyToId: 'card-message-1',
      value: data,
    });
  }

  /** An Action.Execute from a card, with the input values merged into data as Teams does. */
  invoke(from: Person, data: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    return this.post({
      ...this.#activityBase(from),
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: 'card-message-1',
      value: {
        action: { type: 'Action.Execute', verb: data['action'], data },
        trigger: 'manual',
      },
    });
  }
}
