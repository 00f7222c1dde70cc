import { randomUUID } from 'node:crypto';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import {
  checkIndexable,
  coerceFieldValue,
  COLUMN_NAME,
  columnKind,
  normaliseColumn,
  normaliseDateTime,
  SYSTEM_FIELDS,
  titleColumn,
  type ColumnDefinition,
} from './column-types.ts';
import {
  emptyResponse,
  GraphHttpError,
  jsonResponse,
  queryOption,
  type EmulatedRequest,
  type Handled,
} from './emulated-http.ts';
import {
  cachedStatement,
  ensureColumnIndex,
  fieldExpression,
  inTransaction,
  onRollback,
} from './emulator-database.ts';
import {
  FilterSyntaxError,
  filterPaths,
  parseFilter,
  type FilterExpression,
  type FilterLiteral,
} from './odata-filter.ts';
import {
  decodeSkipToken,
  encodeSkipToken,
  nextLinkFor,
  parseExpand,
  parseSelect,
} from './paging.ts';

/** SharePoint's list view threshold. */
export const LIST_VIEW_THRESHOLD = 5000;
const DEFAULT_ITEM_PAGE = 200;
const MAX_ITEM_PAGE = 5000;
const PREFER_NON_INDEXED = 'honornonindexedquerieswarningmayfailrandomly';
const APP_IDENTITY = { user: { displayName: 'SharePoint App' } };

interface SiteRow {
  id: string;
  data: Record<string, unknown>;
}
interface ListRow {
  id: string;
  siteId: string;
  data: Record<string, unknown>;
}
interface ItemRow {
  id: number;
  etag_guid: string;
  version: number;
  created: string;
  modified: string;
  fields: string;
}

function nowIso(): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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

/** `$select` on a site or list: the chosen properties, annotations and expansions kept. */
function projected(
  body: Record<string, unknown>,
  select: Set<string> | undefined,
): Record<string, unknown> {
  if (select === undefined) return body;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('@odata.') || key === 'columns' || select.has(key.toLowerCase())) {
      kept[key] = value;
    }
  }
  return kept;
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

/** Sites, lists, columns and list items, over the emulator's SQLite file. */
export class SharePointEmulator {
  private readonly db: DatabaseSync;
  private readonly baseUrl: () => string;
  /** Writes since SQLite last gathered statistics; without them it may pick a poor index. */
  private writesSinceAnalyze = 0;
  private rowsAtAnalyze = 0;

  constructor(db: DatabaseSync, baseUrl: () => string) {
    this.db = db;
    this.baseUrl = baseUrl;
    this.db.exec('ANALYZE');
    onRollback(db, () => this.columnCache.clear());
  }

  private noteWrite(): void {
    this.writesSinceAnalyze += 1;
  }

  private refreshStatistics(): void {
    if (this.writesSinceAnalyze < 200 + this.rowsAtAnalyze / 5) return;
    this.db.exec('ANALYZE');
    this.writesSinceAnalyze = 0;
    const row = cachedStatement(this.db, 'SELECT count(*) AS n FROM items').get();
    this.rowsAtAnalyze = Number(row?.n ?? 0);
  }

  // ── sites ──────────────────────────────────────────────────────────────────────────────

  /** Creates a site unless one already has that path; returns the site's id. */
  createSite(site: {
    id: string;
    hostname: string;
    path: string;
    displayName: string;
    description: string;
  }): string {
    const { id, hostname, path, displayName, description } = site;
    const existing = cachedStatement(
      this.db,
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
    cachedStatement(
      this.db,
      'INSERT INTO sites (id, hostname, path, data) VALUES (?, ?, ?, ?)',
    ).run(id, hostname, path, JSON.stringify(data));
    return id;
  }

  findSiteIdByPath(hostname: string, path: string): string | undefined {
    const normalised = path === '' ? '/' : path.replace(/\/+$/, '') || '/';
    const row = cachedStatement(
      this.db,
      'SELECT id FROM sites WHERE hostname = ? COLLATE NOCASE AND path = ? COLLATE NOCASE',
    ).get(hostname, normalised);
    return row === undefined ? undefined : String(row.id);
  }

  private site(siteRef: string): SiteRow {
    let row;
    if (siteRef === 'root') {
      row = cachedStatement(
        this.db,
        "SELECT id, data FROM sites WHERE path = '/' ORDER BY rowid LIMIT 1",
      ).get();
    } else if (!siteRef.includes(',')) {
      row = cachedStatement(
        this.db,
        "SELECT id, data FROM sites WHERE hostname = ? COLLATE NOCASE AND path = '/'",
      ).get(siteRef);
    } else {
      row = cachedStatement(this.db, 'SELECT id, data FROM sites WHERE id = ? COLLATE NOCASE').get(
        siteRef,
      );
    }
    if (row === undefined) {
      throw new GraphHttpError(404, 'itemNotFound', 'Requested site could not be found');
    }
    return { id: String(row.id), data: JSON.parse(String(row.data)) as Record<string, unknown> };
  }

  // ── routing ────────────────────────────────────────────────────────────────────────────

  /** Handles `sites/...` requests; `segments[0]` is `sites`. */
  handle(request: EmulatedRequest): Handled {
    const [, siteRef, collection, listRef, sub, subId, subSub, ...rest] = request.segments;
    const method = request.method;
    if (siteRef === undefined) {
      throw new GraphHttpError(400, 'invalidRequest', 'Listing all sites is not supported here.');
    }
    const site = this.site(siteRef);
    if (collection === undefined) {
      this.onlyMethods(method, ['GET']);
      return {
        response: jsonResponse(
          200,
          this.withContext(
            projected(site.data, parseSelect(queryOption(request.query, 'select'))),
            'sites/$entity',
          ),
        ),
        resourceUnits: 1,
      };
    }
    if (collection !== 'lists') {
      throw new GraphHttpError(
        400,
        'BadRequest',
        `Resource not found for the segment '${collection}'.`,
      );
    }
    if (listRef === undefined) {
      if (method === 'GET') return { response: this.listLists(site, request), resourceUnits: 2 };
      if (method === 'POST')
        return { response: this.createList(site, request.body), resourceUnits: 2 };
      return this.methodNotAllowed();
    }
    const list = this.list(site, listRef);
    if (sub === undefined) {
      if (method === 'GET') return { response: this.getList(list, request), resourceUnits: 1 };
      if (method === 'DELETE') {
        this.deleteList(list);
        return { response: emptyResponse(204), resourceUnits: 2 };
      }
      return this.methodNotAllowed();
    }
    if (rest.length > 0)
      throw new GraphHttpError(400, 'BadRequest', 'Resource not found for the segment.');
    if (sub === 'columns') {
      if (subSub !== undefined)
        throw new GraphHttpError(
          400,
          'BadRequest',
          `Resource not found for the segment '${subSub}'.`,
        );
      if (subId === undefined) {
        if (method === 'GET') return { response: this.listColumns(list), resourceUnits: 2 };
        if (method === 'POST')
          return { response: this.createColumn(list, request.body), resourceUnits: 2 };
        return this.methodNotAllowed();
      }
      if (method === 'GET')
        return { response: jsonResponse(200, this.column(list, subId)), resourceUnits: 1 };
      if (method === 'PATCH')
        return { response: this.updateColumn(list, subId, request.body), resourceUnits: 2 };
      if (method === 'DELETE') {
        this.deleteColumn(list, subId);
        return { response: emptyResponse(204), resourceUnits: 2 };
      }
      return this.methodNotAllowed();
    }
    if (sub === 'items') {
      if (subId === undefined) {
        if (method === 'GET') return { response: this.listItems(list, request), resourceUnits: 2 };
        if (method === 'POST')
          return { response: this.createItem(list, request.body), resourceUnits: 2 };
        return this.methodNotAllowed();
      }
      const itemId = this.itemId(subId);
      if (subSub === 'fields') {
        if (method === 'GET') {
          const row = this.itemRow(list, itemId);
          return { response: jsonResponse(200, this.fieldsOf(row, undefined)), resourceUnits: 1 };
        }
        if (method === 'PATCH') {
          return {
            response: this.updateFields(list, itemId, request.body, request.headers['if-match']),
            resourceUnits: 2,
          };
        }
        return this.methodNotAllowed();
      }
      if (subSub !== undefined)
        throw new GraphHttpError(
          400,
          'BadRequest',
          `Resource not found for the segment '${subSub}'.`,
        );
      if (method === 'GET')
        return { response: this.getItem(list, itemId, request), resourceUnits: 1 };
      if (method === 'PATCH') {
        const body = isRecord(request.body) ? request.body : {};
        this.updateFields(list, itemId, body.fields ?? {}, request.headers['if-match']);
        return { response: this.getItem(list, itemId, request, true), resourceUnits: 2 };
      }
      if (method === 'DELETE') {
        this.deleteItem(list, itemId, request.headers['if-match']);
        return { response: emptyResponse(204), resourceUnits: 2 };
      }
      return this.methodNotAllowed();
    }
    throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${sub}'.`);
  }

  private onlyMethods(method: string, allowed: string[]): void {
    if (!allowed.includes(method)) this.methodNotAllowed();
  }

  private methodNotAllowed(): never {
    throw new GraphHttpError(
      405,
      'BadRequest',
      'Specified HTTP method is not allowed for the request target.',
    );
  }

  private withContext(body: Record<string, unknown>, context: string): Record<string, unknown> {
    return { '@odata.context': `${this.baseUrl()}/$metadata#${context}`, ...body };
  }

  // ── lists ──────────────────────────────────────────────────────────────────────────────

  private list(site: SiteRow, listRef: string): ListRow {
    const row = cachedStatement(
      this.db,
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

  private listLists(site: SiteRow, request: EmulatedRequest): ReturnType<typeof jsonResponse> {
    const rows = cachedStatement(
      this.db,
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
      projected(this.listBody(list, expand.has('columns')), select),
    );
    return jsonResponse(200, {
      '@odata.context': `${this.baseUrl()}/$metadata#sites('${site.id}')/lists`,
      value,
    });
  }

  private listBody(list: ListRow, withColumns: boolean): Record<string, unknown> {
    return withColumns ? { ...list.data, columns: this.columnsOf(list.id) } : list.data;
  }

  private getList(list: ListRow, request: EmulatedRequest): ReturnType<typeof jsonResponse> {
    const expand = parseExpand(queryOption(request.query, 'expand'));
    return jsonResponse(
      200,
      this.withContext(
        projected(
          this.listBody(list, expand.has('columns')),
          parseSelect(queryOption(request.query, 'select')),
        ),
        'sites/lists/$entity',
      ),
    );
  }

  private createList(site: SiteRow, body: unknown): ReturnType<typeof jsonResponse> {
    if (!isRecord(body) || typeof body.displayName !== 'string' || body.displayName.trim() === '') {
      throw new GraphHttpError(400, 'invalidRequest', 'A list needs a displayName.');
    }
    const displayName = body.displayName.trim();
    const duplicate = cachedStatement(
      this.db,
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
    const columns = columnsInput.map((column) => normaliseColumn(column));
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
    const site_ = site.data;
    const data = {
      '@odata.etag': `"${id},0"`,
      createdDateTime: created,
      description: typeof body.description === 'string' ? body.description : '',
      eTag: `"${id},0"`,
      id,
      lastModifiedDateTime: created,
      name,
      webUrl: `${String(site_.webUrl)}/Lists/${name}`,
      displayName,
      createdBy: APP_IDENTITY,
      parentReference: { siteId: site.id },
      list: { contentTypesEnabled: false, hidden: listFacet.hidden === true, template },
    };
    try {
      inTransaction(this.db, () => {
        cachedStatement(
          this.db,
          'INSERT INTO lists (id, site_id, name, display_name, data) VALUES (?, ?, ?, ?, ?)',
        ).run(id, site.id, name, displayName, JSON.stringify(data));
        [titleColumn(), ...columns].forEach((column, position) =>
          this.insertColumn(id, column, position),
        );
      });
    } finally {
      this.columnCache.delete(id);
    }
    return jsonResponse(201, this.withContext(data, `sites('${site.id}')/lists/$entity`));
  }

  private deleteList(list: ListRow): void {
    inTransaction(this.db, () => {
      cachedStatement(this.db, 'DELETE FROM items WHERE list_id = ?').run(list.id);
      cachedStatement(this.db, 'DELETE FROM columns WHERE list_id = ?').run(list.id);
      this.columnCache.delete(list.id);
      cachedStatement(this.db, 'DELETE FROM lists WHERE id = ?').run(list.id);
    });
  }

  // ── columns ────────────────────────────────────────────────────────────────────────────

  private insertColumn(listId: string, column: ColumnDefinition, position: number): void {
    this.columnCache.delete(listId);
    cachedStatement(
      this.db,
      'INSERT INTO columns (list_id, name, position, def) VALUES (?, ?, ?, ?)',
    ).run(listId, column.name, position, JSON.stringify(column));
    if (column.indexed) ensureColumnIndex(this.db, column.name);
  }

  private readonly columnCache = new Map<string, ColumnDefinition[]>();

  private columnsOf(listId: string): ColumnDefinition[] {
    let columns = this.columnCache.get(listId);
    if (columns === undefined) {
      columns = cachedStatement(
        this.db,
        'SELECT def FROM columns WHERE list_id = ? ORDER BY position',
      )
        .all(listId)
        .map((row) => JSON.parse(String(row.def)) as ColumnDefinition);
      this.columnCache.set(listId, columns);
    }
    return columns;
  }

  private columnMap(listId: string): Map<string, ColumnDefinition> {
    return new Map(this.columnsOf(listId).map((column) => [column.name.toLowerCase(), column]));
  }

  private column(list: ListRow, ref: string): ColumnDefinition {
    const found = this.columnsOf(list.id).find(
      (column) => column.id === ref || column.name.toLowerCase() === ref.toLowerCase(),
    );
    if (found === undefined)
      throw new GraphHttpError(404, 'itemNotFound', 'The specified column was not found');
    return found;
  }

  private listColumns(list: ListRow): ReturnType<typeof jsonResponse> {
    return jsonResponse(200, {
      '@odata.context': `${this.baseUrl()}/$metadata#sites('${list.siteId}')/lists('${list.id}')/columns`,
      value: this.columnsOf(list.id),
    });
  }

  private createColumn(list: ListRow, body: unknown): ReturnType<typeof jsonResponse> {
    const column = normaliseColumn(body);
    if (this.columnMap(list.id).has(column.name.toLowerCase())) {
      throw new GraphHttpError(
        409,
        'nameAlreadyExists',
        `A duplicate field name "${column.name}" was found.`,
      );
    }
    const position = this.columnsOf(list.id).length;
    this.insertColumn(list.id, column, position);
    return jsonResponse(201, column);
  }

  private updateColumn(list: ListRow, ref: string, body: unknown): ReturnType<typeof jsonResponse> {
    if (!isRecord(body)) throw new GraphHttpError(400, 'invalidRequest', 'Invalid column update');
    const column = this.column(list, ref);
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
    const kind = columnKind(column);
    if (kind !== 'other' && isRecord(body[kind])) {
      updated[kind] = { ...(column[kind] as Record<string, unknown>), ...body[kind] };
    }
    checkIndexable(updated);
    this.columnCache.delete(list.id);
    cachedStatement(this.db, 'UPDATE columns SET def = ? WHERE list_id = ? AND name = ?').run(
      JSON.stringify(updated),
      list.id,
      column.name,
    );
    if (updated.indexed) ensureColumnIndex(this.db, updated.name);
    return jsonResponse(200, updated);
  }

  private deleteColumn(list: ListRow, ref: string): void {
    const column = this.column(list, ref);
    if (column.name === 'Title')
      throw new GraphHttpError(400, 'invalidRequest', 'The Title column cannot be deleted.');
    this.columnCache.delete(list.id);
    cachedStatement(this.db, 'DELETE FROM columns WHERE list_id = ? AND name = ?').run(
      list.id,
      column.name,
    );
  }

  // ── items ──────────────────────────────────────────────────────────────────────────────

  private itemId(ref: string): number {
    if (!/^\d+$/.test(ref))
      throw new GraphHttpError(400, 'invalidRequest', `Invalid item id '${ref}'`);
    return Number(ref);
  }

  private itemRow(list: ListRow, itemId: number): ItemRow {
    const row = cachedStatement(
      this.db,
      'SELECT id, etag_guid, version, created, modified, fields FROM items WHERE list_id = ? AND id = ?',
    ).get(list.id, itemId);
    if (row === undefined) {
      throw new GraphHttpError(404, 'itemNotFound', 'The resource could not be found.');
    }
    return row as unknown as ItemRow;
  }

  private fieldsOf(row: ItemRow, select: Set<string> | undefined): Record<string, unknown> {
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

  private itemBody(
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
      body.fields = this.fieldsOf(row, fieldsSelect);
    }
    return body;
  }

  /** `expand=fields(select=A,B)` → false (no fields), undefined (all fields) or the selection. */
  private fieldsSelection(request: EmulatedRequest): Set<string> | undefined | false {
    const expand = parseExpand(queryOption(request.query, 'expand'));
    const fields = expand.get('fields');
    if (fields === undefined) return false;
    const select = fields.select;
    return select === undefined ? undefined : new Set(select.map((name) => name.toLowerCase()));
  }

  private getItem(
    list: ListRow,
    itemId: number,
    request: EmulatedRequest,
    forceFields = false,
  ): ReturnType<typeof jsonResponse> {
    const row = this.itemRow(list, itemId);
    const fieldsSelect = this.fieldsSelection(request);
    const body = this.itemBody(
      list,
      row,
      parseSelect(queryOption(request.query, 'select')),
      forceFields && fieldsSelect === false ? undefined : fieldsSelect,
    );
    return jsonResponse(
      200,
      this.withContext(body, `sites('${list.siteId}')/lists('${list.id}')/items/$entity`),
      { ETag: etagOf(row) },
    );
  }

  private prepareFields(list: ListRow, input: unknown): Record<string, unknown> {
    if (!isRecord(input))
      throw new GraphHttpError(400, 'invalidRequest', 'Invalid request: fields must be an object');
    const columns = this.columnMap(list.id);
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

  private checkRequiredAndUnique(
    list: ListRow,
    fields: Record<string, unknown>,
    exceptId: number | undefined,
  ): void {
    for (const column of this.columnsOf(list.id)) {
      const value = fields[column.name];
      if (column.required === true && (value === undefined || value === null || value === '')) {
        throw new GraphHttpError(400, 'invalidRequest', `Field '${column.name}' is required.`);
      }
      if (column.enforceUniqueValues && value !== undefined && value !== null) {
        const clash = cachedStatement(
          this.db,
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

  private createItem(list: ListRow, body: unknown): ReturnType<typeof jsonResponse> {
    if (!isRecord(body)) throw new GraphHttpError(400, 'invalidRequest', 'Invalid request');
    const row = this.insertItem(list, body.fields ?? {});
    const response = this.itemBody(list, row, undefined, undefined);
    return jsonResponse(
      201,
      this.withContext(response, `sites('${list.siteId}')/lists('${list.id}')/items/$entity`),
      { ETag: etagOf(row) },
    );
  }

  /**
   * Test and benchmark setup: writes items with the same value rules as `POST …/items`, in one
   * transaction, without HTTP or counters. Returns the new item ids.
   */
  insertItems(siteRef: string, listRef: string, fieldsList: unknown[]): string[] {
    const list = this.list(this.site(siteRef), listRef);
    return inTransaction(this.db, () =>
      fieldsList.map((fields) => String(this.insertItem(list, fields).id)),
    );
  }

  private insertItem(list: ListRow, input: unknown): ItemRow {
    const fields = this.prepareFields(list, input);
    for (const key of Object.keys(fields)) if (fields[key] === null) delete fields[key];
    const row = inTransaction(this.db, () => {
      this.checkRequiredAndUnique(list, fields, undefined);
      const next = cachedStatement(
        this.db,
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
        this.db,
        'INSERT INTO items (list_id, id, etag_guid, version, created, modified, fields) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(list.id, inserted.id, inserted.etag_guid, 1, created, created, inserted.fields);
      return inserted;
    });
    this.noteWrite();
    return row;
  }

  private updateFields(
    list: ListRow,
    itemId: number,
    body: unknown,
    ifMatch: string | undefined,
  ): ReturnType<typeof jsonResponse> {
    const changes = this.prepareFields(list, body);
    const row = inTransaction(this.db, () => {
      const current = this.itemRow(list, itemId);
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
      this.checkRequiredAndUnique(list, merged, itemId);
      const updated: ItemRow = {
        ...current,
        version: current.version + 1,
        modified: nowIso(),
        fields: JSON.stringify(merged),
      };
      cachedStatement(
        this.db,
        'UPDATE items SET version = ?, modified = ?, fields = ? WHERE list_id = ? AND id = ?',
      ).run(updated.version, updated.modified, updated.fields, list.id, itemId);
      return updated;
    });
    this.noteWrite();
    return jsonResponse(
      200,
      this.withContext(
        this.fieldsOf(row, undefined),
        `sites('${list.siteId}')/lists('${list.id}')/items('${itemId}')/fields/$entity`,
      ),
      { ETag: etagOf(row) },
    );
  }

  private deleteItem(list: ListRow, itemId: number, ifMatch: string | undefined): void {
    inTransaction(this.db, () => {
      const current = this.itemRow(list, itemId);
      if (ifMatch !== undefined && !etagMatches(ifMatch, current)) {
        throw new GraphHttpError(
          412,
          'preconditionFailed',
          'ETag mismatch: the item was changed since it was read.',
        );
      }
      cachedStatement(this.db, 'DELETE FROM items WHERE list_id = ? AND id = ?').run(
        list.id,
        itemId,
      );
    });
    this.noteWrite();
  }

  /** Number of items in a list (for the threshold and for tests). */
  itemCount(listId: string): number {
    const row = cachedStatement(this.db, 'SELECT count(*) AS n FROM items WHERE list_id = ?').get(
      listId,
    );
    return Number(row?.n ?? 0);
  }

  private listItems(list: ListRow, request: EmulatedRequest): ReturnType<typeof jsonResponse> {
    this.refreshStatistics();
    const columns = this.columnMap(list.id);
    const compiler = new ItemFilterCompiler(columns);
    const where: string[] = ['list_id = ?'];
    const params: SQLInputValue[] = [list.id];
    const filterText = queryOption(request.query, 'filter');
    if (filterText !== undefined && filterText.trim() !== '') {
      let expression: FilterExpression;
      try {
        expression = parseFilter(filterText);
      } catch (error) {
        if (error instanceof FilterSyntaxError)
          throw new GraphHttpError(
            400,
            'invalidRequest',
            `Invalid filter clause: ${error.message}`,
          );
        throw error;
      }
      for (const path of filterPaths(expression)) compiler.reference(path);
      where.push(compiler.compile(expression, params));
    }
    const order = this.parseOrderBy(queryOption(request.query, 'orderby'), compiler);
    this.enforceIndexRules(list, compiler, request.headers.prefer);

    const topText = queryOption(request.query, 'top');
    let top = DEFAULT_ITEM_PAGE;
    if (topText !== undefined) {
      if (!/^\d+$/.test(topText) || Number(topText) < 1)
        throw new GraphHttpError(400, 'invalidRequest', `Invalid $top value '${topText}'`);
      top = Math.min(Number(topText), MAX_ITEM_PAGE);
    }
    const token = decodeSkipToken(queryOption(request.query, 'skiptoken'));
    let sql = `SELECT id, etag_guid, version, created, modified, fields FROM items WHERE `;
    let offset = 0;
    if (order === undefined) {
      if (token?.afterId !== undefined) {
        where.push('id > ?');
        params.push(token.afterId);
      }
      sql += `${where.join(' AND ')} ORDER BY id LIMIT ?`;
      params.push(top + 1);
    } else {
      offset = token?.offset ?? 0;
      sql += `${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`;
      params.push(top + 1, offset);
    }
    const rows = cachedStatement(this.db, sql).all(...params) as unknown as ItemRow[];
    const more = rows.length > top;
    const page = more ? rows.slice(0, top) : rows;
    const select = parseSelect(queryOption(request.query, 'select'));
    const fieldsSelect = this.fieldsSelection(request);
    const value = page.map((row) => this.itemBody(list, row, select, fieldsSelect));
    const body: Record<string, unknown> = {
      '@odata.context': `${this.baseUrl()}/$metadata#sites('${list.siteId}')/lists('${list.id}')/items`,
      value,
    };
    const last = page[page.length - 1];
    if (more && last !== undefined) {
      const next =
        order === undefined
          ? encodeSkipToken({ afterId: last.id })
          : encodeSkipToken({ offset: offset + top });
      body['@odata.nextLink'] = nextLinkFor(this.baseUrl(), request, next);
    }
    return jsonResponse(200, body);
  }

  private parseOrderBy(text: string | undefined, compiler: ItemFilterCompiler): string | undefined {
    if (text === undefined || text.trim() === '') return undefined;
    const parts = text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    const terms = parts.map((part) => {
      const match = /^(\S+)(?:\s+(asc|desc))?$/i.exec(part);
      if (match === null)
        throw new GraphHttpError(400, 'invalidRequest', `Invalid $orderby '${part}'`);
      const expression = compiler.reference(match[1] ?? '');
      return `${expression.sql} COLLATE NOCASE ${(match[2] ?? 'asc').toUpperCase()}`;
    });
    return `${terms.join(', ')}, id ASC`;
  }

  private enforceIndexRules(
    list: ListRow,
    compiler: ItemFilterCompiler,
    prefer: string | undefined,
  ): void {
    const unindexed = compiler.unindexed();
    if (unindexed.length === 0) return;
    const allowed = (prefer ?? '').toLowerCase().includes(PREFER_NON_INDEXED);
    if (!allowed) {
      throw new GraphHttpError(
        400,
        'invalidRequest',
        `Field '${unindexed[0] ?? ''}' cannot be referenced in filter or orderby as it is not indexed. Provide the 'Prefer: HonorNonIndexedQueriesWarningMayFailRandomly' header to allow this, but be warned that such queries may fail on large lists.`,
      );
    }
    if (this.itemCount(list.id) > LIST_VIEW_THRESHOLD) {
      throw new GraphHttpError(
        500,
        'generalException',
        'The attempted operation is prohibited because it exceeds the list view threshold.',
      );
    }
  }
}

interface CompiledReference {
  sql: string;
  kind: 'text' | 'number' | 'dateTime' | 'boolean' | 'other';
  indexed: boolean;
  name: string;
}

/** Turns a `$filter` over list items into SQL on the items table, noting unindexed columns. */
class ItemFilterCompiler {
  private readonly columns: Map<string, ColumnDefinition>;
  private readonly unindexedNames = new Set<string>();

  constructor(columns: Map<string, ColumnDefinition>) {
    this.columns = columns;
  }

  unindexed(): string[] {
    return [...this.unindexedNames];
  }

  reference(path: string): CompiledReference {
    const lower = path.toLowerCase();
    let resolved: CompiledReference;
    if (lower === 'id' || lower === 'fields/id') {
      resolved = { sql: 'id', kind: 'number', indexed: true, name: 'ID' };
    } else if (lower === 'createddatetime' || lower === 'fields/created') {
      resolved = { sql: 'created', kind: 'dateTime', indexed: false, name: 'Created' };
    } else if (lower === 'lastmodifieddatetime' || lower === 'fields/modified') {
      resolved = { sql: 'modified', kind: 'dateTime', indexed: false, name: 'Modified' };
    } else if (lower.startsWith('fields/')) {
      const name = path.slice('fields/'.length);
      const column = this.columns.get(name.toLowerCase());
      if (column === undefined || !COLUMN_NAME.test(column.name)) {
        throw new GraphHttpError(
          400,
          'invalidRequest',
          `Column '${name}' does not exist. It may have been deleted by another user.`,
        );
      }
      const kind = columnKind(column);
      resolved = {
        sql: fieldExpression(column.name),
        kind: kind === 'choice' ? 'text' : kind,
        indexed: column.indexed,
        name: column.name,
      };
    } else {
      throw new GraphHttpError(
        400,
        'invalidRequest',
        `Invalid filter clause: '${path}' cannot be filtered on`,
      );
    }
    if (!resolved.indexed) this.unindexedNames.add(resolved.name);
    return resolved;
  }

  compile(expression: FilterExpression, params: SQLInputValue[]): string {
    switch (expression.kind) {
      case 'and':
      case 'or':
        return `(${this.compile(expression.left, params)} ${expression.kind.toUpperCase()} ${this.compile(expression.right, params)})`;
      case 'not':
        return `(NOT ${this.compile(expression.operand, params)})`;
      case 'startswith': {
        const reference = this.reference(expression.path);
        params.push(expression.prefix.length, expression.prefix);
        return `(substr(${reference.sql}, 1, ?) = ? COLLATE NOCASE)`;
      }
      case 'compare': {
        const reference = this.reference(expression.path);
        const value = this.literal(reference, expression.literal);
        const sql = `${reference.sql} COLLATE NOCASE`;
        if (value === null) {
          if (expression.op === 'eq') return `(${reference.sql} IS NULL)`;
          if (expression.op === 'ne') return `(${reference.sql} IS NOT NULL)`;
          throw new GraphHttpError(
            400,
            'invalidRequest',
            'Invalid filter clause: null only compares with eq or ne',
          );
        }
        params.push(value);
        switch (expression.op) {
          case 'eq':
            return `(${sql} = ?)`;
          case 'ne':
            return `(${reference.sql} IS NULL OR ${sql} <> ?)`;
          case 'lt':
            return `(${sql} < ?)`;
          case 'gt':
            return `(${sql} > ?)`;
          case 'le':
            return `(${sql} <= ?)`;
          case 'ge':
            return `(${sql} >= ?)`;
        }
      }
    }
  }

  private literal(reference: CompiledReference, literal: FilterLiteral): SQLInputValue {
    const invalid = (): never => {
      throw new GraphHttpError(
        400,
        'invalidRequest',
        `Invalid filter clause: the value for '${reference.name}' has the wrong type`,
      );
    };
    if (literal.kind === 'null') return null;
    switch (reference.kind) {
      case 'number': {
        const number =
          literal.kind === 'number'
            ? literal.value
            : literal.kind === 'string'
              ? Number(literal.value)
              : Number.NaN;
        return Number.isFinite(number) ? number : invalid();
      }
      case 'boolean':
        if (literal.kind === 'boolean') return literal.value ? 1 : 0;
        if (literal.kind === 'number' && (literal.value === 0 || literal.value === 1))
          return literal.value;
        return invalid();
      case 'dateTime':
        if (literal.kind === 'string' || literal.kind === 'datetime')
          return normaliseDateTime(literal.value) ?? invalid();
        return invalid();
      case 'text':
      case 'other':
        if (literal.kind === 'string' || literal.kind === 'datetime') return literal.value;
        if (literal.kind === 'number') return String(literal.value);
        return literal.value ? 1 : 0;
    }
  }
}
