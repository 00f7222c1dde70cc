import type { IncomingMessage } from 'node:http';
import type { PolicyDocument } from '../domain/policy-document.ts';
import type { Actor } from '../services/actor.ts';
import type { CountersignService } from '../services/countersign-service.ts';
import type { DevIdentityProvider } from './auth/dev-sign-in.ts';
import type { CampaignApi } from './campaign-api.ts';
import type { Reply } from './http/reply.ts';
import type { API_ROUTES } from './routes.ts';

/** The importer's entry point (src/importer): a .docx or .txt file to a draft document. */
export type ImportPolicy = (
  bytes: Uint8Array,
  fileName: string,
) => Promise<{ document: PolicyDocument; report: unknown }>;

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
  importPolicy: ImportPolicy;
  limits: ApiLimits;
  /** Reports an error that must not fail the whole request (e.g. one item of a bulk action). */
  reportError: (error: unknown) => void;
}

export interface DevRouteContext {
  req: IncomingMessage;
  idp: DevIdentityProvider;
  /** scheme://host of this request, for the OpenID metadata's URLs. */
  origin: string;
  limits: ApiLimits;
}

type Route = (typeof API_ROUTES)[number];
export type ApiRouteId = Exclude<Route, { access: 'dev' }>['id'];
export type DevRouteId = Extract<Route, { access: 'dev' }>['id'];

export type RouteHandler = (ctx: RouteContext) => Promise<Reply>;
export type DevRouteHandler = (ctx: DevRouteContext) => Promise<Reply>;
