import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyRing } from '../domain/evidence/key-ring.ts';
import { problemInstance, requestIdOf } from '../http/request-id.ts';
import type { Logger } from '../ports/logger.ts';
import type { Telemetry } from '../ports/telemetry.ts';
import type { CountersignService } from '../services/countersign-service.ts';
import type { SchoolSettingsAdmin } from '../services/school-settings-admin.ts';
import type { TrustComplianceReader } from '../services/trust-compliance.ts';
import type { TrustEvidenceReader } from '../services/trust-evidence.ts';
import type { DevIdentityProvider } from './auth/dev-sign-in.ts';
import type { TokenVerifier } from './auth/token-verifier.ts';
import type { CampaignApi } from './campaign-api.ts';
import { RESPONSE_BODIES } from './contract/responses.ts';
import {
  problem,
  ProblemError,
  sendProblem,
  toProblem,
  validationProblem,
} from './http/problem.ts';
import { json, writeReply } from './http/reply.ts';
import type { Reply } from './http/reply.ts';
import type {
  ApiLimits,
  DevRouteContext,
  ImportPolicy,
  RouteContext,
  RouteHandlers,
  SchoolRouter,
  SchoolServices,
  ServedSchool,
} from './route-context.ts';
import { schoolQuerySchema } from './contract/requests.ts';
import { matchRoute } from './routes.ts';
import type { RouteId, RouteMatch } from './routes.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { approvalRoutes } from './routes/approval-routes.ts';
import { campaignRoutes } from './routes/campaign-routes.ts';
import { devRoutes } from './routes/dev-routes.ts';
import { meRoutes } from './routes/me-routes.ts';
import { settingsRoutes } from './routes/settings-routes.ts';
import { trustComplianceRoutes } from './routes/trust-compliance-routes.ts';
import { trustEvidenceRoutes } from './routes/trust-evidence-routes.ts';

export interface ApiDeps {
  service: CountersignService;
  /** Absent when campaigns are not configured: campaign routes answer 503 `unavailable`. */
  campaigns?: CampaignApi;
  /** The Admin view's school settings; absent: those routes answer 503 `unavailable`. */
  settings?: SchoolSettingsAdmin;
  /** The trust's schools side by side; absent: GET /api/trust/compliance answers 503. */
  trust?: TrustComplianceReader;
  /** Each school's evidence PDFs for the trust; absent: GET /api/trust/schools/… answers 503. */
  trustEvidence?: TrustEvidenceReader;
  /**
   * A trust: every request but the trust's own routes is served by the person's school, the one
   * the `school` query parameter names if they belong to it (src/server/school-services.ts).
   * Absent: `service`, `campaigns` and `settings` serve everyone.
   */
  schools?: SchoolRouter;
  /** The importer (src/importer's importPolicyFile, passed in by the composition root). */
  importPolicy: ImportPolicy;
  auth: TokenVerifier;
  /** The public evidence keys, served to anyone at GET /api/evidence/keys (503 when absent). */
  keyRing?: KeyRing;
  /** Only in dev mode: registers /dev/* (404 without it). */
  devIdentityProvider?: DevIdentityProvider;
  /** Default 10 MB. */
  maxUploadBytes?: number;
  /** Default 1 MB. */
  maxJsonBytes?: number;
  /** Paths under /api that belong to someone else (the bot endpoint). */
  passThroughPaths?: readonly string[];
  /**
   * Parse every 2xx JSON body against its route's schema (contract/responses.ts) before sending
   * it; a body that breaks the contract becomes a 500. For tests: the handlers' types already
   * follow the contract, and production need not pay for parsing large pages.
   */
  checkResponses?: boolean;
  /** Unexpected errors (500s, 5xx from services) are logged here at error, with the request id. */
  log: Logger;
  /** Names the request's span by its route template (the server made the span). */
  telemetry?: Telemetry;
  /** Also told of each unexpected error (tests collect them). */
  onUnexpectedError?: (error: unknown, request: { method: string; path: string }) => void;
}

export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_JSON_BYTES = 1024 * 1024;

const HANDLERS = {
  ...meRoutes,
  ...adminRoutes,
  ...campaignRoutes,
  ...approvalRoutes,
  ...settingsRoutes,
  ...trustComplianceRoutes,
  ...trustEvidenceRoutes,
} satisfies RouteHandlers;

const REQUIRED_ROLE = { admin: 'Policy.Admin', approver: 'Policy.Approver' } as const;

function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/dev' || path.startsWith('/dev/');
}

function originOf(req: IncomingMessage): string {
  const host = req.headers.host ?? 'localhost';
  const encrypted = 'encrypted' in req.socket && req.socket.encrypted === true;
  return `${encrypted ? 'https' : 'http'}://${host}`;
}

/** Throws (a 500) when a 2xx JSON body is not what the route's contract says it answers. */
function checkResponse(route: RouteId, reply: Reply): void {
  if (!('json' in reply) || reply.status < 200 || reply.status > 299) return;
  const schema = RESPONSE_BODIES[route];
  if (schema === null)
    throw new Error(`${route} answered JSON; its contract says it answers text.`);
  const parsed = schema.safeParse(reply.json);
  if (!parsed.success) {
    throw new Error(`${route} answered a body its contract refuses: ${parsed.error.message}`);
  }
}

/**
 * The HTTP API (plain node:http). Answers /api/* (except the bot's endpoint) and /dev/*, and
 * returns false for anything else so the server can serve the tab's files or the bot.
 */
export function createApiHandler(deps: ApiDeps): ApiHandler {
  const limits: ApiLimits = {
    maxUploadBytes: deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    maxJsonBytes: deps.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES,
  };
  const passThrough = new Set(deps.passThroughPaths ?? ['/api/messages']);
  const report = (
    error: unknown,
    request: { method: string; path: string; requestId: string },
  ): void => {
    deps.log.error('API request failed', { ...request, error });
    deps.onUnexpectedError?.(error, { method: request.method, path: request.path });
  };
  // The handler finished after the server had already sent its timeout 503 for the request:
  // its answer is dropped (never a second write to the response), and said so, once.
  const answeredLate = (request: {
    method: string;
    path: string;
    requestId: string;
    status: number;
    code?: string;
  }): void => {
    deps.log.warn('API request answered after the timeout', request);
  };

  async function dispatch(
    req: IncomingMessage,
    url: URL,
    found: RouteMatch,
    reportError: (error: unknown) => void,
  ): Promise<Reply> {
    const { route, params } = found;
    if (route.access === 'dev') {
      const idp = deps.devIdentityProvider;
      if (idp === undefined) throw new ProblemError(problem('not-found', 'Nothing here.'));
      const ctx: DevRouteContext = { req, idp, origin: originOf(req), limits };
      return devRoutes[route.id](ctx);
    }
    if (route.access === 'public') {
      if (deps.keyRing === undefined) {
        throw new ProblemError(problem('unavailable', 'No evidence keys are configured.'));
      }
      return json(deps.keyRing);
    }
    // The token comes from the Authorization header only, never the query or body.
    let actor = await deps.auth.verify(req.headers.authorization);
    let served: SchoolServices = {
      service: deps.service,
      campaigns: deps.campaigns,
      settings: deps.settings,
    };
    let school: ServedSchool | undefined;
    const query = new URLSearchParams(url.searchParams);
    // The trust's routes decide by the trust's settings themselves (trust-policies.ts,
    // trust-compliance.ts); every other route is a school's, served by the person's school.
    if (deps.schools !== undefined && !route.id.startsWith('trust.')) {
      const named = query.get('school');
      query.delete('school');
      const requested = named === null ? undefined : schoolQuerySchema.safeParse(named);
      if (requested !== undefined && !requested.success) {
        throw new ProblemError(validationProblem(requested.error, 'query'));
      }
      const routed = await deps.schools(actor, {
        requested: requested?.data,
        role: route.access === 'user' ? undefined : REQUIRED_ROLE[route.access],
      });
      ({ actor, school } = routed);
      served = routed;
    }
    if (route.access !== 'user') {
      const role = REQUIRED_ROLE[route.access];
      if (!actor.roles.includes(role)) {
        throw new ProblemError(problem('forbidden', `This needs the ${role} role.`, { role }));
      }
    }
    const ctx: RouteContext = {
      req,
      params,
      query,
      actor,
      ...served,
      school,
      trust: deps.trust,
      trustEvidence: deps.trustEvidence,
      importPolicy: deps.importPolicy,
      limits,
      reportError,
    };
    return HANDLERS[route.id](ctx);
  }

  return async (req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return false;
    }
    const path = url.pathname;
    if (!isApiPath(path) || passThrough.has(path)) return false;

    res.setHeader('cache-control', 'no-store');
    res.setHeader('x-content-type-options', 'nosniff');
    const requestId = requestIdOf(req);
    let writing = false;
    const reportError = (error: unknown): void => report(error, { method, path, requestId });
    try {
      const { match, allowed } = matchRoute(method, path);
      const devOnly =
        match?.route.access === 'dev' || (allowed.length > 0 && path.startsWith('/dev/'));
      if (devOnly && deps.devIdentityProvider === undefined) {
        throw new ProblemError(problem('not-found', 'Nothing here.'));
      }
      if (match === undefined) {
        if (allowed.length > 0) {
          throw new ProblemError(
            problem('method-not-allowed', `Use ${allowed.join(' or ')} here.`),
            { allow: allowed.join(', ') },
          );
        }
        throw new ProblemError(problem('not-found', 'There is no API route at this address.'));
      }
      deps.telemetry?.annotate({ 'http.route': match.route.path });
      const reply = await dispatch(req, url, match, reportError);
      if (deps.checkResponses === true) checkResponse(match.route.id, reply);
      // Only this handler writes an API answer, and only here: an answer already sent is the
      // server's 503 for a handler that took too long (http-server.ts, handlerTimeoutMs).
      if (res.headersSent) {
        answeredLate({ method, path, requestId, status: reply.status });
        return true;
      }
      writing = true;
      writeReply(res, reply);
    } catch (error) {
      const { problem: p, headers } = toProblem(error, reportError);
      if (!res.headersSent) {
        // The id a person can quote, and the one every log entry of this request carries.
        sendProblem(res, { ...p, instance: problemInstance(requestId) }, headers);
      } else if (!writing) {
        // A failure after the timeout's 503: nobody hears this answer. toProblem has already
        // reported it if it was unexpected; the answer itself is only late.
        answeredLate({ method, path, requestId, status: p.status, code: p.code });
      } else if (!res.writableEnded) {
        // Our own answer broke off half-written: the client must not take it as whole.
        res.destroy();
      }
    }
    return true;
  };
}
