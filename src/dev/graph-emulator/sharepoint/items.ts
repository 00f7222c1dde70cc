import { randomUUID } from 'node:crypto';
import type { SQLInputValue } from 'node:sqlite';
import {
  emptyResponse,
  GraphHttpError,
  jsonResponse,
  queryOption,
  type EmulatedRequest,
  type EmulatedResponse,
} from '../emulated-http.ts';
import { cachedStatement, fieldExpression, inTransaction } from '../emulator-database.ts';
import { parseExpand, parseSelect } from '../paging.ts';
import { coerceFieldValue, SYSTEM_FIELDS } from './column-types.ts';
import type { RouteTarget } from './routes.ts';
import {
  APP_IDENTITY,
  isRecord,
  nowIso,
  type ItemRow,
  type ListRow,
  type SharePointStore,
} from './sharepoint-store.ts';

/**
 * List items one at a time: create, read, update (`If-Match`) and delete, with SharePoint's value
 * rules (known columns only, required, unique). Queries over many items are in item-query.ts.
 */

function etagOf(row: Pick<ItemRow, 'etag_guid' | 'version'>): string {
  return `"${row.etag_guid},${row.version}"`;
}

/** Accepts `"guid,N"`, `guid,N`, `W/"guid,N"`, `"{GUID},N"` and `*`, as SharePoint does. */
function etagMatches(ifMatch: string, row: ItemRow): boolean {
  return ifMatch.trim() === '*' || normaliseEtag(ifMatch) === `${row.etag_guid},${row.version}`;
}

function normaliseEtag(value: string): string {
  return value.trim().replace(/^W\//, '').replace(/^"|"$/g, '').replace(/[{}]/g, '').toLowerCase();
}

/** The read-only fields SharePoint adds to every item's `fields`. */
function systemFields(row: ItemRow, stored: Record<string, unknown>): Record<string, unknown> {
  const title = typeof stored.Title === 'string' ? stored.Title : '';
  return {
    id: String(row.id),
    ContentType: 'Item',
    Modified: row.modified,
    Created: row.created,
    AuthorLookupId: '1073741822',
    EditorLookupId: '1073741822',
    _UIVersionString: `${row.version}.0`,
    Attachments: false,
    Edit: '',
    LinkTitleNoMenu: title,
    LinkTitle: title,
    ItemChildCount: '0',
    FolderChildCount: '0',
    _ComplianceFlags: '',
    _ComplianceTag: '',
    _ComplianceTagWrittenTime: '',
    _ComplianceTagUserId: '',
  };
}

/** The `{item}` of a path: a number, else 400 before anything is looked up. */
export function parseItemId(ref: string): number {
  if (!/^\d+$/.test(ref))
    throw new GraphHttpError(400, 'invalidRequest', `Invalid item id '${ref}'`);
  return Number(ref);
}

function itemRow(store: SharePointStore, list: ListRow, itemId: number): ItemRow {
  const row = cachedStatement(
    store.db,
    'SELECT id, etag_guid, version, created, modified, fields FROM items WHERE list_id = ? AND id = ?',
  ).get(list.id, itemId);
  if (row === undefined) {
    throw new GraphHttpError(404, 'itemNotFound', 'The resource could not be found.');
  }
  return row as unknown as ItemRow;
}

function fieldsOf(row: ItemRow, select: Set<string> | undefined): Record<string, unknown> {
  const stored = JSON.parse(row.fields) as Record<string, unknown>;
  if (select === undefined) {
    return { '@odata.etag': etagOf(row), ...stored, ...systemFields(row, stored) };
  }
  // Only what was asked for: 5,000-item pages are built quickly and with little garbage.
  const picked: Record<string, unknown> = { '@odata.etag': etagOf(row) };
  for (const key in stored) {
    if (select.has(key.toLowerCase())) picked[key] = stored[key];
  }
  let system: Record<string, unknown> | undefined;
  for (const name of select) {
    if (!SYSTEM_FIELDS.has(name)) continue;
    system ??= systemFields(row, stored);
    for (const key in system) if (key.toLowerCase() === name) picked[key] = system[key];
  }
  return picked;
}

/** An item as Graph returns it: `$select` on the item, `fields` when expanded. */
export function itemBody(
  list: ListRow,
  row: ItemRow,
  select: Set<string> | undefined,
  fieldsSelect: Set<string> | undefined | false,
): Record<string, unknown> {
  const etag = etagOf(row);
  const all: Record<string, unknown> = {
    '@odata.etag': etag,
    createdDateTime: row.created,
    eTag: etag,
    id: String(row.id),
    lastModifiedDateTime: row.modified,
    webUrl: `${String(list.data.webUrl)}/${row.id}_.000`,
    createdBy: APP_IDENTITY,
    lastModifiedBy: APP_IDENTITY,
    parentReference: { id: list.id, siteId: list.siteId },
    contentType: { id: '0x0100', name: 'Item' },
  };
  let body = all;
  if (select !== undefined) {
    body = { '@odata.etag': etag };
    for (const [key, value] of Object.entries(all))
      if (select.has(key.toLowerCase())) body[key] = value;
  }
  if (fieldsSelect !== false) {
    body.fields = fieldsOf(row, fieldsSelect);
  }
  return body;
}

/** `expand=fields(select=A,B)` → false (no fields), undefined (all fields) or the selection. */
export function fieldsSelection(request: EmulatedRequest): Set<string> | undefined | false {
  const expand = parseExpand(queryOption(request.query, 'expand'));
  const fields = expand.get('fields');
  if (fields === undefined) return false;
  const select = fields.select;
  return select === undefined ? undefined : new Set(select.map((name) => name.toLowerCase()));
}

function itemResponse(
  store: SharePointStore,
  list: ListRow,
  itemId: number,
  request: EmulatedRequest,
  forceFields: boolean,
): EmulatedResponse {
  const row = itemRow(store, list, itemId);
  const fieldsSelect = fieldsSelection(request);
  const body = itemBody(
    list,
    row,
    parseSelect(queryOption(request.query, 'select')),
    forceFields && fieldsSelect === false ? undefined : fieldsSelect,
  );
  return jsonResponse(
    200,
    store.withContext(body, `sites('${list.siteId}')/lists('${list.id}')/items/$entity`),
    { ETag: etagOf(row) },
  );
}

function prepareFields(
  store: SharePointStore,
  list: ListRow,
  input: unknown,
): Record<string, unknown> {
  if (!isRecord(input))
    throw new GraphHttpError(400, 'invalidRequest', 'Invalid request: fields must be an object');
  const columns = store.columnMap(list.id);
  const prepared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key.startsWith('@odata.')) continue;
    const column = columns.get(key.toLowerCase());
    if (column === undefined) {
      if (SYSTEM_FIELDS.has(key.toLowerCase())) {
        throw new GraphHttpError(400, 'invalidRequest', `Field '${key}' is read-only`);
      }
      throw new GraphHttpError(400, 'invalidRequest', `Field '${key}' is not recognized`);
    }
    prepared[column.name] = coerceFieldValue(column, value);
  }
  return prepared;
}

function checkRequiredAndUnique(
  store: SharePointStore,
  list: ListRow,
  fields: Record<string, unknown>,
  exceptId: number | undefined,
): void {
  for (const column of store.columnsOf(list.id)) {
    const value = fields[column.name];
    if (column.required === true && (value === undefined || value === null || value === '')) {
      throw new GraphHttpError(400, 'invalidRequest', `Field '${column.name}' is required.`);
    }
    if (column.enforceUniqueValues && value !== undefined && value !== null) {
      const clash = cachedStatement(
        store.db,
        `SELECT id FROM items WHERE list_id = ? AND ${fieldExpression(column.name)} COLLATE NOCASE = ? AND id IS NOT ?`,
      ).get(
        list.id,
        typeof value === 'boolean' ? Number(value) : (value as SQLInputValue),
        exceptId ?? null,
      );
      if (clash !== undefined) {
        throw new GraphHttpError(
          409,
          'nameAlreadyExists',
          `The list item could not be added or updated because duplicate values were found in the following field(s) in the list: [${column.name}].`,
        );
      }
    }
  }
}

/** Writes one item with the same value rules as `POST …/items`; returns its row. */
export function insertItem(store: SharePointStore, list: ListRow, input: unknown): ItemRow {
  const fields = prepareFields(store, list, input);
  for (const key of Object.keys(fields)) if (fields[key] === null) delete fields[key];
  const row = inTransaction(store.db, () => {
    checkRequiredAndUnique(store, list, fields, undefined);
    const next = cachedStatement(
      store.db,
      'UPDATE lists SET next_item_id = next_item_id + 1 WHERE id = ? RETURNING next_item_id - 1 AS id',
    ).get(list.id);
    const created = nowIso();
    const inserted: ItemRow = {
      id: Number(next?.id),
      etag_guid: randomUUID(),
      version: 1,
      created,
      modified: created,
      fields: JSON.stringify(fields),
    };
    cachedStatement(
      store.db,
      'INSERT INTO items (list_id, id, etag_guid, version, created, modified, fields) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(list.id, inserted.id, inserted.etag_guid, 1, created, created, inserted.fields);
    return inserted;
  });
  store.noteWrite();
  return row;
}

function updateFields(
  store: SharePointStore,
  list: ListRow,
  itemId: number,
  body: unknown,
  ifMatch: string | undefined,
): EmulatedResponse {
  const changes = prepareFields(store, list, body);
  const row = inTransaction(store.db, () => {
    const current = itemRow(store, list, itemId);
    if (ifMatch !== undefined && !etagMatches(ifMatch, current)) {
      throw new GraphHttpError(
        412,
        'preconditionFailed',
        'ETag mismatch: the item was changed since it was read.',
      );
    }
    const merged = { ...(JSON.parse(current.fields) as Record<string, unknown>) };
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    checkRequiredAndUnique(store, list, merged, itemId);
    const updated: ItemRow = {
      ...current,
      version: current.version + 1,
      modified: nowIso(),
      fields: JSON.stringify(merged),
    };
    cachedStatement(
      store.db,
      'UPDATE items SET version = ?, modified = ?, fields = ? WHERE list_id = ? AND id = ?',
    ).run(updated.version, updated.modified, updated.fields, list.id, itemId);
    return updated;
  });
  store.noteWrite();
  // "Update listItem" (https://learn.microsoft.com/en-us/graph/api/listitem-update) documents the
  // reply as the updated fieldValueSet, and its example shows neither `@odata.etag` nor an ETag
  // header: a client must not rely on either, so by default the emulator sends neither. A
  // fieldValueSet read with GET carries `@odata.etag`; a tenant answering the PATCH with it too
  // (inferred, never documented) is `setup.setFieldsPatchEtag(true)`, so tests cover both.
  const fields = fieldsOf(row, undefined);
  if (!store.fieldsPatchEtag) delete fields['@odata.etag'];
  return jsonResponse(
    200,
    store.withContext(
      fields,
      `sites('${list.siteId}')/lists('${list.id}')/items('${itemId}')/fields/$entity`,
    ),
  );
}

/** `POST …/lists/{list}/items` (`{ fields }`) */
export function createItem(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const { list, request } = at;
  const body = request.body;
  if (!isRecord(body)) throw new GraphHttpError(400, 'invalidRequest', 'Invalid request');
  const row = insertItem(store, list, body.fields ?? {});
  const response = itemBody(list, row, undefined, undefined);
  return jsonResponse(
    201,
    store.withContext(response, `sites('${list.siteId}')/lists('${list.id}')/items/$entity`),
    { ETag: etagOf(row) },
  );
}

/** `GET …/items/{item}` (`$select`, `expand=fields(select=…)`) */
export function getItem(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  return itemResponse(store, at.list, at.item, at.request, false);
}

/** `PATCH …/items/{item}` (`{ fields }`, `If-Match`): answers with the item and its fields. */
export function updateItem(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const { list, item, request } = at;
  const body = isRecord(request.body) ? request.body : {};
  updateFields(store, list, item, body.fields ?? {}, request.headers['if-match']);
  return itemResponse(store, list, item, request, true);
}

/** `DELETE …/items/{item}` (`If-Match`) */
export function deleteItem(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const { list, item, request } = at;
  const ifMatch = request.headers['if-match'];
  inTransaction(store.db, () => {
    const current = itemRow(store, list, item);
    if (ifMatch !== undefined && !etagMatches(ifMatch, current)) {
      throw new GraphHttpError(
        412,
        'preconditionFailed',
        'ETag mismatch: the item was changed since it was read.',
      );
    }
    cachedStatement(store.db, 'DELETE FROM items WHERE list_id = ? AND id = ?').run(list.id, item);
  });
  store.noteWrite();
  return emptyResponse(204);
}

/** `GET …/items/{item}/fields` */
export function getItemFields(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  return jsonResponse(200, fieldsOf(itemRow(store, at.list, at.item), undefined));
}

/** `PATCH …/items/{item}/fields` (`If-Match`): answers with the fields. */
export function updateItemFields(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const { list, item, request } = at;
  return updateFields(store, list, item, request.body, request.headers['if-match']);
}
