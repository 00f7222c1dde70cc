import { randomUUID } from 'node:crypto';
import {
  emptyResponse,
  GraphHttpError,
  jsonResponse,
  queryOption,
  type EmulatedResponse,
} from '../emulated-http.ts';
import { cachedStatement, inTransaction } from '../emulator-database.ts';
import { parseExpand, parseSelect } from '../paging.ts';
import { normaliseColumn, titleColumn } from './column-types.ts';
import { insertColumn } from './columns.ts';
import type { RouteTarget } from './routes.ts';
import {
  APP_IDENTITY,
  isRecord,
  nowIso,
  projected,
  type ListRow,
  type SharePointStore,
  type SiteRow,
} from './sharepoint-store.ts';

/** Lists of a site, found by id, display name or name. */

/** The `{list}` of a path; 404 when the site has none by that id or name. */
export function findList(store: SharePointStore, site: SiteRow, listRef: string): ListRow {
  const row = cachedStatement(
    store.db,
    `SELECT id, site_id, data FROM lists WHERE site_id = ?
         AND (id = ? COLLATE NOCASE OR display_name = ? COLLATE NOCASE OR name = ? COLLATE NOCASE)
       LIMIT 1`,
  ).get(site.id, listRef.replace(/[{}]/g, ''), listRef, listRef);
  if (row === undefined) {
    throw new GraphHttpError(404, 'itemNotFound', 'The specified list was not found');
  }
  return {
    id: String(row.id),
    siteId: String(row.site_id),
    data: JSON.parse(String(row.data)) as Record<string, unknown>,
  };
}

function listBody(
  store: SharePointStore,
  list: ListRow,
  withColumns: boolean,
): Record<string, unknown> {
  return withColumns ? { ...list.data, columns: store.columnsOf(list.id) } : list.data;
}

/** `GET sites/{site}/lists` (`$filter=displayName eq '…'`, `$expand=columns`, `$select`) */
export function listLists(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const { site, request } = at;
  const rows = cachedStatement(
    store.db,
    'SELECT id, site_id, data FROM lists WHERE site_id = ? ORDER BY rowid',
  ).all(site.id);
  let lists = rows.map((row) => ({
    id: String(row.id),
    siteId: String(row.site_id),
    data: JSON.parse(String(row.data)) as Record<string, unknown>,
  }));
  const filter = queryOption(request.query, 'filter');
  if (filter !== undefined) {
    // Graph supports only displayName here (see microsoft-graph-docs issue 9836).
    const match = /^\s*displayName\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(filter);
    if (match === null) {
      throw new GraphHttpError(
        400,
        'invalidRequest',
        'The provided filter statement is not supported',
      );
    }
    const wanted = (match[1] ?? '').replace(/''/g, "'").toLowerCase();
    lists = lists.filter((list) => String(list.data.displayName).toLowerCase() === wanted);
  }
  const expand = parseExpand(queryOption(request.query, 'expand'));
  const select = parseSelect(queryOption(request.query, 'select'));
  const value = lists.map((list) =>
    projected(listBody(store, list, expand.has('columns')), select),
  );
  return jsonResponse(200, {
    '@odata.context': `${store.baseUrl()}/$metadata#sites('${site.id}')/lists`,
    value,
  });
}

/** `GET sites/{site}/lists/{list}` (`$expand=columns`, `$select`) */
export function getList(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const { list, request } = at;
  const expand = parseExpand(queryOption(request.query, 'expand'));
  return jsonResponse(
    200,
    store.withContext(
      projected(
        listBody(store, list, expand.has('columns')),
        parseSelect(queryOption(request.query, 'select')),
      ),
      'sites/lists/$entity',
    ),
  );
}

/** `POST sites/{site}/lists`: a display name unique in the site, with its columns. */
export function createList(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const { site, request } = at;
  const body = request.body;
  if (!isRecord(body) || typeof body.displayName !== 'string' || body.displayName.trim() === '') {
    throw new GraphHttpError(400, 'invalidRequest', 'A list needs a displayName.');
  }
  const displayName = body.displayName.trim();
  const duplicate = cachedStatement(
    store.db,
    'SELECT 1 FROM lists WHERE site_id = ? AND display_name = ? COLLATE NOCASE',
  ).get(site.id, displayName);
  if (duplicate !== undefined) {
    throw new GraphHttpError(
      409,
      'nameAlreadyExists',
      'A list, survey, discussion board, or document library with the specified title already exists in this Web site.  Please choose another title.',
    );
  }
  const columnsInput = body.columns === undefined ? [] : body.columns;
  if (!Array.isArray(columnsInput))
    throw new GraphHttpError(400, 'invalidRequest', 'columns must be an array');
  const columns = columnsInput.map((column) => store.createdColumn(normaliseColumn(column)));
  const names = new Set<string>();
  for (const column of columns) {
    if (names.has(column.name.toLowerCase())) {
      throw new GraphHttpError(
        409,
        'nameAlreadyExists',
        `A duplicate field name "${column.name}" was found.`,
      );
    }
    names.add(column.name.toLowerCase());
  }
  const listFacet = isRecord(body.list) ? body.list : {};
  const template = typeof listFacet.template === 'string' ? listFacet.template : 'genericList';
  const id = randomUUID();
  const created = nowIso();
  const name = displayName.replace(/[^A-Za-z0-9_-]/g, '');
  const data = {
    '@odata.etag': `"${id},0"`,
    createdDateTime: created,
    description: typeof body.description === 'string' ? body.description : '',
    eTag: `"${id},0"`,
    id,
    lastModifiedDateTime: created,
    name,
    webUrl: `${String(site.data.webUrl)}/Lists/${name}`,
    displayName,
    createdBy: APP_IDENTITY,
    lastModifiedBy: APP_IDENTITY,
    parentReference: { siteId: site.id },
    list: { contentTypesEnabled: false, hidden: listFacet.hidden === true, template },
  };
  try {
    inTransaction(store.db, () => {
      cachedStatement(
        store.db,
        'INSERT INTO lists (id, site_id, name, display_name, data) VALUES (?, ?, ?, ?, ?)',
      ).run(id, site.id, name, displayName, JSON.stringify(data));
      [titleColumn(), ...columns].forEach((column, position) =>
        insertColumn(store, id, column, position),
      );
    });
  } finally {
    store.forgetColumns(id);
  }
  return jsonResponse(201, store.withContext(data, `sites('${site.id}')/lists/$entity`));
}

/** `DELETE sites/{site}/lists/{list}`: its items and columns go with it. */
export function deleteList(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const { list } = at;
  inTransaction(store.db, () => {
    cachedStatement(store.db, 'DELETE FROM items WHERE list_id = ?').run(list.id);
    cachedStatement(store.db, 'DELETE FROM columns WHERE list_id = ?').run(list.id);
    store.forgetColumns(list.id);
    cachedStatement(store.db, 'DELETE FROM lists WHERE id = ?').run(list.id);
  });
  return emptyResponse(204);
}
