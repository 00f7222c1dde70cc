import { randomBytes } from 'node:crypto';
import {
  emptyResponse,
  GraphHttpError,
  jsonResponse,
  type EmulatedRequest,
  type EmulatedResponse,
  type Handled,
} from '../emulated-http.ts';
import { cachedStatement } from '../emulator-database.ts';
import type { RouteTarget } from './routes.ts';
import {
  APP_IDENTITY,
  isRecord,
  nowIso,
  type ListRow,
  type SharePointStore,
} from './sharepoint-store.ts';

/**
 * Document libraries as drives, and the few driveItem requests Countersign makes (the text of
 * each policy version is a file; see src/adapters/graph/policy-document-files.ts):
 *
 * - `GET /sites/{site}/lists/{list}/drive`: a list's `drive` relationship, "only present on
 *   document libraries" (list resource, https://learn.microsoft.com/en-us/graph/api/resources/list);
 *   404 for a generic list (inferred: the relationship is absent).
 * - `PUT /drives/{drive}/root:/{file name}:/content`: "Upload or replace the contents of a
 *   driveItem" (https://learn.microsoft.com/en-us/graph/api/driveitem-put-content): the body is
 *   the file's bytes; 201 and the new driveItem, or 200 when a file of that name is replaced (same
 *   id, new eTag). The page supports files up to 250 MB; this server takes bodies up to 50 MB.
 * - `GET /drives/{drive}/items/{item}/content`: "Download driveItem content"
 *   (https://learn.microsoft.com/en-us/graph/api/driveitem-get-content): 302 Found, `Location` a
 *   pre-authenticated download URL (here `/_emulator/download/{item}`, served without a token).
 * - `GET /drives/{drive}/items/{item}` (metadata) and `DELETE` (204), as "Get driveItem" and
 *   "Delete a DriveItem" document them.
 *
 * A drive's id is `b!` and the library's list id (base64url), the form real drive ids take.
 * Folders, other conflict behaviours, versions history and upload sessions are not emulated.
 */

interface DriveItemRow {
  id: string;
  drive_id: string;
  name: string;
  content: Uint8Array;
  version: number;
  created: string;
  modified: string;
}

export function driveIdOf(listId: string): string {
  return `b!${Buffer.from(listId, 'utf8').toString('base64url')}`;
}

function isLibrary(list: ListRow): boolean {
  const facet = isRecord(list.data.list) ? list.data.list : {};
  return facet.template === 'documentLibrary';
}

function driveBody(store: SharePointStore, list: ListRow): Record<string, unknown> {
  return store.withContext(
    {
      id: driveIdOf(list.id),
      driveType: 'documentLibrary',
      name: list.data.displayName,
      description: list.data.description,
      createdDateTime: list.data.createdDateTime,
      lastModifiedDateTime: list.data.lastModifiedDateTime,
      webUrl: list.data.webUrl,
      createdBy: APP_IDENTITY,
      lastModifiedBy: APP_IDENTITY,
    },
    'drives/$entity',
  );
}

/** `GET sites/{site}/lists/{list}/drive` */
export function getListDrive(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  if (!isLibrary(at.list)) {
    throw new GraphHttpError(404, 'itemNotFound', 'The list is not a document library.');
  }
  return jsonResponse(200, driveBody(store, at.list));
}

function findDrive(store: SharePointStore, driveId: string): ListRow {
  const listId = driveId.startsWith('b!')
    ? Buffer.from(driveId.slice(2), 'base64url').toString('utf8')
    : '';
  const row = cachedStatement(store.db, 'SELECT id, site_id, data FROM lists WHERE id = ?').get(
    listId,
  );
  const list =
    row === undefined
      ? undefined
      : {
          id: String(row.id),
          siteId: String(row.site_id),
          data: JSON.parse(String(row.data)) as Record<string, unknown>,
        };
  if (list === undefined || !isLibrary(list)) {
    throw new GraphHttpError(404, 'itemNotFound', 'The drive could not be found.');
  }
  return list;
}

function itemRow(store: SharePointStore, driveId: string, itemId: string): DriveItemRow {
  const row = cachedStatement(
    store.db,
    'SELECT id, drive_id, name, content, version, created, modified FROM drive_items WHERE drive_id = ? AND id = ?',
  ).get(driveId, itemId) as DriveItemRow | undefined;
  if (row === undefined)
    throw new GraphHttpError(404, 'itemNotFound', 'The resource could not be found.');
  return row;
}

function itemBody(
  store: SharePointStore,
  list: ListRow,
  row: DriveItemRow,
): Record<string, unknown> {
  const driveId = driveIdOf(list.id);
  return store.withContext(
    {
      '@microsoft.graph.downloadUrl': downloadUrl(store, row.id),
      id: row.id,
      name: row.name,
      size: row.content.byteLength,
      eTag: `"{${row.id}},${row.version}"`,
      cTag: `"c:{${row.id}},${row.version}"`,
      createdDateTime: row.created,
      lastModifiedDateTime: row.modified,
      webUrl: `${String(list.data.webUrl)}/${encodeURIComponent(row.name)}`,
      createdBy: APP_IDENTITY,
      lastModifiedBy: APP_IDENTITY,
      parentReference: {
        driveType: 'documentLibrary',
        driveId,
        path: `/drives/${driveId}/root:`,
        siteId: list.siteId,
      },
      file: {
        mimeType: row.name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      },
    },
    `drives('${driveId}')/items/$entity`,
  );
}

/** The pre-authenticated URL a content request redirects to (outside `/v1.0`, no token). */
function downloadUrl(store: SharePointStore, itemId: string): string {
  return `${store.baseUrl().replace(/\/v1\.0$/, '')}/_emulator/download/${encodeURIComponent(itemId)}`;
}

/** The bytes behind a download URL; undefined when the item is gone. */
export function downloadContent(store: SharePointStore, itemId: string): Buffer | undefined {
  const row = cachedStatement(store.db, 'SELECT content FROM drive_items WHERE id = ?').get(itemId);
  return row === undefined ? undefined : Buffer.from(row.content as Uint8Array);
}

/** A new item id in SharePoint's form (34 characters, base32, starting 01). */
function newItemId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return `01${[...randomBytes(32)].map((b) => alphabet[b % 32] ?? 'A').join('')}`;
}

/** `PUT drives/{drive}/root:/{name}:/content` */
function putContent(
  store: SharePointStore,
  list: ListRow,
  name: string,
  request: EmulatedRequest,
): EmulatedResponse {
  if (name === '' || /[\\/:*?"<>|#%]/.test(name)) {
    throw new GraphHttpError(400, 'invalidRequest', 'The file name is not valid.');
  }
  const content = request.raw ?? Buffer.alloc(0);
  const driveId = driveIdOf(list.id);
  const now = nowIso();
  const existing = cachedStatement(
    store.db,
    'SELECT id, version FROM drive_items WHERE drive_id = ? AND name = ?',
  ).get(driveId, name);
  if (existing !== undefined) {
    cachedStatement(
      store.db,
      'UPDATE drive_items SET content = ?, version = version + 1, modified = ? WHERE id = ?',
    ).run(content, now, String(existing.id));
    return jsonResponse(200, itemBody(store, list, itemRow(store, driveId, String(existing.id))));
  }
  const id = newItemId();
  cachedStatement(
    store.db,
    'INSERT INTO drive_items (id, drive_id, name, content, version, created, modified) VALUES (?, ?, ?, ?, 1, ?, ?)',
  ).run(id, driveId, name, content, now, now);
  return jsonResponse(201, itemBody(store, list, itemRow(store, driveId, id)));
}

function methodNotAllowed(): never {
  throw new GraphHttpError(
    405,
    'BadRequest',
    'Specified HTTP method is not allowed for the request target.',
  );
}

/** Serves `drives/{drive}/…` (segments[0] is `drives`). */
export function handleDrives(store: SharePointStore, request: EmulatedRequest): Handled {
  const [, driveId = '', ...rest] = request.segments;
  store.checkGrant(request.method === 'GET' ? 'read' : 'write');
  const list = findDrive(store, driveId);
  const path = rest.join('/');
  const byPath = /^root:\/(.+):\/content$/.exec(path);
  if (byPath !== null) {
    if (request.method !== 'PUT') methodNotAllowed();
    return { response: putContent(store, list, byPath[1] ?? '', request), resourceUnits: 2 };
  }
  const byId = /^items\/([^/]+)(\/content)?$/.exec(path);
  if (byId === null) {
    throw new GraphHttpError(
      400,
      'BadRequest',
      `Resource not found for the segment '${rest[0] ?? ''}'.`,
    );
  }
  const row = itemRow(store, driveIdOf(list.id), byId[1] ?? '');
  if (byId[2] !== undefined) {
    if (request.method !== 'GET') methodNotAllowed();
    return {
      response: { status: 302, headers: { Location: downloadUrl(store, row.id) } },
      resourceUnits: 1,
    };
  }
  if (request.method === 'GET') {
    return { response: jsonResponse(200, itemBody(store, list, row)), resourceUnits: 1 };
  }
  if (request.method === 'DELETE') {
    cachedStatement(store.db, 'DELETE FROM drive_items WHERE id = ?').run(row.id);
    return { response: emptyResponse(204), resourceUnits: 2 };
  }
  return methodNotAllowed();
}
