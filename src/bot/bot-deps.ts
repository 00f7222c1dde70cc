import type { AppOptions, IPlugin } from '@microsoft/teams.apps';
import type { InboundActivityGate } from './auth/inbound-activity-gate.ts';
import type { Acknowledgement } from '../domain/acknowledgement.ts';
import type { Approval } from '../domain/approval.ts';
import type { AuditEvent } from '../domain/audit-event.ts';
import type { NamedApprover } from '../domain/approval-route.ts';
import type { Clock } from '../ports/clock.ts';
import type { Telemetry } from '../ports/telemetry.ts';
import type { ConversationRef } from '../ports/messenger.ts';
import type { Actor, AppRole } from '../services/actor.ts';
import type { CountersignService } from '../services/countersign-service.ts';
import type { AdaptiveCard, CardsConfig } from './cards/index.ts';

/** The Teams SDK's logger interface. */
export type BotLogger = NonNullable<AppOptions<IPlugin>['logger']>;

/** Who sent an activity, as Teams says: the only source of identity the bot accepts. */
export interface ActivityIdentity {
  /** `activity.from.aadObjectId`: the Entra object id. */
  aadObjectId: string;
  /** `activity.from.name`. */
  name?: string;
  /** `activity.conversation.tenantId` / `channelData.tenant.id`. */
  tenantId?: string;
}

/**
 * Activities carry no app roles, so the bot asks the composition root who the sender is: their
 * UPN and display name (Directory) and roles (see schoolActorResolver for the default).
 */
export type ResolveActor = (identity: ActivityIdentity) => Promise<Actor>;

/** Appends one audit event (the RecordStore's appendAudit, wrapped). */
export type BotAuditSink = (event: AuditEvent) => Promise<void>;

/**
 * What the bot hands on after a card action; the campaign/notification side sends the messages
 * (it owns conversation references and pacing). A failure here is logged, never undoes the
 * signature or decision already stored.
 */
export interface BotNotifications {
  /**
   * An approver decided: send the signer `card` and update the request card other approvers
   * hold (the deciding approver's card is already replaced by the invoke response).
   */
  approvalDecided?: (input: {
    approval: Approval;
    acknowledgement: Acknowledgement;
    card: AdaptiveCard;
  }) => Promise<void>;
  /** A person wrote to the bot or acted on a card in a 1:1 chat: remember the conversation. */
  conversationSeen?: (ref: ConversationRef) => Promise<void>;
  /**
   * Sends a card to one person in their 1:1 chat with the bot ("status" asked in a group chat
   * is answered there, never in front of the group).
   */
  sendPrivately?: (userId: string, summary: string, card: AdaptiveCard) => Promise<void>;
}

/** What the bot needs of one school: its use cases, its people's roles, its cards' settings. */
export type SchoolBotDeps = Pick<BotDeps, 'service' | 'resolveActor' | 'cards'> &
  Partial<Pick<BotDeps, 'notifications' | 'findDecision'>>;

/**
 * A trust (issue 14, item 3): the school that serves this sender's activity, the one a card's
 * data names if they belong to it (`school`), else the one where they hold the role the verb
 * needs (src/services/person-schools.ts decides). The same deps object is answered for a school
 * until its settings change.
 * @throws CountersignError('forbidden') for a school they are not in, or when they are in none.
 */
export type RouteActivity = (
  identity: ActivityIdentity,
  request: { requested?: string | undefined; role?: AppRole | undefined },
) => Promise<SchoolBotDeps>;

/** One school of the sender's, named as its people read it. */
export interface SenderSchool {
  name: string;
  deps: SchoolBotDeps;
}

/**
 * A trust: every school the sender belongs to, in the settings list's order, so "status" and
 * "sign" answer from each (someone teaching in two schools has two schools' policies). The
 * same deps objects RouteActivity answers.
 * @throws CountersignError('forbidden') when they are in no school.
 */
export type EverySchoolOf = (identity: ActivityIdentity) => Promise<readonly SenderSchool[]>;

export interface BotDeps {
  service: CountersignService;
  /** A trust: each activity goes to its sender's school; absent, these deps serve everyone. */
  route?: RouteActivity;
  /** A trust: the sender's schools, for the commands that answer from all of them. */
  everySchool?: EverySchoolOf;
  resolveActor: ResolveActor;
  cards: CardsConfig & {
    /** Offered on approval cards (default: Admin rights, Remote access, Finance systems). */
    permissionChoices?: readonly string[];
    /** Entra ids of the approvers: approval cards refresh for them (at most 60). */
    approverIds?: readonly string[];
    /** Who approves the approvers' own signatures (the school's approversApprover). */
    approversApprover?: NamedApprover;
  };
  audit?: BotAuditSink;
  notifications?: BotNotifications;
  /**
   * Looks up a decided approval with its signature, so an approver's card refreshes to show who
   * decided. Without it a decided request refreshes to a short "already decided" card.
   */
  findDecision?: (
    acknowledgementId: string,
  ) => Promise<{ approval: Approval; acknowledgement: Acknowledgement } | undefined>;
  /**
   * Production: Countersign's own check of every activity (Bot Connector token, service URL,
   * tenant, channel) before the SDK sees it. Required outside dev mode.
   */
  inbound?: InboundActivityGate;
  /** Local run: allows the Agents Playground's unauthenticated requests. Refused otherwise. */
  devMode: boolean;
  allowUnauthenticated?: boolean;
  /** The bot's app registration; required outside dev mode (inbound JWT validation). */
  clientId?: string;
  clientSecret?: string;
  tenantId?: string;
  /**
   * Token function for outgoing calls without a secret. The SDK decodes it as a JWT: locally use
   * localBotToken(clientId), never a plain string.
   */
  token?: (scope: string | string[], tenantId?: string) => string | Promise<string>;
  /** Connector base URL for proactive sends (the Playground's /_connector locally). */
  serviceUrl?: string;
  clock?: Clock;
  /**
   * Runs a card Sign (from the check of who is acting to the card answered) under the sign's
   * Graph budget, as the tab's sign runs (the composition passes withSignGraphBudget): while
   * Graph is failing, the Graph work stops at the budget and the card answers that the signature
   * was not taken, or may not have been, and to press Sign again. Default: no budget of its own.
   */
  signBudget?: <T>(work: () => Promise<T>) => Promise<T>;
  newId?: () => string;
  /** The SDK's and the handlers' logger (teamsSdkLogger over the service's Logger). */
  logger?: BotLogger;
  /** A span per activity, a child of the request's (default: none). */
  telemetry?: Telemetry;
}
