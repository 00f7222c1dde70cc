import type { SQLInputValue } from 'node:sqlite';
import {
  GraphHttpError,
  jsonResponse,
  queryOption,
  type EmulatedResponse,
} from '../emulated-http.ts';
import { cachedStatement, fieldExpression } from '../emulator-database.ts';
import {
  FilterSyntaxError,
  filterPaths,
  parseFilter,
  type FilterExpression,
  type FilterLiteral,
} from '../odata-filter.ts';
import { decodeSkipToken, encodeSkipToken, nextLinkFor, parseSelect } from '../paging.ts';
import {
  COLUMN_NAME,
  columnKind,
  normaliseDateTime,
  type ColumnDefinition,
} from './column-types.ts';
import { fieldsSelection, itemBody } from './items.ts';
import type { RouteTarget } from './routes.ts';
import type { ItemRow, ListRow, SharePointStore } from './sharepoint-store.ts';

/**
 * `GET …/lists/{list}/items`: `$filter` and `$orderby` compiled to SQL, SharePoint's indexing
 * rules and list view threshold, and paging by `$top` and `$skiptoken`.
 */

export { LIST_VIEW_THRESHOLD } from './sharepoint-store.ts';
const DEFAULT_ITEM_PAGE = 200;
const MAX_ITEM_PAGE = 5000;
const PREFER_NON_INDEXED = 'honornonindexedquerieswarningmayfailrandomly';

/** Number of items in a list (for the threshold). */
function itemCount(store: SharePointStore, listId: string): number {
  const row = cachedStatement(store.db, 'SELECT count(*) AS n FROM items WHERE list_id = ?').get(
    listId,
  );
  return Number(row?.n ?? 0);
}

/** `GET …/lists/{list}/items` (`$expand`, `$select`, `$filter`, `$orderby`, `$top`, `$skiptoken`) */
export function listItems(store: SharePointStore, at: RouteTarget): EmulatedResponse {
  const { list, request } = at;
  store.refreshStatistics();
  const columns = store.columnMap(list.id);
  const compiler = new ItemFilterCompiler(columns);
  const where: string[] = ['list_id = ?'];
  const params: SQLInputValue[] = [list.id];
  const filterText = queryOption(request.query, 'filter');
  let expression: FilterExpression | undefined;
  if (filterText !== undefined && filterText.trim() !== '') {
    try {
      expression = parseFilter(filterText);
    } catch (error) {
      if (error instanceof FilterSyntaxError)
        throw new GraphHttpError(400, 'invalidRequest', `Invalid filter clause: ${error.message}`);
      throw error;
    }
    for (const path of filterPaths(expression)) compiler.reference(path);
    where.push(compiler.compile(expression, params));
  }
  const order = parseOrderBy(queryOption(request.query, 'orderby'), compiler);
  enforceIndexRules(store, list, compiler, request.headers.prefer);
  if (expression !== undefined) enforceThresholdOnFilter(store, list, compiler, expression);

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
  const rows = cachedStatement(store.db, sql).all(...params) as unknown as ItemRow[];
  const more = rows.length > top;
  const page = more ? rows.slice(0, top) : rows;
  const select = parseSelect(queryOption(request.query, 'select'));
  const fieldsSelect = fieldsSelection(request);
  const value = page.map((row) => itemBody(list, row, select, fieldsSelect));
  const body: Record<string, unknown> = {
    '@odata.context': `${store.baseUrl()}/$metadata#sites('${list.siteId}')/lists('${list.id}')/items`,
    value,
  };
  const last = page[page.length - 1];
  if (more && last !== undefined) {
    const next =
      order === undefined
        ? encodeSkipToken({ afterId: last.id })
        : encodeSkipToken({ offset: offset + top });
    body['@odata.nextLink'] = nextLinkFor(store.baseUrl(), request, next);
  }
  return jsonResponse(200, body);
}

function parseOrderBy(text: string | undefined, compiler: ItemFilterCompiler): string | undefined {
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

function enforceIndexRules(
  store: SharePointStore,
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
  if (itemCount(store, list.id) > store.listViewThreshold) throw thresholdExceeded();
}

/**
 * SharePoint's REST answer to a query past the threshold: 500 SPQueryThrottledException with
 * this message (quoted in pnp/pnpjs#3149 and vgrem/office365-rest-python-client#804). Graph's
 * wrapping of it as 500 `generalException` is inferred.
 */
function thresholdExceeded(): GraphHttpError {
  return new GraphHttpError(
    500,
    'generalException',
    'The attempted operation is prohibited because it exceeds the list view threshold.',
  );
}

/**
 * The threshold applies to indexed filters too: on a list of more than 5,000 items, the
 * condition SharePoint answers through an index (the filter's first condition) must itself match
 * no more than the threshold, whatever `$top` asks for and whatever later `and` conditions would
 * narrow. Sources: SharePoint/sp-dev-docs#7149 (a range on an indexed column of a 1M-item list
 * refused), pnp/pnpjs#3149 ("SourceID eq 1 and Status ne 'Completed'" refused on a 5,896-item
 * list), SharePoint/PnP-JS-Core#203 (the result of the first condition over the indexed field
 * must be under the threshold; `$top` does not help), vgrem/phpSPO#315 (a filter on a 5,000+
 * list refused although few items match it all). Which condition SharePoint picks when several
 * are indexed is not documented: the emulator takes the leftmost `and` operand, so a client
 * writes its most selective condition first (inferred). An `or` at the top is counted whole.
 */
function enforceThresholdOnFilter(
  store: SharePointStore,
  list: ListRow,
  compiler: ItemFilterCompiler,
  expression: FilterExpression,
): void {
  const threshold = store.listViewThreshold;
  if (itemCount(store, list.id) <= threshold) return;
  let driving = expression;
  while (driving.kind === 'and') driving = driving.left;
  const params: SQLInputValue[] = [list.id];
  const condition = compiler.compile(driving, params);
  const sql = `SELECT count(*) AS n FROM (SELECT 1 FROM items WHERE list_id = ? AND ${condition} LIMIT ${String(threshold + 1)})`;
  const row = cachedStatement(store.db, sql).get(...params);
  if (Number(row?.n ?? 0) > threshold) throw thresholdExceeded();
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
