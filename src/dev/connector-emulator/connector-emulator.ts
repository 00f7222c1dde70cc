import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { readBodyAtMost } from '../../http/read-body.ts';
import {
  CONVERSATION_RULES,
  SlidingWindows,
  TENANT_RULES,
  type WindowRule,
} from './sliding-windows.ts';

/**
 * A Bot Connector for tests and benchmarks: the calls a proactive sender makes (create a 1:1
 * conversation, look its member up, send, update), with the
 * Teams rate limits enforced as strictly as documented (429 + Retry-After), 403 for people who
 * blocked the app, and a record of every activity it accepted so a test can count the lost and
 * the duplicated.
 */
export interface ConnectorEmulatorOptions {
  /** Default tenant for conversations created without channelData. */
  tenantId?: string;
  tenantRules?: readonly WindowRule[];
  conversationRules?: readonly WindowRule[];
  /** Milliseconds each answer waits (a real connector takes 100–300 ms). */
  latencyMs?: number;
  /** Keep each activity's body (tests); a benchmark keeps only counts. */
  recordBodies?: boolean;
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number;
  /**
   * Installs are asynchronous in Teams: after `installApp` for someone `uninstallApp` named, this
   * many more create-conversation requests for them still answer 403 before the install lands.
   * Inferred, not documented: Graph's install call returns before Teams can reach the person.
   */
  installDelayRequests?: number;
  /**
   * Whether the app is installed (and the install has landed) for a person: when given, a
   * create-conversation for anyone it says no to is refused 403 as not installed, e.g. the Graph
   * emulator's `teamsAppReachable`, so an install made through Graph reaches the person only
   * once it lands, as in Teams (sources in graph-emulator/teamwork.ts, installLandsAfterMs).
   */
  appInstalled?: (userId: string) => boolean;
  /**
   * The tenant ceiling, requests a second per app per tenant (default 50, the current "Rate
   * limiting" page; older pages said 30): the same setting as the sender's
   * COUNTERSIGN_TEAMS_TENANT_RPS. Ignored when `tenantRules` is given.
   */
  tenantRequestsPerSecond?: number;
  /**
   * The strict checks of a real connector's request shapes, as documented (see `strictRefusal`):
   * a create-conversation needs the tenant id, and its member id must be an Entra object id (a
   * GUID) or a Teams user id (`29:…`). Off by default: many tests name people 'user-1'.
   */
  strict?: boolean;
  /**
   * The largest activity accepted, in bytes of its JSON as UTF-16 (default 100 KB): past it,
   * 413 MessageSizeTooBig ("Format your bot messages": "The bot message size limit is 100 KB …
   * encoded as UTF-16 … the bot receives a 413 status code (RequestEntityTooLarge), which
   * contains the error code MessageSizeTooBig"; older versions of the page said 40 KB).
   */
  maxActivityBytes?: number;
  /**
   * The share of sends and creates (0–1) answered 412 PreconditionFailed or 502 ServiceError at
   * random, as the "Status codes from bot conversational APIs" table and "Rate limiting" page
   * say Teams may (both retryable there). Drawn from a seeded PRNG so a run repeats.
   */
  transientFailures?: { rate: number; seed?: number };
  /**
   * The status of the "not in the roster" answer (code BotNotInConversationRoster) for someone
   * without the app: 403 by default, as "Status codes from bot conversational APIs" documents
   * it and as bot-docs#1527 and company-communicator#744 saw it; 404 as the targeted messages
   * page's Teams SDK table gives the same code, so the messenger is tested with both.
   */
  notInRosterStatus?: 403 | 404;
}

/** The default of `maxActivityBytes`: 100 KB, counted as Teams counts it (UTF-16). */
export const MAX_ACTIVITY_BYTES = 100 * 1024;

/** An Entra object id (GUID) or a Teams user MRI: the member ids Teams documents for a 1:1. */
const DOCUMENTED_MEMBER_ID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|29:[^\s]{1,512})$/i;

/** Mulberry32: a small seeded PRNG, so injected failures repeat run after run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface DeliveredActivity {
  activityId: string;
  conversationId: string;
  userId: string;
  tenantId: string;
  /** Emulator milliseconds when accepted. */
  at: number;
  kind: 'create' | 'update';
  /**
   * The `data.action` of the card's refresh (what a Universal Actions card says it is, e.g.
   * `refreshPrompt`, `refreshApproval`), kept without the body so a benchmark can tell a
   * campaign's cards from approval requests.
   */
  refreshAction?: string;
  /**
   * The refresh data's `acknowledgementId` when it names one (an approval request names the
   * signature it asks about), so a benchmark counts approval cards per signature.
   */
  refreshAcknowledgementId?: string;
  activity?: unknown;
}

export interface ConnectorCounters {
  requests: number;
  conversationsCreated: number;
  activitiesSent: number;
  activitiesUpdated: number;
  throttled: number;
  forbidden: number;
  notFound: number;
  injectedFailures: number;
  unauthorized: number;
  /** Answered GET …/members/{id} lookups. */
  membersLookedUp: number;
  /** The most requests accepted for one tenant within any one second, as seen. */
  maxTenantPerSecond: number;
}

export interface ConnectorEmulator {
  /** Base URL to use as the serviceUrl (ends with '/'). */
  url: string;
  counters(): ConnectorCounters;
  delivered(): readonly DeliveredActivity[];
  /** The first 1,000 429s: when (emulator ms) and how long the request would have had to wait. */
  throttles(): readonly { at: number; waitMs: number; scope: 'tenant' | 'conversation' }[];
  /** Activities created per user (a count > 1 for a one-message campaign is a duplicate). */
  sendsPerUser(): Map<string, number>;
  /** 403 on create-conversation and send for these people (they blocked the app). */
  blockUsers(userIds: Iterable<string>): void;
  /** They unblocked the app: reachable again. */
  unblockUsers(userIds: Iterable<string>): void;
  /** 403 on create-conversation until `installApp` lands (the app is not installed for them). */
  uninstallApp(userIds: Iterable<string>): void;
  installApp(userId: string): void;
  /**
   * The next `count` requests answer `status` (e.g. 500, 503) before doing anything, with the
   * error code Teams gives it where the emulator knows one (injectedAnswer).
   */
  failNext(count: number, status: number): void;
  /** Every member lookup answers `status` (as failNext's answers) until given undefined. */
  failMemberLookups(status: number | undefined): void;
  /** The conversation id the emulator uses for a person's 1:1 chat. */
  conversationIdFor(userId: string): string;
  close(): Promise<void>;
}

const createConversationBody = z.object({
  bot: z.object({ id: z.string() }).optional(),
  isGroup: z.boolean().optional(),
  members: z.array(z.object({ id: z.string().min(1) })).length(1),
  channelData: z.object({ tenant: z.object({ id: z.string().min(1) }) }).optional(),
  tenantId: z.string().optional(),
});

const activityBody = z.looseObject({ type: z.string().min(1) });
const refreshedCard = z.looseObject({
  attachments: z
    .array(
      z.looseObject({
        content: z.looseObject({
          refresh: z.looseObject({
            action: z.looseObject({
              data: z.looseObject({
                action: z.string(),
                acknowledgementId: z.string().optional(),
              }),
            }),
          }),
        }),
      }),
    )
    .min(1),
});

const PREFIX = 'a:emu-';

function conversationIdFor(userId: string): string {
  return PREFIX + Buffer.from(userId, 'utf8').toString('base64url');
}

/**
 * The Teams user id (MRI) the emulator gives a person: `29:` and the id they were created with
 * (an MRI stays as it is). The same form the bot tests' activities use in `from.id`. A real MRI
 * is opaque (`29:1GcS4EyB…`); nothing may derive one from an Entra id, so nothing but the
 * emulator does.
 */
export function emulatedTeamsUserId(userId: string): string {
  return userId.startsWith('29:') ? userId : `29:${userId}`;
}

function userOf(conversationId: string): string | null {
  if (!conversationId.startsWith(PREFIX)) return null;
  const user = Buffer.from(conversationId.slice(PREFIX.length), 'base64url').toString('utf8');
  return user.length > 0 ? user : null;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const errorAnswer = (status: number, code: string, message: string): Answer => ({
  status,
  body: { error: { code, message } },
});

// Microsoft's "Status codes from bot conversational APIs" (Send and receive messages,
// https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/conversations/conversation-messages):
// a person who blocked the bot gets 403 ConversationBlockedByUser, "User blocked the
// conversation with the bot." (and a conversation that does not exist, 404 ConversationNotFound,
// "Conversation not found.", as the answers below give it).
const blockedAnswer = (): Answer =>
  errorAnswer(403, 'ConversationBlockedByUser', 'User blocked the conversation with the bot.');

/**
 * Someone without the app (never installed, removed, or installed and not landed yet): the bot
 * is not in their roster. The body as Teams answered POST /v3/conversations in
 * MicrosoftDocs/bot-docs#1527, `{"error":{"code":"BotNotInConversationRoster","message":"The bot
 * is not part of the conversation roster."}}`, the message company-communicator#744 reports for
 * people who never installed the app, and the code and status of the "Status codes from bot
 * conversational APIs" table (which words the message "The bot isn't part of …"). The same for a
 * send over a conversation stored before the app was removed (BotFramework-Services#344).
 */
const notInRosterAnswer = (status: 403 | 404): Answer =>
  errorAnswer(
    status,
    'BotNotInConversationRoster',
    'The bot is not part of the conversation roster.',
  );

/**
 * An answer made to order: 412 PreconditionFailed and 429 with Retry-After as the connector
 * answers them (the same as transientFailure's and admit's), anything else ServiceError.
 */
function injectedAnswer(status: number): Answer {
  if (status === 412) {
    return errorAnswer(412, 'PreconditionFailed', 'Precondition failed, please try again.');
  }
  if (status === 429) {
    return {
      ...errorAnswer(429, 'Throttled', 'Too many requests; retry after the given delay.'),
      headers: { 'Retry-After': '1' },
    };
  }
  return errorAnswer(status, 'ServiceError', 'Injected failure.');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  // No size limit of its own: the emulator reads whatever a test sends.
  const body = await readBodyAtMost(req, Number.POSITIVE_INFINITY);
  const text = body?.toString('utf8') ?? '';
  return text.length === 0 ? undefined : (JSON.parse(text) as unknown);
}

export async function startConnectorEmulator(
  options: ConnectorEmulatorOptions = {},
): Promise<ConnectorEmulator> {
  const now = options.now ?? (() => performance.now());
  const defaultTenant = options.tenantId ?? 'emulated-tenant';
  const tenantRules =
    options.tenantRules ??
    (options.tenantRequestsPerSecond === undefined
      ? TENANT_RULES
      : [{ limit: options.tenantRequestsPerSecond, windowMs: 1_000 }]);
  const maxActivityBytes = options.maxActivityBytes ?? MAX_ACTIVITY_BYTES;
  const notInRosterStatus = options.notInRosterStatus ?? 403;
  const random = seededRandom(options.transientFailures?.seed ?? 1);
  /** An occasional 412 or 502 when configured (both documented as retryable). */
  const transientFailure = (): Answer | null => {
    const rate = options.transientFailures?.rate ?? 0;
    if (rate <= 0 || random() >= rate) return null;
    counters.injectedFailures += 1;
    return random() < 0.5
      ? errorAnswer(412, 'PreconditionFailed', 'Precondition failed, please try again.')
      : errorAnswer(502, 'ServiceError', 'The service is unavailable, please try again.');
  };
  const conversationRules = options.conversationRules ?? CONVERSATION_RULES;
  const tenants = new Map<string, SlidingWindows>();
  const conversations = new Map<string, SlidingWindows>();
  const conversationTenant = new Map<string, string>();
  const blocked = new Set<string>();
  const notInstalled = new Set<string>();
  /** People whose install has been asked for but not yet landed: requests left to refuse. */
  const installing = new Map<string, number>();
  const delivered: DeliveredActivity[] = [];
  /** The activity ids this emulator answered to a create, per conversation: what PUT may update. */
  const sentIds = new Map<string, Set<string>>();
  const throttles: { at: number; waitMs: number; scope: 'tenant' | 'conversation' }[] = [];
  const perUser = new Map<string, number>();
  const injected: { count: number; status: number } = { count: 0, status: 500 };
  let lookupFailure: number | undefined;
  const counters: ConnectorCounters = {
    requests: 0,
    conversationsCreated: 0,
    activitiesSent: 0,
    activitiesUpdated: 0,
    throttled: 0,
    forbidden: 0,
    notFound: 0,
    injectedFailures: 0,
    unauthorized: 0,
    membersLookedUp: 0,
    maxTenantPerSecond: 0,
  };

  const windowsFor = (
    map: Map<string, SlidingWindows>,
    key: string,
    rules: readonly WindowRule[],
  ): SlidingWindows => {
    let windows = map.get(key);
    if (windows === undefined) {
      windows = new SlidingWindows(rules);
      map.set(key, windows);
    }
    return windows;
  };

  /** Checks the tenant (and conversation) limits; records the request when within them. */
  const admit = (tenantId: string, conversationId?: string): Answer | null => {
    const at = now();
    const tenant = windowsFor(tenants, tenantId, tenantRules);
    const conversation =
      conversationId === undefined
        ? undefined
        : windowsFor(conversations, conversationId, conversationRules);
    const tenantWait = tenant.waitMs(at);
    const wait = Math.max(tenantWait, conversation?.waitMs(at) ?? 0);
    if (wait > 0) {
      counters.throttled += 1;
      if (throttles.length < 1_000) {
        throttles.push({ at, waitMs: wait, scope: tenantWait >= wait ? 'tenant' : 'conversation' });
      }
      // 429 Throttled with Retry-After: the "Status codes from bot conversational APIs" table.
      return {
        status: 429,
        headers: { 'Retry-After': String(Math.max(1, Math.ceil(wait / 1000))) },
        body: {
          error: { code: 'Throttled', message: 'Too many requests; retry after the given delay.' },
        },
      };
    }
    tenant.record(at);
    conversation?.record(at);
    counters.maxTenantPerSecond = Math.max(
      counters.maxTenantPerSecond,
      tenant.countWithin(at, 1_000),
    );
    return null;
  };

  const handle = async (req: IncomingMessage): Promise<Answer> => {
    counters.requests += 1;
    if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) {
      counters.unauthorized += 1;
      // A connector call needs the bot's token ("Authentication with the Bot Connector API"); the
      // code and message of the refusal are inferred.
      return errorAnswer(401, 'Unauthorized', 'A bearer token is required.');
    }
    if (injected.count > 0) {
      injected.count -= 1;
      counters.injectedFailures += 1;
      return injectedAnswer(injected.status);
    }
    const url = new URL(req.url ?? '/', 'http://emulator');
    const parts = url.pathname
      .split('/')
      .filter((p) => p.length > 0)
      .map(decodeURIComponent);
    let body: unknown;
    try {
      body = await readJson(req);
    } catch {
      // Code inferred (the "Status codes" table gives only 'Bad Argument' for bad payloads).
      return errorAnswer(400, 'BadSyntax', 'The body is not JSON.');
    }

    // POST /v3/conversations
    if (
      req.method === 'POST' &&
      parts.length === 2 &&
      parts[0] === 'v3' &&
      parts[1] === 'conversations'
    ) {
      const parsed = createConversationBody.safeParse(body);
      if (!parsed.success) return errorAnswer(400, 'BadSyntax', parsed.error.message);
      const named = parsed.data.channelData?.tenant.id ?? parsed.data.tenantId;
      if (options.strict === true) {
        // "Create the conversation": a 1:1 needs the tenant id with the user's id (Teams'
        // proactive messages page); the error code is inferred.
        if (named === undefined) {
          return errorAnswer(400, 'BadArgument', 'A conversation with a user needs the tenant id.');
        }
        const memberId = parsed.data.members[0]?.id ?? '';
        if (!DOCUMENTED_MEMBER_ID.test(memberId)) {
          // Teams' proactive messages page names the user's Microsoft Entra id or Teams user id
          // (29:…); anything else (a UPN, an e-mail, 8:orgid:…) is refused here (inferred).
          return errorAnswer(400, 'BadArgument', `Member id '${memberId}' is not a user id.`);
        }
      }
      const tenantId = named ?? defaultTenant;
      const failed = transientFailure();
      if (failed !== null) return failed;
      const throttled = admit(tenantId);
      if (throttled !== null) return throttled;
      const userId = parsed.data.members[0]?.id ?? '';
      const landing = installing.get(userId);
      if (landing !== undefined) {
        if (landing <= 1) installing.delete(userId);
        else installing.set(userId, landing - 1);
      }
      if (blocked.has(userId)) {
        counters.forbidden += 1;
        return blockedAnswer();
      }
      if (
        notInstalled.has(userId) ||
        landing !== undefined ||
        options.appInstalled?.(userId) === false
      ) {
        if (notInRosterStatus === 404) counters.notFound += 1;
        else counters.forbidden += 1;
        return notInRosterAnswer(notInRosterStatus);
      }
      const conversationId = conversationIdFor(userId);
      conversationTenant.set(conversationId, tenantId);
      counters.conversationsCreated += 1;
      return { status: 201, body: { id: conversationId } };
    }

    // GET /v3/conversations/{id}/members/{memberId}: "Get single member details" ("Get Teams
    // specific context for your bot", learn.microsoft.com/microsoftteams/platform/bots/how-to/get-teams-context):
    // the member named by "Teams user ID, UPN, or Azure AD Object ID", answered as the page's
    // regular user (id 29:…, objectId, givenName, surname, email, userPrincipalName, tenantId,
    // userRole). The emulator knows a person by the id their conversation was created with and
    // their MRI; it has no names, so it answers the id, objectId (when that id is a GUID),
    // tenantId and userRole. Someone not in the conversation: 404 MemberNotFoundInConversation,
    // "Member not found in conversation." (the code and message reported in
    // microsoft/botbuilder-js#4614 and #2749; the status inferred). It counts against the
    // tenant's requests per second like any connector call (inferred; #2749 asks bots not to
    // make it needlessly for that reason).
    if (
      req.method === 'GET' &&
      parts.length === 5 &&
      parts[0] === 'v3' &&
      parts[1] === 'conversations' &&
      parts[3] === 'members'
    ) {
      if (lookupFailure !== undefined) {
        counters.injectedFailures += 1;
        return injectedAnswer(lookupFailure);
      }
      const conversationId = parts[2] ?? '';
      const memberId = parts[4] ?? '';
      const tenantId = conversationTenant.get(conversationId);
      const throttled = admit(tenantId ?? defaultTenant);
      if (throttled !== null) return throttled;
      const userId = userOf(conversationId);
      if (userId === null || tenantId === undefined) {
        counters.notFound += 1;
        return errorAnswer(404, 'ConversationNotFound', 'Conversation not found.');
      }
      const mri = emulatedTeamsUserId(userId);
      if (memberId.toLowerCase() !== userId.toLowerCase() && memberId !== mri) {
        counters.notFound += 1;
        return errorAnswer(
          404,
          'MemberNotFoundInConversation',
          'Member not found in conversation.',
        );
      }
      const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
      counters.membersLookedUp += 1;
      return {
        status: 200,
        body: {
          id: mri,
          ...(guid.test(userId) ? { objectId: userId } : {}),
          tenantId,
          userRole: 'user',
        },
      };
    }

    // POST /v3/conversations/{id}/activities and PUT …/activities/{activityId}
    if (
      parts.length >= 4 &&
      parts[0] === 'v3' &&
      parts[1] === 'conversations' &&
      parts[3] === 'activities'
    ) {
      const conversationId = parts[2] ?? '';
      const isCreate = req.method === 'POST' && parts.length === 4;
      const isUpdate = req.method === 'PUT' && parts.length === 5;
      if (!isCreate && !isUpdate) return errorAnswer(405, 'MethodNotAllowed', 'Not supported.');
      const userId = userOf(conversationId);
      const tenantId = conversationTenant.get(conversationId) ?? defaultTenant;
      const throttled = admit(tenantId, conversationId);
      if (throttled !== null) return throttled;
      if (userId === null) {
        counters.notFound += 1;
        return errorAnswer(404, 'ConversationNotFound', 'Conversation not found.');
      }
      if (blocked.has(userId)) {
        counters.forbidden += 1;
        return blockedAnswer();
      }
      if (notInstalled.has(userId) || options.appInstalled?.(userId) === false) {
        // The app was removed after the conversation was made: the bot left the roster.
        if (notInRosterStatus === 404) counters.notFound += 1;
        else counters.forbidden += 1;
        return notInRosterAnswer(notInRosterStatus);
      }
      if (isUpdate && sentIds.get(conversationId)?.has(parts[4] ?? '') !== true) {
        // An update of an activity this conversation never had is refused: the connector
        // answers ActivityNotFoundInConversation, "Message does not exist in the thread."
        // (a Microsoft engineer's test in microsoft/BotFramework-Services#269; the same code
        // reported in MicrosoftDocs/msteams-docs#6139). Its status there is not shown: 404 is
        // inferred (the connector's other "not found" answers are 404, and the messenger's
        // not-found outcome is what a caller must see: nothing to update, not worth retrying).
        counters.notFound += 1;
        return errorAnswer(
          404,
          'ActivityNotFoundInConversation',
          'Message does not exist in the thread.',
        );
      }
      const parsed = activityBody.safeParse(body);
      if (!parsed.success) return errorAnswer(400, 'BadSyntax', parsed.error.message);
      // JSON.stringify's length is its UTF-16 code units: two bytes each.
      if (JSON.stringify(parsed.data).length * 2 > maxActivityBytes) {
        return errorAnswer(413, 'MessageSizeTooBig', 'Message size too large.');
      }
      const failed = transientFailure();
      if (failed !== null) return failed;
      const activityId = isUpdate ? (parts[4] ?? '') : `1:${randomUUID()}`;
      const card = refreshedCard.safeParse(parsed.data);
      const refreshData = card.success
        ? card.data.attachments[0]?.content.refresh.action.data
        : undefined;
      const refreshAction = refreshData?.action;
      const refreshAcknowledgementId = refreshData?.acknowledgementId;
      delivered.push({
        activityId,
        conversationId,
        userId,
        tenantId,
        at: now(),
        kind: isCreate ? 'create' : 'update',
        ...(refreshAction === undefined ? {} : { refreshAction }),
        ...(refreshAcknowledgementId === undefined ? {} : { refreshAcknowledgementId }),
        ...(options.recordBodies === true ? { activity: parsed.data } : {}),
      });
      if (isCreate) {
        const ids = sentIds.get(conversationId) ?? new Set<string>();
        ids.add(activityId);
        sentIds.set(conversationId, ids);
        counters.activitiesSent += 1;
        perUser.set(userId, (perUser.get(userId) ?? 0) + 1);
        return { status: 201, body: { id: activityId } };
      }
      counters.activitiesUpdated += 1;
      return { status: 200, body: { id: activityId } };
    }
    // A call the emulator does not serve (Countersign makes none): code and message inferred.
    return errorAnswer(404, 'NotFound', `No route for ${req.method ?? ''} ${url.pathname}.`);
  };

  const respond = (res: ServerResponse, answer: Answer): void => {
    const headers: Record<string, string> = { ...answer.headers };
    let payload = '';
    if (answer.body !== undefined) {
      headers['Content-Type'] = 'application/json; charset=utf-8';
      payload = JSON.stringify(answer.body);
    }
    res.writeHead(answer.status, headers);
    res.end(payload);
  };

  const server = createServer((req, res) => {
    handle(req)
      .then(async (answer) => {
        if ((options.latencyMs ?? 0) > 0) {
          await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
        }
        respond(res, answer);
      })
      .catch((error: unknown) => {
        respond(res, errorAnswer(500, 'InternalError', String(error)));
      });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    counters: () => ({ ...counters }),
    delivered: () => delivered,
    throttles: () => throttles,
    sendsPerUser: () => new Map(perUser),
    blockUsers: (userIds) => {
      for (const id of userIds) blocked.add(id);
    },
    unblockUsers: (userIds) => {
      for (const id of userIds) blocked.delete(id);
    },
    uninstallApp: (userIds) => {
      for (const id of userIds) notInstalled.add(id);
    },
    installApp: (userId) => {
      const delay = options.installDelayRequests ?? 0;
      if (notInstalled.delete(userId) && delay > 0) installing.set(userId, delay);
    },
    failNext: (count, status) => {
      injected.count = count;
      injected.status = status;
    },
    failMemberLookups: (status) => {
      lookupFailure = status;
    },
    conversationIdFor,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
