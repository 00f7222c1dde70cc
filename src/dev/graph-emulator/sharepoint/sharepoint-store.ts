import type { DatabaseSync } from 'node:sqlite';
import { cachedStatement, onRollback } from '../emulator-database.ts';
import { GraphHttpError } from '../emulated-http.ts';
import type { ColumnDefinition } from './column-types.ts';

/**
 * What every SharePoint handler shares: the emulator's SQLite file, the base URL for
 * `@odata.context`, the per-list column cache and the statistics SQLite plans its queries by.
 */

/**
 * Who created and last modified what an app-only caller writes (lists, items, libraries, files):
 * SharePoint shows such items as created by "SharePoint App", whatever the registration's name
 * (SharePoint/sp-dev-docs#1213: items added with two app registrations both show 'SharePoint
 * App' in the modern experience). That Graph's identitySet carries it as `user.displayName` with
 * no `application` member is inferred (no recording yet).
 */
export const APP_IDENTITY = { user: { displayName: 'SharePoint App' } };

export interface SiteRow {
  id: string;
  data: Record<string, unknown>;
}

export interface ListRow {
  id: string;
  siteId: string;
  data: Record<string, unknown>;
}

export interface ItemRow {
  id: number;
  etag_guid: string;
  version: number;
  created: string;
  modified: string;
  fields: string;
}

/** Now, to the second, as SharePoint stores date/times. */
export function nowIso(): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `$select` on a site or list: the chosen properties, annotations and expansions kept. */
export function projected(
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

/**
 * How a column PATCH that turns on `indexed` and `enforceUniqueValues` together is taken.
 * Graph documents each property ("Update columnDefinition") but not whether SharePoint applies
 * both in one request, so tests run provisioning against every answer we can imagine (inferred,
 * not observed): 'combined' applies both; 'refuse-combined' answers 400; 'ignore-unique' answers
 * 200 but leaves `enforceUniqueValues` as it was unless the column was already indexed.
 */
export type ColumnPatchRule = 'combined' | 'refuse-combined' | 'ignore-unique';

/**
 * The app's Sites.Selected grant on the sites, when the emulator checks it (undefined: every
 * request is allowed, as before grants were emulated). The four roles are those "Overview of
 * Selected permissions in OneDrive and SharePoint" documents
 * (https://learn.microsoft.com/en-us/graph/permissions-selected-overview): read (metadata and
 * contents), write (read and modify them), owner, fullcontrol; 'none' is a site not granted.
 * What each lets through: reads need read; list items and files need write ("read and modify the
 * metadata and contents"); creating or changing lists, libraries and columns needs fullcontrol,
 * since write does not (reported in microsoftgraph/msgraph-sdk-dotnet#1034: a write grant reads
 * and writes items but cannot create lists) and the overview names Sites.Selected+FullControl as
 * what manages a site's resources. owner is treated as fullcontrol (inferred: the overview lists
 * it beside FullControl for managing lists; microsoft-graph-docs-contrib PR 8890 reports it doing
 * nothing on a site, which is why the guide asks for fullcontrol). A refusal is 403
 * accessDenied, as people report it (microsoft-graph-docs-contrib issue 3299).
 */
export type SiteGrant = 'none' | 'read' | 'write' | 'owner' | 'fullcontrol';
export type GrantNeed = 'read' | 'write' | 'manage';

const GRANT_ALLOWS: Record<SiteGrant, readonly GrantNeed[]> = {
  none: [],
  read: ['read'],
  write: ['read', 'write'],
  owner: ['read', 'write', 'manage'],
  fullcontrol: ['read', 'write', 'manage'],
};

/** SharePoint's list view threshold (SharePoint Online: 5,000 items, not configurable). */
export const LIST_VIEW_THRESHOLD = 5000;

export class SharePointStore {
  readonly db: DatabaseSync;
  readonly baseUrl: () => string;
  columnPatchRule: ColumnPatchRule = 'combined';
  /**
   * Whether `PATCH …/items/{id}/fields` answers with the item's new `@odata.etag`: false as
   * "Update listItem" documents the reply; true for a tenant that adds it (inferred).
   */
  fieldsPatchEtag = false;
  siteGrant: SiteGrant | undefined = undefined;
  /**
   * SharePoint's list view threshold (5,000 in SharePoint Online, where it cannot be changed).
   * Tests may lower it to run a large-list shape with proportionally fewer items.
   */
  listViewThreshold = LIST_VIEW_THRESHOLD;

  /** Throws the 403 SharePoint answers when the app's grant does not cover the request. */
  checkGrant(need: GrantNeed): void {
    if (this.siteGrant === undefined || GRANT_ALLOWS[this.siteGrant].includes(need)) return;
    throw new GraphHttpError(403, 'accessDenied', 'Access denied');
  }
  readonly #columnCache = new Map<string, ColumnDefinition[]>();
  /** Writes since SQLite last gathered statistics; without them it may pick a poor index. */
  #writesSinceAnalyze = 0;
  #rowsAtAnalyze = 0;

  constructor(db: DatabaseSync, baseUrl: () => string) {
    this.db = db;
    this.baseUrl = baseUrl;
    this.db.exec('ANALYZE');
    onRollback(db, () => this.#columnCache.clear());
  }

  /**
   * A column as a create stores it: under the rules other than 'combined', a definition asking
   * for an index and unique values at once gets the index only (the client must PATCH again).
   */
  createdColumn(column: ColumnDefinition): ColumnDefinition {
    if (this.columnPatchRule === 'combined' || column.enforceUniqueValues !== true) return column;
    return { ...column, enforceUniqueValues: false };
  }

  withContext(body: Record<string, unknown>, context: string): Record<string, unknown> {
    return { '@odata.context': `${this.baseUrl()}/$metadata#${context}`, ...body };
  }

  noteWrite(): void {
    this.#writesSinceAnalyze += 1;
  }

  refreshStatistics(): void {
    if (this.#writesSinceAnalyze < 200 + this.#rowsAtAnalyze / 5) return;
    this.db.exec('ANALYZE');
    this.#writesSinceAnalyze = 0;
    const row = cachedStatement(this.db, 'SELECT count(*) AS n FROM items').get();
    this.#rowsAtAnalyze = Number(row?.n ?? 0);
  }

  /** A list's columns in position order (cached until the list's columns change). */
  columnsOf(listId: string): ColumnDefinition[] {
    let columns = this.#columnCache.get(listId);
    if (columns === undefined) {
      columns = cachedStatement(
        this.db,
        'SELECT def FROM columns WHERE list_id = ? ORDER BY position',
      )
        .all(listId)
        .map((row) => JSON.parse(String(row.def)) as ColumnDefinition);
      this.#columnCache.set(listId, columns);
    }
    return columns;
  }

  /** A list's columns by lower-cased name. */
  columnMap(listId: string): Map<string, ColumnDefinition> {
    return new Map(this.columnsOf(listId).map((column) => [column.name.toLowerCase(), column]));
  }

  forgetColumns(listId: string): void {
    this.#columnCache.delete(listId);
  }
}
