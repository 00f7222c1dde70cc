import { errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import {
  isTeamsServiceUrl,
  sameServiceUrl,
  type ServiceUrlPolicy,
} from '../../domain/teams-service-url.ts';
import type { BotFrameworkKeys } from './bot-framework-keys.ts';

/**
 * Countersign's own gate in front of the Teams SDK on /api/messages.
 *
 * Why not the SDK's validator alone: @microsoft/teams.apps 2.1 (InboundActivityTokenValidator)
 * sends any token whose issuer starts with login.microsoftonline.com or sts.windows.net down
 * its path for agentic (Entra-issued) tokens, which checks only signature, expiry and audience.
 * The tab's own access token has this app's client id as its audience, so it passed there and
 * any member of staff could post card actions as anyone. The gate accepts only what Microsoft
 * documents for a bot ("Authenticate requests from the Bot Connector service to your bot",
 * Bot Framework REST API docs): a token in `Authorization: Bearer`, issuer
 * https://api.botframework.com, audience the bot's app id, within its validity (5 minutes of
 * clock skew allowed), signed by a key from Bot Framework's OpenID metadata whose endorsements
 * include the activity's channelId, and whose `serviceurl` claim equals the activity's
 * `serviceUrl`. On top of that: the serviceUrl must be a Teams connector host, the channel
 * `msteams`, and the tenant the school's. What passes is handed to the SDK as a
 * pre-authenticated token (IHttpServerRequest.token), so the SDK's looser check never runs.
 */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

export interface InboundGateConfig {
  /** The bot's Microsoft App id: the `aud` of every Bot Connector token sent to it. */
  appId: string;
  /** The school's Entra tenant: activities from any other tenant are refused. */
  tenantId: string;
  keys: BotFrameworkKeys;
  serviceUrls: ServiceUrlPolicy;
  /** Bot Framework allows 5 minutes of clock skew. */
  clockToleranceSeconds?: number;
  /** The gate's notion of now (tests); the system clock otherwise. */
  currentDate?: () => Date;
}

/** What the SDK needs to know of a verified caller (its IToken shape). */
export interface VerifiedConnector {
  appId: string;
  from: 'azure';
  fromId: string;
  serviceUrl: string;
  isExpired: () => boolean;
}

export type RefusalReason =
  | 'missing-token'
  | 'keys-unavailable'
  | 'bad-token'
  | 'bad-activity'
  | 'service-url-mismatch'
  | 'service-url-not-teams'
  | 'channel-not-endorsed'
  | 'wrong-channel'
  | 'wrong-tenant';

export type GateResult =
  | { kind: 'accepted'; token: VerifiedConnector }
  | {
      kind: 'refused';
      /**
       * 401: not the Bot Connector for this bot. 403: a genuine activity we do not serve.
       * 503: the signing keys could not be fetched (the connector retries).
       */
      status: 401 | 403 | 503;
      reason: RefusalReason;
      /** Safe to return to the caller. */
      message: string;
      /** For the audit event of a 403 (the activity was genuine, so it is evidence). */
      activity?: { channelId: string; tenantIds: string[]; fromId?: string; type: string };
    };

export interface InboundActivityGate {
  check(authorization: string | undefined, body: unknown): Promise<GateResult>;
}

/** The parts of an activity the gate relies on; everything else is the SDK's business. */
const envelopeSchema = z.object({
  type: z.string().min(1).max(100),
  serviceUrl: z.string().min(1).max(2000),
  channelId: z.string().min(1).max(100),
  from: z.object({
    id: z.string().max(500).optional(),
    aadObjectId: z.string().max(200).optional(),
  }),
  conversation: z.object({
    id: z.string().min(1).max(2000),
    tenantId: z.string().max(200).optional(),
  }),
  channelData: z
    .object({ tenant: z.object({ id: z.string().max(200) }).optional() })
    .passthrough()
    .optional(),
});

const claimsSchema = z.object({
  serviceurl: z.string().min(1),
  iat: z.number().optional(),
  sub: z.string().optional(),
  appid: z.string().optional(),
});

type RefusedActivity = NonNullable<Extract<GateResult, { kind: 'refused' }>['activity']>;

function refused(
  status: 401 | 403 | 503,
  reason: RefusalReason,
  message: string,
  activity?: RefusedActivity,
): GateResult {
  return { kind: 'refused', status, reason, message, ...(activity ? { activity } : {}) };
}

function keysUnreachable(error: unknown): boolean {
  if (!(error instanceof joseErrors.JOSEError)) return true;
  return (
    error instanceof joseErrors.JWKSTimeout ||
    error.message.startsWith('Expected 200 OK from the JSON Web Key Set')
  );
}

export function createInboundActivityGate(config: InboundGateConfig): InboundActivityGate {
  const tolerance = config.clockToleranceSeconds ?? 300;
  return {
    async check(authorization, body) {
      const match = /^Bearer[ ]+([A-Za-z0-9\-_.]+)\s*$/.exec(authorization ?? '');
      const token = match?.[1];
      if (token === undefined) {
        return refused(401, 'missing-token', 'A Bot Connector token is required.');
      }
      const envelope = envelopeSchema.safeParse(body);
      if (!envelope.success) {
        return refused(401, 'bad-activity', 'The activity is not one Teams sends.');
      }
      const activity = envelope.data;
      const now = config.currentDate?.() ?? new Date();
      let header: { kid?: string | undefined };
      let payload: unknown;
      try {
        const verified = await jwtVerify(token, config.keys.getKey, {
          algorithms: ['RS256'],
          issuer: BOT_FRAMEWORK_ISSUER,
          audience: config.appId,
          clockTolerance: tolerance,
          requiredClaims: ['exp', 'nbf'],
          currentDate: now,
        });
        header = verified.protectedHeader;
        payload = verified.payload;
      } catch (error) {
        // Keys we could not fetch say nothing about the token: 503, so the connector retries
        // (a timeout, a network error, or jose's "Expected 200 OK" for a key set that answered
        // with an error status).
        if (keysUnreachable(error)) {
          return refused(
            503,
            'keys-unavailable',
            'The Bot Framework signing keys are unreachable.',
          );
        }
        return refused(401, 'bad-token', 'The token is not a Bot Connector token for this bot.');
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) {
        return refused(401, 'bad-token', 'The token has no serviceurl claim.');
      }
      // jose checks iat only with maxTokenAge; a token "issued" in the future is forged or from
      // a clock far off, and either way not to be trusted.
      const iat = claims.data.iat;
      if (iat !== undefined && iat > now.getTime() / 1000 + tolerance) {
        return refused(401, 'bad-token', 'The token was issued in the future.');
      }
      const endorsements = config.keys.endorsementsOf(header.kid ?? '') ?? [];
      if (!endorsements.includes(activity.channelId)) {
        return refused(
          401,
          'channel-not-endorsed',
          'The signing key does not speak for this channel.',
        );
      }
      if (!sameServiceUrl(claims.data.serviceurl, activity.serviceUrl)) {
        return refused(
          401,
          'service-url-mismatch',
          'The activity names another service URL than its token.',
        );
      }
      const tenantIds = [activity.conversation.tenantId, activity.channelData?.tenant?.id].filter(
        (id): id is string => id !== undefined && id !== '',
      );
      const described = {
        channelId: activity.channelId,
        tenantIds,
        type: activity.type,
        ...(activity.from.aadObjectId === undefined ? {} : { fromId: activity.from.aadObjectId }),
      };
      if (activity.channelId !== 'msteams') {
        return refused(403, 'wrong-channel', 'Countersign serves Microsoft Teams only.', described);
      }
      const tenant = config.tenantId.toLowerCase();
      if (tenantIds.length === 0 || tenantIds.some((id) => id.toLowerCase() !== tenant)) {
        return refused(
          403,
          'wrong-tenant',
          "Countersign serves its own school's tenant only.",
          described,
        );
      }
      if (!isTeamsServiceUrl(activity.serviceUrl, config.serviceUrls)) {
        return refused(401, 'service-url-not-teams', 'The service URL is not a Teams connector.');
      }
      return {
        kind: 'accepted',
        token: {
          appId: claims.data.appid ?? config.appId,
          from: 'azure',
          fromId: claims.data.sub ?? '',
          serviceUrl: activity.serviceUrl,
          isExpired: () => false,
        },
      };
    },
  };
}
