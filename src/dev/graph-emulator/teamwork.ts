import { createHash } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { cachedStatement } from './emulator-database.ts';
import type { DirectoryEmulator } from './directory.ts';
import {
  emptyResponse,
  GraphHttpError,
  jsonResponse,
  queryOption,
  type EmulatedRequest,
  type EmulatedResponse,
} from './emulated-http.ts';
import { evaluateFilter, FilterSyntaxError, parseFilter } from './odata-filter.ts';
import { parseExpand } from './paging.ts';

/**
 * Teams app installations in a user's personal scope, the 1:1 chat between the user and the
 * app's bot, and the organisation's app catalog. The catalog is forgiving, as a local tenant
 * should be: looking an app up by its manifest id (`externalId`) publishes it if it is missing,
 * and installing an unknown catalog id registers it with that id.
 */
export interface TeamsApp {
  id: string;
  externalId: string;
  displayName: string;
  distributionMethod: string;
}

function deterministicGuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class TeamworkEmulator {
  private readonly db: DatabaseSync;
  private readonly directory: DirectoryEmulator;
  private readonly baseUrl: () => string;
  private readonly tenantId: string;
  /**
   * Whether a lookup or install of an app the catalog lacks adds it (the open mode's
   * convenience). Off in the permission mode: an app nobody uploaded is unknown, as in a tenant.
   */
  autoPublish = true;
  /**
   * Installs are asynchronous: Graph answers 201 at once, but Teams cannot reach the person (no
   * 1:1 chat, the connector's create-conversation refused) until the install lands, this long
   * later (0: at once). The delay is inferred: no page gives a figure; users without the app
   * are refused 403 "The bot is not part of the conversation roster"
   * (OfficeDev/microsoft-teams-apps-company-communicator#744, MicrosoftDocs/bot-docs#1527), and
   * an Entra object id only reaches someone with the app installed (MicrosoftDocs/msteams-docs#11125).
   */
  installLandsAfterMs = 0;
  /** Milliseconds since the epoch; injectable so tests run the delay on a virtual clock. */
  now: () => number = Date.now;

  constructor(
    db: DatabaseSync,
    directory: DirectoryEmulator,
    baseUrl: () => string,
    tenantId: string,
  ) {
    this.db = db;
    this.directory = directory;
    this.baseUrl = baseUrl;
    this.tenantId = tenantId;
  }

  /** Adds (or finds) an app in the catalog by its manifest id. */
  publishApp(externalId: string, displayName = 'Countersign'): TeamsApp {
    const existing = cachedStatement(
      this.db,
      'SELECT data FROM teams_apps WHERE external_id = ? COLLATE NOCASE OR id = ? COLLATE NOCASE',
    ).get(externalId, externalId);
    if (existing !== undefined) return JSON.parse(String(existing.data)) as TeamsApp;
    const app: TeamsApp = {
      id: deterministicGuid(`teams-app:${externalId}`),
      externalId,
      displayName,
      distributionMethod: 'organization',
    };
    cachedStatement(this.db, 'INSERT INTO teams_apps (id, external_id, data) VALUES (?, ?, ?)').run(
      app.id,
      app.externalId,
      JSON.stringify(app),
    );
    return app;
  }

  private app(id: string): TeamsApp | undefined {
    const row = cachedStatement(
      this.db,
      'SELECT data FROM teams_apps WHERE id = ? COLLATE NOCASE',
    ).get(id);
    return row === undefined ? undefined : (JSON.parse(String(row.data)) as TeamsApp);
  }

  private definition(app: TeamsApp): Record<string, unknown> {
    return {
      id: Buffer.from(`${app.id}##1.0.0`).toString('base64'),
      teamsAppId: app.id,
      displayName: app.displayName,
      version: '1.0.0',
      publishingState: 'published',
    };
  }

  /** `appCatalogs/teamsApps[...]`. */
  handleCatalog(request: EmulatedRequest): EmulatedResponse {
    const [, collection, id] = request.segments;
    if (collection !== 'teamsApps' || request.method !== 'GET') {
      throw new GraphHttpError(400, 'BadRequest', 'Only GET appCatalogs/teamsApps is emulated.');
    }
    if (id !== undefined) {
      const app = this.app(id);
      if (app === undefined)
        throw new GraphHttpError(404, 'NotFound', `Teams app '${id}' not found.`);
      return jsonResponse(200, app);
    }
    const filterText = queryOption(request.query, 'filter');
    const externalMatch = /externalId\s+eq\s+'([^']+)'/i.exec(filterText ?? '');
    if (externalMatch?.[1] !== undefined && this.autoPublish) this.publishApp(externalMatch[1]);
    let apps = cachedStatement(this.db, 'SELECT data FROM teams_apps ORDER BY rowid')
      .all()
      .map((row) => JSON.parse(String(row.data)) as TeamsApp);
    if (filterText !== undefined) apps = this.filtered(apps, filterText);
    const expand = parseExpand(queryOption(request.query, 'expand'));
    const value = apps.map((app) =>
      expand.has('appDefinitions') ? { ...app, appDefinitions: [this.definition(app)] } : app,
    );
    return jsonResponse(200, {
      '@odata.context': `${this.baseUrl()}/$metadata#appCatalogs/teamsApps`,
      value,
    });
  }

  private filtered<T>(objects: T[], filterText: string): T[] {
    try {
      const expression = parseFilter(filterText);
      return objects.filter((object) => evaluateFilter(expression, object));
    } catch (error) {
      if (error instanceof FilterSyntaxError) {
        throw new GraphHttpError(400, 'BadRequest', `Invalid filter clause: ${error.message}`);
      }
      throw error;
    }
  }

  /** `users/{id}/teamwork/installedApps[/{installationId}[/chat]]`. */
  handleUserTeamwork(request: EmulatedRequest): EmulatedResponse {
    const [, userRef = '', , collection, installationId, relation, ...rest] = request.segments;
    if (collection !== 'installedApps' || rest.length > 0) {
      throw new GraphHttpError(
        400,
        'BadRequest',
        `Resource not found for the segment '${collection ?? ''}'.`,
      );
    }
    const user = this.directory.requireUser(userRef);
    if (installationId === undefined) {
      if (request.method === 'GET') return this.listInstallations(user.id, request);
      if (request.method === 'POST') return this.install(user.id, request.body);
      throw new GraphHttpError(
        405,
        'BadRequest',
        'Specified HTTP method is not allowed for the request target.',
      );
    }
    const row = cachedStatement(
      this.db,
      'SELECT id, app_id, chat_id, created FROM app_installations WHERE id = ? AND user_id = ?',
    ).get(installationId, user.id);
    if (row === undefined) {
      throw new GraphHttpError(
        404,
        'NotFound',
        `App installation '${installationId}' was not found.`,
      );
    }
    if (relation === 'chat') {
      if (request.method !== 'GET')
        throw new GraphHttpError(405, 'BadRequest', 'Method not allowed.');
      if (!this.#landed(String(row.created))) {
        // The chat exists once the install lands (the status and code inferred).
        throw new GraphHttpError(404, 'NotFound', 'The chat for this installation was not found.');
      }
      return jsonResponse(200, {
        '@odata.context': `${this.baseUrl()}/$metadata#chats/$entity`,
        id: String(row.chat_id),
        topic: null,
        createdDateTime: String(row.created),
        lastUpdatedDateTime: String(row.created),
        chatType: 'oneOnOne',
        webUrl: `https://teams.microsoft.com/l/chat/${encodeURIComponent(String(row.chat_id))}/0?tenantId=${this.tenantId}`,
        tenantId: this.tenantId,
        onlineMeetingInfo: null,
        viewpoint: null,
      });
    }
    if (relation !== undefined)
      throw new GraphHttpError(
        400,
        'BadRequest',
        `Resource not found for the segment '${relation}'.`,
      );
    if (request.method === 'DELETE') {
      cachedStatement(this.db, 'DELETE FROM app_installations WHERE id = ?').run(installationId);
      return emptyResponse(204);
    }
    if (request.method !== 'GET')
      throw new GraphHttpError(405, 'BadRequest', 'Method not allowed.');
    const expand = parseExpand(queryOption(request.query, 'expand'));
    return jsonResponse(200, this.installationBody(String(row.id), String(row.app_id), expand));
  }

  private installationBody(
    id: string,
    appId: string,
    expand: Map<string, unknown>,
  ): Record<string, unknown> {
    const app = this.app(appId) ?? {
      id: appId,
      externalId: appId,
      displayName: 'Unknown',
      distributionMethod: 'organization',
    };
    const body: Record<string, unknown> = {
      '@odata.type': '#microsoft.graph.userScopeTeamsAppInstallation',
      id,
    };
    if (expand.has('teamsApp')) body.teamsApp = app;
    if (expand.has('teamsAppDefinition')) body.teamsAppDefinition = this.definition(app);
    return body;
  }

  private listInstallations(userId: string, request: EmulatedRequest): EmulatedResponse {
    const expand = parseExpand(queryOption(request.query, 'expand'));
    const rows = cachedStatement(
      this.db,
      'SELECT id, app_id FROM app_installations WHERE user_id = ? ORDER BY rowid',
    ).all(userId);
    const full = rows.map((row) => ({
      body: this.installationBody(String(row.id), String(row.app_id), expand),
      forFilter: this.installationBody(
        String(row.id),
        String(row.app_id),
        new Map([
          ['teamsApp', {}],
          ['teamsAppDefinition', {}],
        ]),
      ),
    }));
    const filterText = queryOption(request.query, 'filter');
    const kept =
      filterText === undefined
        ? full
        : this.filtered(
            full.map((entry) => entry.forFilter),
            filterText,
          ).map(
            (match) => full.find((entry) => entry.forFilter === match) as (typeof full)[number],
          );
    return jsonResponse(200, {
      '@odata.context': `${this.baseUrl()}/$metadata#users('${userId}')/teamwork/installedApps`,
      value: kept.map((entry) => entry.body),
    });
  }

  private install(userId: string, body: unknown): EmulatedResponse {
    const bind =
      typeof body === 'object' && body !== null
        ? (body as Record<string, unknown>)['teamsApp@odata.bind']
        : undefined;
    const match = typeof bind === 'string' ? /appCatalogs\/teamsApps\/([^/?#]+)/i.exec(bind) : null;
    if (match?.[1] === undefined) {
      throw new GraphHttpError(
        400,
        'BadRequest',
        "Request body must bind 'teamsApp@odata.bind' to appCatalogs/teamsApps/{id}.",
      );
    }
    const appRef = decodeURIComponent(match[1]);
    const known = this.app(appRef);
    if (known === undefined && !this.autoPublish) {
      throw new GraphHttpError(
        404,
        'NotFound',
        `Teams app '${appRef}' not found in the app catalog.`,
      );
    }
    const app = known ?? this.publishApp(appRef);
    const id = Buffer.from(`${userId}##${app.id}`).toString('base64');
    const existing = cachedStatement(this.db, 'SELECT 1 FROM app_installations WHERE id = ?').get(
      id,
    );
    if (existing !== undefined) {
      throw new GraphHttpError(409, 'Conflict', 'The app is already installed for this user.');
    }
    const chatId = `19:${userId}_${app.id}@unq.gbl.spaces`;
    cachedStatement(
      this.db,
      'INSERT INTO app_installations (id, user_id, app_id, chat_id, created) VALUES (?, ?, ?, ?, ?)',
    ).run(id, userId, app.id, chatId, new Date(this.now()).toISOString());
    return emptyResponse(201);
  }

  #landed(created: string): boolean {
    return Date.parse(created) + this.installLandsAfterMs <= this.now();
  }

  /** Whether Teams can reach the person through an install of the app that has landed. */
  reachable(userId: string, appExternalId?: string): boolean {
    const rows = cachedStatement(
      this.db,
      'SELECT i.created AS created, a.external_id AS external_id FROM app_installations i JOIN teams_apps a ON a.id = i.app_id WHERE i.user_id = ?',
    ).all(userId);
    return rows.some(
      (row) =>
        (appExternalId === undefined || row.external_id === appExternalId) &&
        this.#landed(String(row.created)),
    );
  }

  /** For seeding and tests: installs without HTTP. */
  installFor(userId: string, appExternalId: string): string {
    const app = this.publishApp(appExternalId);
    const id = Buffer.from(`${userId}##${app.id}`).toString('base64');
    cachedStatement(
      this.db,
      'INSERT OR IGNORE INTO app_installations (id, user_id, app_id, chat_id, created) VALUES (?, ?, ?, ?, ?)',
    ).run(
      id,
      userId,
      app.id,
      `19:${userId}_${app.id}@unq.gbl.spaces`,
      // Installed by set-up: already landed.
      new Date(this.now() - this.installLandsAfterMs).toISOString(),
    );
    return id;
  }
}
