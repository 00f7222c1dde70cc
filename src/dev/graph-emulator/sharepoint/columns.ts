import {
  emptyResponse,
  GraphHttpError,
  jsonResponse,
  type EmulatedResponse,
} from '../emulated-http.ts';
import { cachedStatement, ensureColumnIndex } from '../emulator-database.ts';
import {
  checkIndexable,
  columnKind,
  normaliseColumn,
  type ColumnDefinition,
} from './column-types.ts';
import type { RouteTarget } from './routes.ts';
import { isRecord, type ListRow, type SharePointStore } from './sharepoint-store.ts';

/** A list's columns, found by id or (case-insensitively) by name; Title is always there. */

export function insertColumn(
  store: SharePointStore,
  listId: string,
  column: ColumnDefinition,
  position: number,
): void {
  store.forgetColumns(listId);
  cachedStatement(
    store.db,
    'INSERT INTO columns (list_id, name, position, def) VALUES (?, ?, ?, ?)',
  ).run(listId, column.name, position, JSON.stringify(column));
  if (column.indexed) ensureColumnIndex(store.db, column.name);
}

/** The `{column}` of a path, looked up when the request is served (so a bad method is a 405). */
function findColumn(store: SharePointStore, list: ListRow, ref: string): ColumnDefinition {
  const found = store
    .columnsOf(list.id)
    .find((column) => column.id === ref || column.name.toLowerCase() === ref.toLowerCase());
  if (found === undefined)
    throw new GraphHttpError(404, 'itemNotFound', 'The specified column was not found');
  return found;
}

/** `GET …/lists/{list}/columns` */
export function listColumns(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const { list } = at;
  return jsonResponse(200, {
    '@odata.context': `${store.baseUrl()}/$metadata#sites('${list.siteId}')/lists('${list.id}')/columns`,
    value: store.columnsOf(list.id),
  });
}

/** `GET …/columns/{column}` */
export function getColumn(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  return jsonResponse(200, findColumn(store, at.list, at.column));
}

/** `POST …/lists/{list}/columns`: a name not yet in the list. */
export function createColumn(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const { list } = at;
  const column = store.createdColumn(normaliseColumn(at.request.body));
  if (store.columnMap(list.id).has(column.name.toLowerCase())) {
    throw new GraphHttpError(
      409,
      'nameAlreadyExists',
      `A duplicate field name "${column.name}" was found.`,
    );
  }
  const position = store.columnsOf(list.id).length;
  insertColumn(store, list.id, column, position);
  return jsonResponse(201, column);
}

/** `PATCH …/columns/{column}`: descriptive and indexing properties, and the type's facet. */
export function updateColumn(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const { list, request } = at;
  const body = request.body;
  if (!isRecord(body)) throw new GraphHttpError(400, 'invalidRequest', 'Invalid column update');
  const column = findColumn(store, list, at.column);
  if (column.name === 'Title' && body.name !== undefined && body.name !== 'Title') {
    throw new GraphHttpError(400, 'invalidRequest', 'The Title column cannot be renamed.');
  }
  const updated: ColumnDefinition = { ...column };
  for (const key of ['displayName', 'description', 'columnGroup'] as const) {
    if (typeof body[key] === 'string') updated[key] = body[key];
  }
  for (const key of ['indexed', 'enforceUniqueValues', 'hidden', 'required'] as const) {
    if (typeof body[key] === 'boolean') updated[key] = body[key];
  }
  const indexingBoth =
    body.indexed === true && body.enforceUniqueValues === true && column.indexed !== true;
  if (indexingBoth && store.columnPatchRule === 'refuse-combined') {
    throw new GraphHttpError(
      400,
      'invalidRequest',
      `Column '${column.name}' must be indexed before it can enforce unique values.`,
    );
  }
  if (indexingBoth && store.columnPatchRule === 'ignore-unique') {
    updated.enforceUniqueValues = column.enforceUniqueValues;
  }
  const kind = columnKind(column);
  if (kind !== 'other' && isRecord(body[kind])) {
    updated[kind] = { ...(column[kind] as Record<string, unknown>), ...body[kind] };
  }
  checkIndexable(updated);
  store.forgetColumns(list.id);
  cachedStatement(store.db, 'UPDATE columns SET def = ? WHERE list_id = ? AND name = ?').run(
    JSON.stringify(updated),
    list.id,
    column.name,
  );
  if (updated.indexed) ensureColumnIndex(store.db, updated.name);
  return jsonResponse(200, updated);
}

/** `DELETE …/columns/{column}` (not Title). */
export function deleteColumn(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const { list } = at;
  const column = findColumn(store, list, at.column);
  if (column.name === 'Title')
    throw new GraphHttpError(400, 'invalidRequest', 'The Title column cannot be deleted.');
  store.forgetColumns(list.id);
  cachedStatement(store.db, 'DELETE FROM columns WHERE list_id = ? AND name = ?').run(
    list.id,
    column.name,
  );
  return emptyResponse(204);
}
