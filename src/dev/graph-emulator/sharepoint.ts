import type { DatabaseSync } from 'node:sqlite';
import type { EmulatedRequest, Handled } from './emulated-http.ts';
import { inTransaction } from './emulator-database.ts';
import { downloadContent, handleDrives } from './sharepoint/drives.ts';
import { insertItem } from './sharepoint/items.ts';
import { findList } from './sharepoint/lists.ts';
import { handleSharePoint } from './sharepoint/routes.ts';
import {
  SharePointStore,
  type ColumnPatchRule,
  type SiteGrant,
} from './sharepoint/sharepoint-store.ts';
import { createSite, findSite, findSiteIdByPath } from './sharepoint/sites.ts';

export { LIST_VIEW_THRESHOLD } from './sharepoint/item-query.ts';

/**
 * Sites, lists, columns and list items, over the emulator's SQLite file. The requests it serves
 * are the table in `sharepoint/routes.ts`; the handlers live by resource in `sharepoint/`.
 */
export class SharePointEmulator {
  readonly #store: SharePointStore;

  constructor(db: DatabaseSync, baseUrl: () => string) {
    this.#store = new SharePointStore(db, baseUrl);
  }

  /** Handles `sites/...` requests; `segments[0]` is `sites`. */
  handle(request: EmulatedRequest): Handled {
    return handleSharePoint(this.#store, request);
  }

  /** Handles `drives/...` requests (document libraries' files). */
  handleDrives(request: EmulatedRequest): Handled {
    return handleDrives(this.#store, request);
  }

  /** The bytes behind a file's download URL; undefined when the file is gone. */
  download(itemId: string): Buffer | undefined {
    return downloadContent(this.#store, itemId);
  }

  /** Creates a site unless one already has that path; returns the site's id. */
  createSite(site: {
    id: string;
    hostname: string;
    path: string;
    displayName: string;
    description: string;
  }): string {
    return createSite(this.#store, site);
  }

  /** The app's Sites.Selected grant the emulator enforces; undefined allows everything. */
  setSiteGrant(grant: SiteGrant | undefined): void {
    this.#store.siteGrant = grant;
  }

  /** The list view threshold enforced from now on (tests lower it to run a large shape small). */
  setListViewThreshold(items: number): void {
    this.#store.listViewThreshold = items;
  }

  /** Whether a PATCH of an item's `/fields` answers with its new `@odata.etag` (tests). */
  setFieldsPatchEtag(answer: boolean): void {
    this.#store.fieldsPatchEtag = answer;
  }

  /** How a PATCH turning on `indexed` and `enforceUniqueValues` together is taken (tests). */
  setColumnPatchRule(rule: ColumnPatchRule): void {
    this.#store.columnPatchRule = rule;
  }

  findSiteIdByPath(hostname: string, path: string): string | undefined {
    return findSiteIdByPath(this.#store, hostname, path);
  }

  /**
   * Test and benchmark setup: writes items with the same value rules as `POST …/items`, in one
   * transaction, without HTTP or counters. Returns the new item ids.
   */
  insertItems(siteRef: string, listRef: string, fieldsList: unknown[]): string[] {
    const store = this.#store;
    const list = findList(store, findSite(store, siteRef), listRef);
    return inTransaction(store.db, () =>
      fieldsList.map((fields) => String(insertItem(store, list, fields).id)),
    );
  }
}
