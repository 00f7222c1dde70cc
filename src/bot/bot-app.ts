import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, type AppOptions, type IPlugin } from '@microsoft/teams.apps';
import type { Activity } from '@microsoft/teams.api';
import type { AuditEvent } from '../domain/audit-event.ts';
import type { AppRole } from '../domain/school-roles.ts';
import { CountersignError } from '../domain/errors.ts';
import { systemClock } from '../ports/clock.ts';
import type { Actor } from '../services/actor.ts';
import type { GateResult } from './auth/inbound-activity-gate.ts';
import type { ActivityIdentity, BotDeps, BotLogger, SchoolBotDeps } from './bot-deps.ts';
import { CardActionHandler } from './card-action-handler.ts';
import { cardActionSchema, cardActionSubject } from './card-actions.ts';
import {
  errorCard,
  helpCard,
  statusCard,
  HELP_TEXT,
  isUserMri,
  withRefreshUsers,
  type AdaptiveCard,
} from './cards/index.ts';
import { NodeHttpAdapter } from './node-http-adapter.ts';
import { PromptBuilder } from './prompt-builder.ts';

export const MESSAGING_ENDPOINT = '/api/messages';

/**
 * The Countersign bot: a Teams SDK App whose transport is our own node:http server.
 *
 * How the server mounts it (src/server composes ONE node:http server for API, tab and bot):
 *
 *   const bot = createBot({ service, resolveActor, cards, devMode, ... });
 *   await bot.initialize();                       // once, before serving: registers the routes
 *   const server = http.createServer((req, res) => {
 *     if (bot.matches(req)) {                     // POST /api/messages
 *       bot.handle(req, res).catch((error) => { log it; if (!res.headersSent) res.writeHead(500).end(); });
 *       return;
 *     }
 *     // … /api/* and the tab's files
 *   });
 *
 * Do not call `bot.app.start()`: it would try to listen on a port of its own. The SDK validates
 * the Bot Connector's JWT on every request unless `devMode && allowUnauthenticated` (the Agents
 * Playground sends none). With a `clientId`, every reply and proactive send carries a token
 * from `token` or `clientSecret`; the SDK decodes it as a JWT, so local runs pass
 * `token: localBotToken(clientId)` (a plain string fails every reply). Proactive sends
 * (`bot.app.send`) also need `serviceUrl` (the Playground's `/_connector` locally).
 */
export interface CountersignBot {
  readonly app: App;
  readonly messagingEndpoint: typeof MESSAGING_ENDPOINT;
  initialize(): Promise<void>;
  /** True for the requests `handle` serves (POST /api/messages). */
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const CARD_RESPONSE_TYPE = 'application/vnd.microsoft.card.adaptive';

/** The sender as Teams identifies them; undefined when the channel gives no Entra id. */
export function identityOf(activity: Activity): ActivityIdentity | undefined {
  const id = activity.from.aadObjectId;
  if (id === undefined || id === '') return undefined;
  const tenantId = activity.conversation.tenantId ?? activity.channelData?.tenant?.id;
  return {
    aadObjectId: id,
    ...(activity.from.name === '' ? {} : { name: activity.from.name }),
    ...(tenantId === undefined ? {} : { tenantId }),
  };
}

function appOptions(deps: BotDeps, adapter: NodeHttpAdapter): AppOptions<IPlugin> {
  const allowUnauthenticated = deps.allowUnauthenticated === true;
  if (allowUnauthenticated && !deps.devMode) {
    throw new CountersignError(
      'validation',
      'Unauthenticated bot requests are allowed in dev mode only.',
    );
  }
  if (!deps.devMode && deps.clientId === undefined) {
    throw new CountersignError(
      'validation',
      'The bot needs its client id outside dev mode: it validates every request’s token.',
    );
  }
  if (!deps.devMode && deps.inbound === undefined) {
    // The SDK's own validator lets Entra user tokens through (see inbound-activity-gate.ts).
    throw new CountersignError(
      'validation',
      'The bot needs its inbound gate outside dev mode: only the Bot Connector may speak for a person.',
    );
  }
  return {
    httpServerAdapter: adapter,
    messagingEndpoint: MESSAGING_ENDPOINT,
    // Explicit, so the SDK never falls back to its own environment variables.
    dangerouslyAllowUnauthenticatedRequests: allowUnauthenticated,
    activity: { mentions: { stripText: true } },
    ...(deps.clientId === undefined ? {} : { clientId: deps.clientId }),
    ...(deps.clientSecret === undefined ? {} : { clientSecret: deps.clientSecret }),
    ...(deps.tenantId === undefined ? {} : { tenantId: deps.tenantId }),
    ...(deps.token === undefined ? {} : { token: deps.token }),
    ...(deps.serviceUrl === undefined ? {} : { serviceUrl: deps.serviceUrl }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
  };
}

/**
 * The data of an Action.Submit: the fallback an older Teams client shows for our Action.Execute
 * buttons (card-kit.ts, execute). Teams posts it as a message activity with no text and the
 * card's data, inputs merged in, as `value` (learn.microsoft.com/microsoftteams/platform/
 * task-modules-and-cards/cards/cards-actions, Action.Submit). Only an object naming an `action`
 * counts; the handler validates the rest exactly as it does an invoke's data.
 */
export function submittedCardData(activity: {
  text?: string | undefined;
  value?: unknown;
}): Record<string, unknown> | undefined {
  const value = activity.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if ((activity.text ?? '').trim() !== '') return undefined;
  const data = value as Record<string, unknown>;
  return typeof data['action'] === 'string' ? data : undefined;
}

/**
 * A card answered in the sender's own conversation refreshes for them by MRI (`from.id`, the
 * documented source), never by their Entra object id.
 */
function forSender(card: AdaptiveCard, activity: Activity): AdaptiveCard {
  return withRefreshUsers(card, [activity.from.id]);
}

/** The words the bot understands; anything else gets the one-line help. */
export function commandOf(text: string | undefined): 'status' | 'sign' | 'help' | undefined {
  const said = (text ?? '').trim().toLowerCase();
  if (said === '?') return 'help';
  const word = said.replace(/[.!?]+$/, '');
  if (word === 'status' || word === 'my status') return 'status';
  if (word === 'sign' || word === 'sign it' || word === 'sign now') return 'sign';
  if (word === 'help') return 'help';
  return undefined;
}

/** Counts refusals per key; admits one write an hour per key, carrying the count since. */
export class RefusalTally {
  readonly #entries = new Map<string, { writtenAt: number; pending: number }>();
  readonly #everyMs: number;
  readonly #maxKeys: number;
  constructor(everyMs = 60 * 60 * 1000, maxKeys = 1_000) {
    this.#everyMs = everyMs;
    this.#maxKeys = maxKeys;
  }

  /** 0: counted, nothing to write yet. n > 0: write one event for n refusals. */
  admit(key: string, nowMs: number): number {
    const entry = this.#entries.get(key);
    if (entry !== undefined && nowMs - entry.writtenAt < this.#everyMs) {
      entry.pending += 1;
      return 0;
    }
    if (entry === undefined && this.#entries.size >= this.#maxKeys) {
      // Oldest key first (Map keeps insertion order): its pending count goes in its next event.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.delete(key);
    this.#entries.set(key, { writtenAt: nowMs, pending: 0 });
    return (entry?.pending ?? 0) + 1;
  }
}

/** The audit event for a genuine activity refused for its tenant or channel. */
export function refusalEvent(
  refusal: Extract<GateResult, { kind: 'refused' }>,
  id: string,
  at: Date,
): AuditEvent | undefined {
  const activity = refusal.activity;
  if (refusal.status !== 403 || activity === undefined) return undefined;
  return {
    id,
    type: 'bot.activity-refused',
    actorId: activity.fromId ?? 'unknown',
    at: at.toISOString(),
    subject: `${activity.channelId}:${activity.tenantIds.join(',') || 'no-tenant'}`,
    details: {
      reason: refusal.reason,
      channelId: activity.channelId,
      tenantIds: activity.tenantIds,
      activityType: activity.type,
    },
  };
}

export function createBot(deps: BotDeps): CountersignBot {
  const adapter = new NodeHttpAdapter({
    ...(deps.inbound === undefined ? {} : { gate: deps.inbound }),
    onRefused: (refusal) => onRefused(refusal),
  });
  const app = new App(appOptions(deps, adapter));

  const tally = new RefusalTally();
  async function onRefused(refusal: Extract<GateResult, { kind: 'refused' }>): Promise<void> {
    // Anyone can post here: 401s are debug noise, not warnings to fill the logs with.
    if (refusal.status === 401) app.log.debug(`bot activity refused (401 ${refusal.reason})`);
    else app.log.warn(`bot activity refused (${refusal.status} ${refusal.reason})`);
    const now = (deps.clock ?? systemClock).now();
    const event = refusalEvent(refusal, (deps.newId ?? (() => crypto.randomUUID()))(), now);
    if (event === undefined || deps.audit === undefined) return;
    // One event per tenant, channel and reason an hour, with the count since the last one: a
    // sender in another tenant cannot spend the site's write budget or bury the audit log.
    const count = tally.admit(`${event.subject}|${refusal.reason}`, now.getTime());
    if (count === 0) return;
    event.details = { ...event.details, count };
    try {
      await deps.audit(event);
    } catch (error) {
      // The refusal stands either way; a lost audit write is logged, not answered as a 500.
      app.log.error('could not audit a refused activity', error);
    }
  }
  const served = schoolHandlers(deps);
  // A card naming a school its sender is not in: refused, and kept in the audit log as a card
  // acted on by someone it was not for (as the handler keeps a card pressed by another person).
  async function refusedSchool(
    identity: ActivityIdentity,
    data: unknown,
    school: string,
  ): Promise<void> {
    const parsed = cardActionSchema.safeParse(data);
    const event: AuditEvent = {
      id: (deps.newId ?? (() => crypto.randomUUID()))(),
      type: 'card.identity-mismatch',
      actorId: identity.aadObjectId,
      at: (deps.clock ?? systemClock).now().toISOString(),
      subject: parsed.success ? cardActionSubject(parsed.data) : 'card',
      details: {
        verb: parsed.success ? parsed.data.action : 'unknown',
        cardSchool: school,
        reason: 'not-in-school',
      },
    };
    app.log.warn('card action naming a school its sender is not in refused', event);
    if (deps.audit === undefined) return;
    try {
      await deps.audit(event);
    } catch (error) {
      // The refusal stands either way; a lost audit write is logged, not answered as a 500.
      app.log.error('could not audit a card naming another school', error);
    }
  }

  // A span per activity (an in-process dependency of the /api/messages request in Application
  // Insights): its type and name say what the bot did with the request's time.
  const telemetry = deps.telemetry;
  if (telemetry !== undefined) {
    app.use((ctx) =>
      telemetry.span(
        `bot ${ctx.activity.type}${'name' in ctx.activity && typeof ctx.activity.name === 'string' ? ` ${ctx.activity.name}` : ''}`,
        'internal',
        {
          'countersign.activity.type': ctx.activity.type,
          'countersign.activity.channel': ctx.activity.channelId,
          'countersign.activity.conversation_type':
            ctx.activity.conversation.conversationType ?? 'unknown',
        },
        // The inner handlers' answer (an invoke response) passes through unchanged.
        async () => ctx.next(),
      ),
    );
  }

  // Remember 1:1 conversations so campaigns can reach people who have talked to the bot, with
  // the person's Teams user id (MRI) for the refresh of the cards sent to them later. The app's
  // install in their personal scope counts: Teams sends the bot an installationUpdate there
  // ("When your app is installed for the user, the bot receives an install activity … to capture
  // the conversationId", learn.microsoft.com/microsoftteams/platform/graph-api/proactive-bots-
  // and-messages/send-personal-welcome-message), and its `from.id` is the MRI.
  app.use(async (ctx) => {
    const seen = deps.notifications?.conversationSeen;
    const identity = identityOf(ctx.activity);
    if (
      seen !== undefined &&
      identity !== undefined &&
      ctx.activity.conversation.conversationType === 'personal'
    ) {
      try {
        await seen({
          userId: identity.aadObjectId,
          conversationId: ctx.activity.conversation.id,
          serviceUrl: ctx.activity.serviceUrl ?? '',
          tenantId: identity.tenantId ?? '',
          ...(isUserMri(ctx.activity.from.id) ? { userMri: ctx.activity.from.id } : {}),
        });
      } catch (error) {
        ctx.log.error('could not remember the conversation', error);
      }
    }
    return ctx.next();
  });

  app.on('message', async (ctx) => {
    const submitted = submittedCardData(ctx.activity);
    if (submitted !== undefined) {
      // An older client's Action.Submit: the same handler, identity and checks as the invoke
      // (the person acting is the activity's sender; the card's data names nobody who acts).
      // There is no invoke response to replace the card with, so the answer is a new message.
      const card = await cardAction(
        served,
        identityOf(ctx.activity),
        submitted,
        ctx.log,
        refusedSchool,
      );
      await ctx.send(forSender(card, ctx.activity));
      return;
    }
    const identity = identityOf(ctx.activity);
    if (identity === undefined) {
      await ctx.send('Teams did not say who you are, so I cannot look up your policies here.');
      return;
    }
    const command = commandOf(ctx.activity.text);
    if (command === 'status' || command === 'sign') {
      const schools = await everySchoolOrRefusal(served, identity);
      if (typeof schools === 'string') {
        await ctx.send(schools);
        return;
      }
      const personal = ctx.activity.conversation.conversationType === 'personal';
      const answer = await commandAnswer(personal ? command : 'status', schools, identity, ctx.log);
      if (!personal) {
        // A group chat or channel is not the place for one person's status, nor for signing:
        // both happen in the private chat, never in front of others.
        const first = schools[0] as ServedSchool;
        await ctx.send(
          await statusPrivately(first.handlers.deps, answer.actorId, answer.status, ctx.log),
        );
        return;
      }
      for (const card of answer.cards) {
        await ctx.send(typeof card === 'string' ? card : forSender(card, ctx.activity));
      }
      return;
    }
    switch (command) {
      case 'help':
        await ctx.send(helpCard(deps.cards));
        return;
      case undefined:
        await ctx.send(HELP_TEXT);
        return;
    }
  });

  app.on('install.add', async (ctx) => {
    await ctx.send(helpCard(deps.cards));
  });

  app.on('card.action', async (ctx) => {
    const card = await cardAction(
      served,
      identityOf(ctx.activity),
      ctx.activity.value.action.data,
      ctx.log,
      refusedSchool,
    );
    return { statusCode: 200, type: CARD_RESPONSE_TYPE, value: forSender(card, ctx.activity) };
  });

  return {
    app,
    messagingEndpoint: MESSAGING_ENDPOINT,
    initialize: () => app.initialize(),
    matches: (req) => adapter.matches(req),
    handle: (req, res) => adapter.handle(req, res),
  };
}

/** One school's prompt builder and card action handler, over that school's deps. */
interface SchoolHandlers {
  deps: BotDeps;
  prompts: PromptBuilder;
  cardActions: CardActionHandler;
}

type RouteRequest = { requested?: string | undefined; role?: AppRole | undefined };

/** One school of the sender's with its handlers; `name` only when they are in several. */
interface ServedSchool {
  name?: string;
  handlers: SchoolHandlers;
}

interface ServedHandlers {
  (identity: ActivityIdentity, request: RouteRequest): Promise<SchoolHandlers>;
  /** Every school of the sender's (a trust): "status" and "sign" answer from each. */
  every(identity: ActivityIdentity): Promise<ServedSchool[]>;
}

/**
 * The handlers that serve an activity: the bot's own deps for a school of one; in a trust, its
 * sender's school's (deps.route), the handlers made once per school deps object.
 */
function schoolHandlers(deps: BotDeps): ServedHandlers {
  const make = (schoolDeps: SchoolBotDeps): SchoolHandlers => {
    const merged: BotDeps = { ...deps, ...schoolDeps };
    const prompts = new PromptBuilder(merged);
    return { deps: merged, prompts, cardActions: new CardActionHandler(merged, prompts) };
  };
  const own = make(deps);
  const route = deps.route;
  const made = new WeakMap<SchoolBotDeps, SchoolHandlers>();
  const handlersOf = (schoolDeps: SchoolBotDeps): SchoolHandlers => {
    let handlers = made.get(schoolDeps);
    if (handlers === undefined) {
      handlers = make(schoolDeps);
      made.set(schoolDeps, handlers);
    }
    return handlers;
  };
  const one = async (identity: ActivityIdentity, request: RouteRequest) =>
    route === undefined ? own : handlersOf(await route(identity, request));
  const everySchool = deps.everySchool;
  const every = async (identity: ActivityIdentity): Promise<ServedSchool[]> => {
    if (everySchool === undefined) return [{ handlers: await one(identity, {}) }];
    const schools = await everySchool(identity);
    // One school: answered as a school of one (no school named), by the school routing picks.
    if (schools.length <= 1) return [{ handlers: await one(identity, {}) }];
    return schools.map((school) => ({ name: school.name, handlers: handlersOf(school.deps) }));
  };
  return Object.assign(one, { every });
}

/** Every school of the sender's, or what to tell a sender no school of theirs serves. */
async function everySchoolOrRefusal(
  served: ServedHandlers,
  identity: ActivityIdentity,
): Promise<ServedSchool[] | string> {
  try {
    return await served.every(identity);
  } catch (error) {
    if (error instanceof CountersignError && error.code === 'forbidden') return error.message;
    throw error;
  }
}

/** The school's handlers, or the refusal (forbidden: not in that school, or in none). */
async function servedOrRefused(
  served: ServedHandlers,
  identity: ActivityIdentity,
  request: { requested?: string | undefined; role?: AppRole | undefined },
): Promise<SchoolHandlers | CountersignError> {
  try {
    return await served(identity, request);
  } catch (error) {
    if (error instanceof CountersignError && error.code === 'forbidden') return error;
    throw error;
  }
}

/** Verbs on an approval card are the approvers': someone in several schools is served where they approve. */
const APPROVER_VERBS: ReadonlySet<unknown> = new Set(['approve', 'reject', 'refreshApproval']);

/**
 * A card action in its school: the card's `school` (cards carry it in their data) is only a
 * request, checked against the sender's own schools; the handler then checks everything else
 * as before (the sender, the card's recipient, the thing's existence in that school). A card
 * naming a school the sender is not in is refused, nothing done, and audited as a card acted
 * on by someone it was not for (`refusedSchool`).
 */
async function cardAction(
  served: ServedHandlers,
  identity: ActivityIdentity | undefined,
  data: unknown,
  log: BotLogger,
  refusedSchool: (identity: ActivityIdentity, data: unknown, school: string) => Promise<void>,
): Promise<AdaptiveCard> {
  const fields = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  if (identity === undefined) {
    return errorCard({
      title: 'Not signed in',
      message: 'Teams did not say who you are, so this card cannot be used here.',
      code: 'unauthenticated',
    });
  }
  const named = fields['school'];
  if (named !== undefined && (typeof named !== 'string' || named.length < 1 || named.length > 64)) {
    // Not a school id any card of ours carries: no school is guessed for it.
    log.warn('card action naming no valid school refused');
    return errorCard({
      title: 'This card is out of date',
      message: 'Countersign cannot read this card. Type "status" to get a new one.',
      code: 'validation',
    });
  }
  const school = await servedOrRefused(served, identity, {
    requested: named,
    role: APPROVER_VERBS.has(fields['action']) ? 'Policy.Approver' : undefined,
  });
  if (school instanceof CountersignError) {
    if (named !== undefined && school.details['reason'] === 'not-in-school') {
      await refusedSchool(identity, data, named);
    }
    return errorCard({ title: 'Not allowed', message: school.message, code: 'forbidden' });
  }
  return school.cardActions.handle(identity, data, log);
}

const ASK_PRIVATELY =
  'I only show your status in our private chat: open a 1:1 chat with Countersign and type "status".';

async function statusPrivately(
  deps: BotDeps,
  actorId: string,
  status: AdaptiveCard | string | undefined,
  log: BotLogger,
): Promise<string> {
  const sendPrivately = deps.notifications?.sendPrivately;
  if (sendPrivately === undefined || status === undefined) return ASK_PRIVATELY;
  if (typeof status === 'string') return status;
  try {
    await sendPrivately(actorId, 'Your Countersign status', status);
    return 'I have sent your status to you in our private chat.';
  } catch (error) {
    log.warn('could not send the status privately', error);
    return ASK_PRIVATELY;
  }
}

/** What "status" or "sign" answers: the cards and lines to send, in order. */
interface CommandAnswer {
  actorId: string;
  cards: (AdaptiveCard | string)[];
  /** The status card (or why there is none), when the command made one. */
  status?: AdaptiveCard | string;
}

/**
 * "status" and "sign" from every school of the sender's. In one school, as always: the status
 * card, or each due prompt (the status card when nothing is due). In several, each school's
 * answer, each naming its school: one status card listing every school's policies, or every
 * school's due prompts (the status card when none is due anywhere). A school that fails is said
 * in a line of its own; the others still answer.
 */
async function commandAnswer(
  command: 'status' | 'sign',
  schools: readonly ServedSchool[],
  identity: ActivityIdentity,
  log: BotLogger,
): Promise<CommandAnswer> {
  const first = schools[0] as ServedSchool;
  const actors = await Promise.all(
    schools.map((school) => school.handlers.deps.resolveActor(identity)),
  );
  const actor = actors[0] as Actor;
  const failed: string[] = [];
  const each = async <T>(
    work: (school: ServedSchool, actor: Actor) => Promise<T>,
    what: string,
  ): Promise<T[]> => {
    const out: T[] = [];
    // One school at a time: a person is in a handful, and each reads its own policies.
    for (const [i, school] of schools.entries()) {
      try {
        out.push(await work(school, actors[i] as Actor));
      } catch (error) {
        if (!(error instanceof CountersignError)) throw error;
        log.warn(`${what} failed`, error);
        failed.push(
          `I could not get your ${what === 'status' ? 'status' : 'policies'}${school.name === undefined ? '' : ` at ${school.name}`} just now: ${error.message}`,
        );
      }
    }
    return out;
  };
  const status = async (): Promise<AdaptiveCard | undefined> => {
    const entries = (
      await each((school, a) => school.handlers.prompts.statusEntries(a, school.name), 'status')
    ).flat();
    if (failed.length > 0 && entries.length === 0) return undefined;
    return statusCard(
      { person: { userId: actor.id, displayName: actor.displayName }, policies: entries },
      first.handlers.deps.cards,
    );
  };
  if (command === 'sign') {
    const due = (
      await each((school, a) => school.handlers.prompts.dueCards(a, school.name), 'sign cards')
    ).flat();
    if (due.length > 0 || failed.length > 0)
      return { actorId: actor.id, cards: [...due, ...failed] };
  }
  const card = await status();
  const cards = [...(card === undefined ? [] : [card]), ...failed];
  return { actorId: actor.id, cards, status: card ?? failed[0] };
}
