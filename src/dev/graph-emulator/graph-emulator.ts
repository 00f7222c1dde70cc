import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { readBodyAtMost } from '../../http/read-body.ts';
import { DEMO_SCHOOL } from '../demo/demo-school.ts';
import { DirectoryEmulator, type DirectoryUser } from './directory.ts';
import { graphError, jsonResponse, type EmulatedResponse } from './emulated-http.ts';
import { inTransaction, openEmulatorDatabase } from './emulator-database.ts';
import { FaultInjector, faultPlanSchema, type FaultPlan } from './faults.ts';
import { GraphRouter } from './graph-router.ts';
import {
  appOf,
  defaultPermissionMode,
  siteRoleOf,
  unauthenticated,
  type PermissionMode,
} from './permissions.ts';
import { executeBatch } from './json-batch.ts';
import { seedEmulator } from './seed.ts';
import { SharePointEmulator } from './sharepoint.ts';
import type { ColumnPatchRule, SiteGrant } from './sharepoint/sharepoint-store.ts';
import { TeamworkEmulator } from './teamwork.ts';
import { throttledResponse } from './throttling.ts';
import { renderListPage, renderOverview } from './overview-page.ts';

export type { FaultPlan } from './faults.ts';
export type { ColumnPatchRule, SiteGrant } from './sharepoint/sharepoint-store.ts';
export type { DirectoryUser } from './directory.ts';
export type { PermissionMode } from './permissions.ts';
export { syntheticPeople } from './synthetic-people.ts';

/**
 * The embedded Graph emulator (DESIGN.md §4): an HTTP server that speaks the Graph v1.0 shapes
 * Countersign uses, persisted in SQLite, with fault injection and resource-unit counters.
 * Production code talks to it exactly as to graph.microsoft.com; only the base URL differs.
 */
export interface GraphEmulatorOptions {
  /** SQLite file; ':memory:' (the default) keeps nothing after close. */
  dbPath?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** 'demo' (default) seeds the demo school's people and groups into a new database. */
  seed?: 'demo' | 'none';
  /**
   * The permission mode (permissions.ts), on by default: a known bearer token on every request
   * (by default only EMULATOR_APP_TOKEN, Countersign's registration with a fullcontrol site
   * grant), each endpoint checked against that app's granted permissions, apps outside
   * `catalog` (default: none) unknown. `false` opts out: no token needed and any app exists, for
   * the emulator's own tests of other features only.
   */
  permissions?: Partial<PermissionMode> | false;
  /**
   * Teams app installs land this long after Graph's 201 (default 0): until then the install's
   * chat is 404 and `teamsAppReachable` is false (teamwork.ts; inferred, no documented figure).
   * `now` (ms) lets a test run it on a virtual clock.
   */
  teamsInstall?: { landsAfterMs: number; now?: () => number };
}

export interface EmulatorCounters {
  /** Outer HTTP requests (a `$batch` counts once). */
  requests: number;
  /** SharePoint resource units: 1 per single-item read, 2 per multi-item read or write. */
  resourceUnits: number;
  /** Outer requests by HTTP method. */
  byMethod: Record<string, number>;
  /** Requests inside `$batch` bodies. */
  batchedRequests: number;
  /** Requests answered with an injected fault (429, 503 or a dropped connection). */
  faults: number;
}

/** Setup for tests and benchmarks: direct writes, no HTTP, not counted, no faults. */
export interface EmulatorSetup {
  /** Adds or replaces users (e.g. `syntheticPeople(20_000)`), in one transaction. */
  putUsers(users: DirectoryUser[]): void;
  /** Adds or replaces a group with direct members; returns its id. */
  putGroup(group: {
    id?: string;
    displayName: string;
    description?: string;
    memberIds?: string[];
    memberGroupIds?: string[];
  }): string;
  addGroupMember(groupId: string, memberId: string, memberType?: 'user' | 'group'): void;
  removeGroupMember(groupId: string, memberId: string): void;
  /** Writes items to a list (by id or display name) with SharePoint's value rules. */
  insertListItems(list: string, items: Record<string, unknown>[], siteId?: string): string[];
  /** How a column PATCH turning on `indexed` and `enforceUniqueValues` together is taken. */
  setColumnPatchRule(rule: ColumnPatchRule): void;
  /**
   * The app's Sites.Selected role on the sites, enforced from now on. In the permission mode it
   * replaces the Sites.Selected apps' role (undefined: back to theirs); with `permissions: false`
   * undefined allows all.
   */
  setSiteGrant(grant: SiteGrant | undefined): void;
  /** The list view threshold (default 5,000); tests lower it to run a large shape small. */
  setListViewThreshold(items: number): void;
  /**
   * Whether `PATCH …/items/{id}/fields` answers with the item's new `@odata.etag` (default false,
   * as "Update listItem" documents the reply); true acts out a tenant that adds it.
   */
  setFieldsPatchEtag(answer: boolean): void;
  /**
   * Uploads a Teams app to the organisation's catalog by its manifest id (as an admin uploads
   * the package), e.g. one a recording shows the tenant's catalog holding; returns its catalog id.
   */
  publishApp(externalId: string, displayName?: string): string;
}

export interface GraphEmulator {
  /** The Graph base URL, e.g. http://127.0.0.1:PORT/v1.0 */
  url: string;
  /** The demo Countersign site's id. */
  siteId: string;
  setFaults(plan: FaultPlan): void;
  counters(): EmulatorCounters;
  resetCounters(): void;
  close(): Promise<void>;
  setup: EmulatorSetup;
  /**
   * Whether Teams can reach the person (by Entra object id) as the app's bot: an install of the
   * app has landed. The connector emulator's `appInstalled` asks this, so a create-conversation
   * before the install lands is refused, as Teams refuses it.
   */
  teamsAppReachable(userId: string, appExternalId?: string): boolean;
}

const MAX_BODY_BYTES = 50 * 1024 * 1024;

function emptyCounters(): EmulatorCounters {
  return { requests: 0, resourceUnits: 0, byMethod: {}, batchedRequests: 0, faults: 0 };
}

function lowerCaseHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[key.toLowerCase()] = value;
    else if (Array.isArray(value)) headers[key.toLowerCase()] = value.join(', ');
  }
  return headers;
}

function send(
  response: ServerResponse,
  result: EmulatedResponse,
  clientRequestId: string | undefined,
): void {
  const headers: Record<string, string> = { ...result.headers };
  if (clientRequestId !== undefined) headers['client-request-id'] = clientRequestId;
  if (result.body === undefined) {
    response.writeHead(result.status, headers);
    response.end();
    return;
  }
  const payload = JSON.stringify(result.body);
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  response.writeHead(result.status, headers);
  response.end(payload);
}

export async function startGraphEmulator(opts: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const db = openEmulatorDatabase(opts.dbPath ?? ':memory:');
  let baseUrl = '';
  const base = (): string => baseUrl;
  const sharepoint = new SharePointEmulator(db, base);
  const directory = new DirectoryEmulator(db, base);
  const teamwork = new TeamworkEmulator(db, directory, base, DEMO_SCHOOL.tenantId);
  const router = new GraphRouter(sharepoint, directory, teamwork);
  seedEmulator(db, sharepoint, directory, opts.seed ?? 'demo');
  if (opts.teamsInstall !== undefined) {
    teamwork.installLandsAfterMs = opts.teamsInstall.landsAfterMs;
    if (opts.teamsInstall.now !== undefined) teamwork.now = opts.teamsInstall.now;
  }
  const permissions =
    opts.permissions === false ? undefined : defaultPermissionMode(opts.permissions);
  if (permissions !== undefined) {
    teamwork.autoPublish = false;
    for (const externalId of permissions.catalog ?? []) teamwork.publishApp(externalId);
  }
  // setup.setSiteGrant's role for Sites.Selected apps (permission mode), until set back.
  let selectedGrant: SiteGrant | undefined;

  const faults = new FaultInjector();
  // Aborts requests still sleeping through injected latency when the emulator closes.
  const closing = new AbortController();
  let counters = emptyCounters();

  const handleAdmin = (path: string, method: string, body: unknown): EmulatedResponse => {
    if (path === '/_emulator/counters' && method === 'GET') return jsonResponse(200, counters);
    if (path === '/_emulator/counters/reset' && method === 'POST') {
      counters = emptyCounters();
      return jsonResponse(200, counters);
    }
    if (path === '/_emulator/faults' && (method === 'PUT' || method === 'POST')) {
      const plan = faultPlanSchema.safeParse(body ?? {});
      if (!plan.success) return graphError(400, 'BadRequest', plan.error.message);
      faults.setPlan(plan.data);
      return jsonResponse(200, { ok: true });
    }
    return graphError(404, 'itemNotFound', `No emulator control at ${method} ${path}`);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://emulator.local');
    const headers = lowerCaseHeaders(request);
    const clientRequestId = headers['client-request-id'];
    const raw = await readBodyAtMost(request, MAX_BODY_BYTES);
    if (raw === undefined) {
      send(
        response,
        graphError(413, 'RequestEntityTooLarge', 'The request body is too large.', {
          Connection: 'close',
        }),
        clientRequestId,
      );
      return;
    }
    let body: unknown;
    // A file upload's body is the file's bytes, whatever they are; every other body is JSON.
    const isUpload = method === 'PUT' && /\/content$/.test(url.pathname);
    if (raw.length > 0 && !isUpload) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        send(
          response,
          graphError(400, 'BadRequest', 'Unable to read JSON request payload.'),
          clientRequestId,
        );
        return;
      }
    }
    if (url.pathname === '/' || url.pathname === '/_emulator') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(renderOverview(db, baseUrl));
      return;
    }
    const listPage = /^\/_emulator\/lists\/([^/]+)$/.exec(url.pathname);
    if (listPage !== null && method === 'GET') {
      const html = renderListPage(db, decodeURIComponent(listPage[1] ?? ''));
      response.writeHead(html === undefined ? 404 : 200, {
        'Content-Type': 'text/html; charset=utf-8',
      });
      response.end(html ?? '<!doctype html><title>Not found</title><p>No such list.</p>');
      return;
    }
    const download = /^\/_emulator\/download\/([^/]+)$/.exec(url.pathname);
    if (download !== null && method === 'GET') {
      // A file's pre-authenticated download URL (driveitem-get-content redirects here).
      const content = sharepoint.download(decodeURIComponent(download[1] ?? ''));
      if (content === undefined) {
        send(response, graphError(404, 'itemNotFound', 'The file is gone.'), clientRequestId);
        return;
      }
      response.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(content.byteLength),
      });
      response.end(content);
      return;
    }
    if (url.pathname.startsWith('/_emulator/')) {
      send(response, handleAdmin(url.pathname, method, body), clientRequestId);
      return;
    }

    counters.requests += 1;
    counters.byMethod[method] = (counters.byMethod[method] ?? 0) + 1;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs, undefined, { signal: closing.signal });

    const versioned = /^\/v1\.0(?:\/(.*))?$/.exec(url.pathname);
    if (versioned === null) {
      send(
        response,
        graphError(400, 'BadRequest', 'Invalid version: use /v1.0/.'),
        clientRequestId,
      );
      return;
    }
    const path = versioned[1] ?? '';
    const authorization = headers.authorization;
    if (authorization !== undefined && !/^Bearer\s+\S+/i.test(authorization)) {
      // A malformed Authorization header is refused as Graph refuses it (in either mode).
      send(
        response,
        graphError(
          401,
          'InvalidAuthenticationToken',
          'Access token validation failure. Invalid audience.',
        ),
        clientRequestId,
      );
      return;
    }
    if (permissions !== undefined) {
      const app = appOf(permissions, authorization);
      if (app === undefined) {
        send(response, unauthenticated(authorization !== undefined), clientRequestId);
        return;
      }
      // The app's grants hold for this request and every request of its $batch.
      router.app = app;
      sharepoint.setSiteGrant(siteRoleOf(app, selectedGrant));
    }
    const fault = faults.decide(true);
    if (fault.kind === 'throttle') {
      counters.faults += 1;
      send(
        response,
        throttledResponse(fault.status, GraphRouter.isSharePoint(path), faults.retryAfterSeconds),
        clientRequestId,
      );
      return;
    }
    if (fault.kind === 'reset' && !fault.afterHandling) {
      counters.faults += 1;
      request.socket.destroy();
      return;
    }

    let result: EmulatedResponse;
    if (path === '$batch') {
      if (method !== 'POST') {
        result = graphError(405, 'BadRequest', 'Use POST for $batch.');
      } else {
        const outcome = executeBatch(body, router, faults, db);
        counters.batchedRequests += outcome.innerRequests;
        counters.resourceUnits += outcome.resourceUnits;
        result = outcome.response;
      }
    } else {
      const handled = router.routePath(method, path, url.searchParams, headers, body, raw);
      counters.resourceUnits += handled.resourceUnits;
      result = handled.response;
    }
    if (fault.kind === 'reset') {
      counters.faults += 1;
      request.socket.destroy();
      return;
    }
    send(response, result, clientRequestId);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (closing.signal.aborted) {
        response.destroy();
      } else if (!response.headersSent) {
        send(response, graphError(500, 'generalException', message), undefined);
      } else {
        response.destroy();
      }
    });
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${address.port}/v1.0`;

  let closed = false;
  return {
    url: baseUrl,
    siteId: DEMO_SCHOOL.siteId,
    setFaults: (plan) => faults.setPlan(plan),
    counters: () => ({ ...counters, byMethod: { ...counters.byMethod } }),
    resetCounters: () => {
      counters = emptyCounters();
    },
    setup: {
      putUsers: (users) => {
        inTransaction(db, () => {
          for (const user of users) directory.putUser(user);
        });
      },
      putGroup: (group) => {
        const id = group.id ?? randomUUID();
        const mailNickname = group.displayName.replace(/[^A-Za-z0-9]/g, '');
        inTransaction(db, () => {
          directory.putGroup({
            id,
            displayName: group.displayName,
            description: group.description ?? null,
            mailNickname,
            mail: null,
            mailEnabled: false,
            securityEnabled: true,
            groupTypes: [],
          });
          for (const memberId of group.memberGroupIds ?? [])
            directory.addMember(id, memberId, 'group');
          for (const memberId of group.memberIds ?? []) directory.addMember(id, memberId, 'user');
        });
        return id;
      },
      addGroupMember: (groupId, memberId, memberType = 'user') =>
        directory.addMember(groupId, memberId, memberType),
      removeGroupMember: (groupId, memberId) => directory.removeMember(groupId, memberId),
      insertListItems: (list, items, siteId = DEMO_SCHOOL.siteId) =>
        sharepoint.insertItems(siteId, list, items),
      setColumnPatchRule: (rule) => sharepoint.setColumnPatchRule(rule),
      setSiteGrant: (grant) => {
        if (permissions === undefined) sharepoint.setSiteGrant(grant);
        else selectedGrant = grant;
      },
      setListViewThreshold: (items) => sharepoint.setListViewThreshold(items),
      setFieldsPatchEtag: (answer) => sharepoint.setFieldsPatchEtag(answer),
      publishApp: (externalId, displayName) => teamwork.publishApp(externalId, displayName).id,
    },
    teamsAppReachable: (userId, appExternalId) => teamwork.reachable(userId, appExternalId),
    close: async () => {
      if (closed) return;
      closed = true;
      closing.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      db.close();
    },
  };
}
