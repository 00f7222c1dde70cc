import {
  GraphHttpError,
  jsonResponse,
  queryOption,
  type EmulatedResponse,
} from '../emulated-http.ts';
import { cachedStatement } from '../emulator-database.ts';
import { parseSelect } from '../paging.ts';
import type { RouteTarget } from './routes.ts';
import { nowIso, projected, type SharePointStore, type SiteRow } from './sharepoint-store.ts';

/** Sites: by id, `root`, a hostname (its root site) or `hostname:/path` (see graph-router.ts). */

/** Creates a site unless one already has that path; returns the site's id. */
export function createSite(
  store: SharePointStore,
  site: { id: string; hostname: string; path: string; displayName: string; description: string },
): string {
  const { id, hostname, path, displayName, description } = site;
  const existing = cachedStatement(
    store.db,
    'SELECT id FROM sites WHERE hostname = ? AND path = ?',
  ).get(hostname, path);
  if (existing !== undefined) return String(existing.id);
  const created = nowIso();
  const data = {
    id,
    createdDateTime: created,
    lastModifiedDateTime: created,
    description,
    displayName,
    name: path === '/' ? 'Communication site' : (path.split('/').pop() ?? path),
    webUrl: `https://${hostname}${path === '/' ? '' : path}`,
    siteCollection: { hostname },
    ...(path === '/' ? { root: {} } : {}),
  };
  cachedStatement(store.db, 'INSERT INTO sites (id, hostname, path, data) VALUES (?, ?, ?, ?)').run(
    id,
    hostname,
    path,
    JSON.stringify(data),
  );
  return id;
}

export function findSiteIdByPath(
  store: SharePointStore,
  hostname: string,
  path: string,
): string | undefined {
  const normalised = path === '' ? '/' : path.replace(/\/+$/, '') || '/';
  const row = cachedStatement(
    store.db,
    'SELECT id FROM sites WHERE hostname = ? COLLATE NOCASE AND path = ? COLLATE NOCASE',
  ).get(hostname, normalised);
  return row === undefined ? undefined : String(row.id);
}

/** The `{site}` of a path; 404 when there is none. */
export function findSite(store: SharePointStore, siteRef: string): SiteRow {
  let row;
  if (siteRef === 'root') {
    row = cachedStatement(
      store.db,
      "SELECT id, data FROM sites WHERE path = '/' ORDER BY rowid LIMIT 1",
    ).get();
  } else if (!siteRef.includes(',')) {
    row = cachedStatement(
      store.db,
      "SELECT id, data FROM sites WHERE hostname = ? COLLATE NOCASE AND path = '/'",
    ).get(siteRef);
  } else {
    row = cachedStatement(store.db, 'SELECT id, data FROM sites WHERE id = ? COLLATE NOCASE').get(
      siteRef,
    );
  }
  if (row === undefined) {
    throw new GraphHttpError(404, 'itemNotFound', 'Requested site could not be found');
  }
  return { id: String(row.id), data: JSON.parse(String(row.data)) as Record<string, unknown> };
}

/** `GET sites/{site}` */
export function getSite(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const select = parseSelect(queryOption(at.request.query, 'select'));
  return jsonResponse(200, store.withContext(projected(at.site.data, select), 'sites/$entity'));
}
