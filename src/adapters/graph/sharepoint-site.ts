import { z } from 'zod';
import { CountersignError } from '../../domain/errors.ts';
import { withQuery } from './graph-gateway.ts';
import type { GraphGateway } from './graph-gateway.ts';
import { LIST, SCHEMA } from './sharepoint-schema.ts';
import type { ListKey } from './sharepoint-schema.ts';

const siteSchema = z.object({ id: z.string().min(1) }).loose();
export const listSummarySchema = z
  .object({ id: z.string().min(1), displayName: z.string(), name: z.string().optional() })
  .loose();
export type ListSummary = z.infer<typeof listSummarySchema>;

/**
 * The site that holds the lists: resolves `hostname:/sites/path` (or `root`) to a site id once,
 * and the six lists' ids once, so that after warming up one signature costs one round trip.
 */
export class SharePointSite {
  readonly #gateway: GraphGateway;
  readonly #site: string;
  #siteId: Promise<string> | undefined;
  #listIds: Promise<Record<ListKey, string>> | undefined;

  constructor(gateway: GraphGateway, site: string) {
    this.#gateway = gateway;
    this.#site = site.trim();
    if (this.#site === '') throw new CountersignError('validation', 'No SharePoint site given.');
  }

  siteId(): Promise<string> {
    this.#siteId ??= this.#resolveSite().catch((error: unknown) => {
      this.#siteId = undefined;
      throw error;
    });
    return this.#siteId;
  }

  async #resolveSite(): Promise<string> {
    // A site id (host,guid,guid) is used as is; a path or "root" costs one lookup.
    if (!this.#site.includes(':/') && this.#site !== 'root') return this.#site;
    const path = this.#site === 'root' ? 'sites/root' : `sites/${encodeSitePath(this.#site)}`;
    const reply = await this.#gateway.call(
      { method: 'GET', url: withQuery(path, { $select: 'id' }) },
      `Find SharePoint site ${this.#site}`,
    );
    return siteSchema.parse(reply.body).id;
  }

  /**
   * One cheap read of the site (its id only): Graph answers, our token is accepted and the
   * Sites.Selected grant on this site holds. Throws the mapped error when any of them fails.
   */
  async probe(): Promise<void> {
    const siteId = await this.siteId();
    await this.#gateway.call(
      { method: 'GET', url: withQuery(`sites/${siteId}`, { $select: 'id' }) },
      'Read the SharePoint site (readiness)',
    );
  }

  /** Every list in the site (paged), for provisioning and id lookup. */
  async allLists(): Promise<ListSummary[]> {
    const siteId = await this.siteId();
    const lists: ListSummary[] = [];
    const url = withQuery(`sites/${siteId}/lists`, { $select: 'id,name,displayName' });
    for await (const page of this.#gateway.pages(url)) {
      for (const entry of page) lists.push(listSummarySchema.parse(entry));
    }
    return lists;
  }

  listIds(): Promise<Record<ListKey, string>> {
    this.#listIds ??= this.#resolveLists().catch((error: unknown) => {
      this.#listIds = undefined;
      throw error;
    });
    return this.#listIds;
  }

  async #resolveLists(): Promise<Record<ListKey, string>> {
    const lists = await this.allLists();
    const ids: Partial<Record<ListKey, string>> = {};
    const missing: string[] = [];
    for (const key of Object.keys(LIST) as ListKey[]) {
      const found = lists.find((l) => sameName(l.displayName, SCHEMA[key].name));
      if (found) ids[key] = found.id;
      else missing.push(SCHEMA[key].name);
    }
    if (missing.length > 0) {
      throw new CountersignError(
        'not-found',
        `The site has no ${missing.join(', ')}: run "countersign provision" first.`,
        { missing },
      );
    }
    return ids as Record<ListKey, string>;
  }

  /** `sites/{id}/lists/{listId}` for a Countersign list. */
  async listPath(list: ListKey): Promise<string> {
    const [siteId, ids] = await Promise.all([this.siteId(), this.listIds()]);
    return `sites/${siteId}/lists/${ids[list]}`;
  }

  /** Forget cached ids (after provisioning created lists). */
  forget(): void {
    this.#listIds = undefined;
  }
}

/**
 * Made once: `localeCompare` with a locale and options builds a collator on every call, and a
 * cold service compares every Countersign list's name with every list of the site.
 */
const byListName = new Intl.Collator('en', { sensitivity: 'accent' });

export function sameName(a: string, b: string): boolean {
  return byListName.compare(a, b) === 0;
}

/** `contoso.sharepoint.com:/sites/school` with each path segment encoded, the `:/` kept. */
function encodeSitePath(site: string): string {
  const cut = site.indexOf(':/');
  const host = site.slice(0, cut);
  const path = site
    .slice(cut + 2)
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
  return `${encodeURIComponent(host)}:/${path}`;
}
