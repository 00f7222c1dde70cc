import type { IncomingMessage } from 'node:http';
import type { PolicyDocument } from '../domain/policy-document.ts';
import type { Actor, AppRole } from '../services/actor.ts';
import type { SchoolMembership } from '../services/person-schools.ts';
import type { CountersignService } from '../services/countersign-service.ts';
import type { SchoolSettingsAdmin } from '../services/school-settings-admin.ts';
import type { TrustComplianceReader } from '../services/trust-compliance.ts';
import type { TrustEvidenceReader } from '../services/trust-evidence.ts';
import type { DevIdentityProvider } from './auth/dev-sign-in.ts';
import type { CampaignApi } from './campaign-api.ts';
import type { ImportReport, ResponseBody } from './contract/responses.ts';
import type { BytesReply, EmptyReply, JsonReply, TextReply } from './http/reply.ts';
import type { API_ROUTES, RouteId } from './routes.ts';

/** The importer's entry point (src/importer): a .docx or .txt file to a draft document. */
export type ImportPolicy = (
  bytes: Uint8Array,
  fileName: string,
) => Promise<{ document: PolicyDocument; report: ImportReport }>;

export interface ApiLimits {
  maxUploadBytes: number;
  maxJsonBytes: number;
}

export interface RouteContext {
  req: IncomingMessage;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** From the verified token, never from the request body. */
  actor: Actor;
  service: CountersignService;
  campaigns: CampaignApi | undefined;
  /** The school's settings page; absent: those routes answer 503 `unavailable`. */
  settings: SchoolSettingsAdmin | undefined;
  /** The schools side by side; absent: GET /api/trust/compliance answers 503 `unavailable`. */
  trust: TrustComplianceReader | undefined;
  /** Each school's evidence PDFs for the trust; absent: those routes answer 503 `unavailable`. */
  trustEvidence: TrustEvidenceReader | undefined;
  /**
   * In a trust, the school serving this request and every school of the person's (the tab's
   * selector); absent for a deployment of one school and for the trust's own routes.
   */
  school: ServedSchool | undefined;
  importPolicy: ImportPolicy;
  limits: ApiLimits;
  /** Reports an error that must not fail the whole request (e.g. one item of a bulk action). */
  reportError: (error: unknown) => void;
}

/** The school a request is served in (SchoolRouter) and the person's schools. */
export interface ServedSchool {
  id: string;
  memberships: SchoolMembership[];
}

/** What serves one school's requests: its use cases, campaigns and settings page. */
export interface SchoolServices {
  service: CountersignService;
  campaigns: CampaignApi | undefined;
  settings: SchoolSettingsAdmin | undefined;
}

/**
 * A trust's API (issue 14, item 3): the school that serves this person, the one they name if
 * they belong to it, with their roles there (the actor comes back with those roles).
 * @throws CountersignError('forbidden') for a school they are not in, or when they are in none.
 */
export type SchoolRouter = (
  actor: Actor,
  request: { requested?: string | undefined; role?: AppRole | undefined },
) => Promise<SchoolServices & { actor: Actor; school: ServedSchool | undefined }>;

export interface DevRouteContext {
  req: IncomingMessage;
  idp: DevIdentityProvider;
  /** scheme://host of this request, for the OpenID metadata's URLs. */
  origin: string;
  limits: ApiLimits;
}

type Route = (typeof API_ROUTES)[number];
export type ApiRouteId = Exclude<Route, { access: 'dev' | 'public' }>['id'];
export type DevRouteId = Extract<Route, { access: 'dev' }>['id'];

/**
 * What a route may answer: a JSON body of the type its contract names (contract/responses.ts),
 * so a handler that answers something else does not compile; text for the CSV export, bytes for
 * the evidence PDFs.
 */
export type RouteReply<R extends RouteId> = [ResponseBody<R>] extends [never]
  ? TextReply | BytesReply
  : JsonReply<ResponseBody<R>> | EmptyReply;

export type RouteHandler<R extends ApiRouteId = ApiRouteId> = (
  ctx: RouteContext,
) => Promise<RouteReply<R>>;
export type DevRouteHandler<R extends DevRouteId = DevRouteId> = (
  ctx: DevRouteContext,
) => Promise<RouteReply<R>>;

/** One handler per route, each answering its own route's contract. */
export type RouteHandlers = { [R in ApiRouteId]: RouteHandler<R> };
export type DevRouteHandlers = { [R in DevRouteId]: DevRouteHandler<R> };
