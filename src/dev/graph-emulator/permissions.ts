import { EMULATOR_APP_TOKEN } from '../../adapters/graph/emulator-app-token.ts';
import { graphError, type EmulatedResponse } from './emulated-http.ts';
import type { SiteGrant } from './sharepoint/sharepoint-store.ts';

/**
 * The permission mode: Graph as an app-only caller meets it. Every request needs a bearer token
 * the emulator knows, and each endpoint checks the application permissions granted to that
 * token's app, with the answer Graph documents when they are short. On by default: the
 * emulator knows one app, Countersign's own registration (COUNTERSIGN_DEV_APP), whose token
 * (EMULATOR_APP_TOKEN) the Graph adapters present to a plain-http Graph on this machine;
 * `startGraphEmulator({ permissions: false })` opts out (the emulator's own tests of other
 * features only).
 *
 * Sources (Graph v1.0 reference, "Permissions", application column; least privileged first):
 * - users/{id}, users?$filter: User.Read.All (User.ReadWrite.All, Directory.Read.All,
 *   Directory.ReadWrite.All higher), learn.microsoft.com/graph/api/user-get and user-list.
 * - groups/{id}/transitiveMembers and members: GroupMember.Read.All (Group.Read.All,
 *   Directory.Read.All higher), group-list-transitivemembers, group-list-members.
 * - appCatalogs/teamsApps: AppCatalog.Read.All (AppCatalog.ReadWrite.All, Directory.Read.All,
 *   Directory.ReadWrite.All), appcatalogs-list-teamsapps.
 * - users/{id}/teamwork/installedApps, POST: TeamsAppInstallation.ReadWriteSelfForUser.All (and
 *   the ReadWrite…ForUser.All, ManageSelectedForUser.All higher ones), userteamwork-post-installedapps;
 *   GET (and …/chat): TeamsAppInstallation.ReadForUser.All or any of those,
 *   userteamwork-list-installedapps.
 * - Directory writes (the emulator's new starters and leavers; Countersign itself writes nothing
 *   to the directory, so its registration requests none of these). Application permissions,
 *   least privileged first, from the Graph docs' permission tables (microsoft-graph-docs-contrib,
 *   api-reference/v1.0/includes/permissions/*-permissions.md and the pages that include them):
 *   POST /users User.ReadWrite.All, Directory.ReadWrite.All (user-post-users); PATCH /users/{id}
 *   User.ReadWrite.All, Directory.ReadWrite.All (user-update); DELETE /users/{id}
 *   User.ReadWrite.All only, "higher privileged: not available" (user-delete); POST /groups
 *   Group.Create, Directory.ReadWrite.All, Group.ReadWrite.All (group-post-groups), and "to create
 *   the group with users as owners or members, the app must have at least the User.Read.All
 *   permission" when Group.Create is what it holds (same page); DELETE /groups/{id}
 *   Group.ReadWrite.All (group-delete); POST /groups/{id}/members/$ref and DELETE
 *   /groups/{id}/members/{id}/$ref GroupMember.ReadWrite.All, Directory.ReadWrite.All,
 *   Group.ReadWrite.All (group-post-members, group-delete-members). The refusal is the same 403
 *   Authorization_RequestDenied as a short read.
 * - sites, lists, items, drives under Sites.Selected: the role granted on the site (read, write,
 *   owner, fullcontrol; site-post-permissions), enforced by the SharePoint part as before
 *   (sharepoint-store.ts, GRANT_ALLOWS); Sites.Read.All, Sites.ReadWrite.All,
 *   Sites.Manage.All and Sites.FullControl.All grant read, write, manage and all on every site.
 *
 * Answers: no or an unknown token → 401 `InvalidAuthenticationToken` (Graph's errors page:
 * 401 "Required authentication information is either missing or not valid"; the message text is
 * inferred). Directory endpoints short of a permission → 403 `Authorization_RequestDenied`,
 * "Insufficient privileges to complete the operation." (the code Graph's errors page names for
 * directory authorization failures); SharePoint → 403 `accessDenied`; Teams endpoints → 403
 * `Forbidden` (inferred: the docs give the status, not the code).
 */

export interface EmulatedApp {
  /** Application permissions (app roles) granted and consented for this app. */
  roles: readonly string[];
  /** Its Sites.Selected role on the emulator's sites (with the Sites.Selected role). */
  siteRole?: SiteGrant;
}

export interface PermissionMode {
  /** Bearer token → the app it stands for. */
  apps: Readonly<Record<string, EmulatedApp>>;
  /**
   * Manifest ids (externalId) of apps uploaded to the organisation's catalog. Anything else is
   * unknown: the list filter finds nothing, GET by id and install answer 404. The demo's app is
   * one a test names here.
   */
  catalog?: readonly string[];
}

/**
 * The application permissions Countersign's registration requests
 * (infra/entra-app-registration.json, requiredResourceAccess; infra/README.md says why each).
 */
export const COUNTERSIGN_APP_ROLES: readonly string[] = [
  'Sites.Selected',
  'User.Read.All',
  'GroupMember.Read.All',
  'AppCatalog.Read.All',
  'TeamsAppInstallation.ReadWriteSelfForUser.All',
];

/**
 * Countersign's registration as the emulator knows it: its roles, and the fullcontrol site
 * grant infra/README.md step 5 asks for (what `countersign provision` needs to create lists,
 * columns and indexes).
 */
export const COUNTERSIGN_DEV_APP: EmulatedApp = {
  roles: COUNTERSIGN_APP_ROLES,
  siteRole: 'fullcontrol',
};

/**
 * The default permission mode: the one dev app behind EMULATOR_APP_TOKEN, and an app catalog
 * holding only what the caller names (the local stack names its own app).
 */
export function defaultPermissionMode(given: Partial<PermissionMode> = {}): PermissionMode {
  return {
    apps: given.apps ?? { [EMULATOR_APP_TOKEN]: COUNTERSIGN_DEV_APP },
    catalog: given.catalog ?? [],
  };
}

const USER_READ = [
  'User.Read.All',
  'User.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const GROUP_MEMBER_READ = [
  'GroupMember.Read.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const APP_CATALOG_READ = [
  'AppCatalog.Read.All',
  'AppCatalog.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const INSTALL_WRITE = [
  'TeamsAppInstallation.ReadWriteSelfForUser.All',
  'TeamsAppInstallation.ReadWriteForUser.All',
  'TeamsAppInstallation.ReadWriteAndConsentForUser.All',
  'TeamsAppInstallation.ReadWriteAndConsentSelfForUser.All',
  'TeamsAppInstallation.ManageSelectedForUser.All',
  'TeamsAppInstallation.ReadWriteSelectedForUser.All',
];
const INSTALL_READ = ['TeamsAppInstallation.ReadForUser.All', ...INSTALL_WRITE];

const USER_WRITE = ['User.ReadWrite.All', 'Directory.ReadWrite.All'];
const USER_DELETE = ['User.ReadWrite.All'];
const GROUP_CREATE = ['Group.Create', 'Directory.ReadWrite.All', 'Group.ReadWrite.All'];
const GROUP_DELETE = ['Group.ReadWrite.All'];
const GROUP_MEMBER_WRITE = [
  'GroupMember.ReadWrite.All',
  'Directory.ReadWrite.All',
  'Group.ReadWrite.All',
];

/** Tenant-wide Sites roles and the site role each amounts to. */
const SITES_ROLES: readonly (readonly [string, SiteGrant])[] = [
  ['Sites.FullControl.All', 'fullcontrol'],
  ['Sites.Manage.All', 'owner'],
  ['Sites.ReadWrite.All', 'write'],
  ['Sites.Read.All', 'read'],
];

export function unauthenticated(hasToken: boolean): EmulatedResponse {
  return graphError(
    401,
    'InvalidAuthenticationToken',
    hasToken ? 'Access token validation failure.' : 'Access token is empty.',
  );
}

/** The app a request's Authorization header names, or undefined (answer 401). */
export function appOf(
  mode: PermissionMode,
  authorization: string | undefined,
): EmulatedApp | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  return token === undefined ? undefined : mode.apps[token];
}

/**
 * The site role the app holds. `selectedGrant` (EmulatorSetup.setSiteGrant) replaces the role a
 * Sites.Selected app was given, as a new grant on the site would.
 */
export function siteRoleOf(app: EmulatedApp, selectedGrant?: SiteGrant): SiteGrant {
  for (const [role, grant] of SITES_ROLES) if (app.roles.includes(role)) return grant;
  if (app.roles.includes('Sites.Selected')) return selectedGrant ?? app.siteRole ?? 'none';
  return 'none';
}

function insufficient(): EmulatedResponse {
  return graphError(
    403,
    'Authorization_RequestDenied',
    'Insufficient privileges to complete the operation.',
  );
}

function forbidden(what: string): EmulatedResponse {
  return graphError(403, 'Forbidden', `Missing application permission for ${what}.`);
}

const holds = (app: EmulatedApp, any: readonly string[]): boolean =>
  any.some((role) => app.roles.includes(role));

/**
 * The refusal for a request the app's roles do not cover, or undefined when they do. SharePoint
 * paths are left to the site grant (the SharePoint part checks it per operation).
 */
export function refusal(
  app: EmulatedApp,
  method: string,
  segments: readonly string[],
  body?: unknown,
): EmulatedResponse | undefined {
  const [root, , third] = segments;
  switch (root ?? '') {
    case 'users':
      if (third === 'teamwork') {
        const write = method !== 'GET';
        return holds(app, write ? INSTALL_WRITE : INSTALL_READ)
          ? undefined
          : forbidden(write ? 'installing apps for users' : 'reading users’ installed apps');
      }
      if (method === 'GET') return holds(app, USER_READ) ? undefined : insufficient();
      return holds(app, method === 'DELETE' ? USER_DELETE : USER_WRITE)
        ? undefined
        : insufficient();
    case 'groups':
      if (method === 'GET') return holds(app, GROUP_MEMBER_READ) ? undefined : insufficient();
      return holds(app, groupWrite(app, segments, body)) ? undefined : insufficient();
    case 'appCatalogs':
      return holds(app, APP_CATALOG_READ) ? undefined : forbidden('the app catalog');
    default:
      return undefined;
  }
}

/** The roles any one of which allows a write under /groups (see the sources above). */
function groupWrite(
  app: EmulatedApp,
  segments: readonly string[],
  body: unknown,
): readonly string[] {
  const [, id, relation] = segments;
  if (relation === 'members') return GROUP_MEMBER_WRITE;
  // Deleting a group (updating one is not emulated: 405 after this check).
  if (id !== undefined) return GROUP_DELETE;
  // Creating a group: Group.Create alone binds no user as member or owner without reading users.
  const binds =
    typeof body === 'object' &&
    body !== null &&
    ('members@odata.bind' in body || 'owners@odata.bind' in body);
  const createsBroadly = holds(app, ['Directory.ReadWrite.All', 'Group.ReadWrite.All']);
  if (binds && !createsBroadly && !holds(app, USER_READ)) return [];
  return GROUP_CREATE;
}
