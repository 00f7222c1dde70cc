import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CountersignError } from '../../domain/errors.ts';
import { ensureOk, withQuery } from './graph-gateway.ts';
import type { GraphGateway } from './graph-gateway.ts';
import { DOCUMENT_LIBRARY } from './sharepoint-schema.ts';
import type { SharePointSite } from './sharepoint-site.ts';
import { sameName } from './sharepoint-site.ts';

/**
 * Each policy version's text as a file in the site's documents library (DOCUMENT_LIBRARY), named
 * from the version and the SHA-256 of its bytes; the version row keeps the file's item id and
 * that hash, and every read checks the bytes against the hash.
 *
 * Files go up in one request, "Upload or replace the contents of a driveItem"
 * (https://learn.microsoft.com/en-us/graph/api/driveitem-put-content): Graph's page allows files
 * up to 250 MB that way, OneDrive's older page ("Upload contents for an item",
 * https://learn.microsoft.com/en-us/onedrive/developer/rest-api/api/driveitem_put_content) says
 * 4 MB. A policy's JSON is tens of kilobytes (the largest fixture AUP, 10 KB of text), so this
 * store keeps to the smaller documented figure and refuses more as 'too-large' rather than
 * needing an upload session. Reads follow "Download driveItem content"
 * (https://learn.microsoft.com/en-us/graph/api/driveitem-get-content): a 302 to a
 * pre-authenticated URL, which fetch follows (dropping the Authorization header on the way to
 * another host).
 */
export const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

/** Where a version's text is: the driveItem's id and the SHA-256 (hex) of the file's bytes. */
export interface DocumentFile {
  itemId: string;
  sha256: string;
}

const driveSchema = z.object({ id: z.string().min(1) }).loose();
const driveItemSchema = z.object({ id: z.string().min(1) }).loose();
const CACHE_ENTRIES = 256;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class PolicyDocumentFiles {
  readonly #gateway: GraphGateway;
  readonly #site: SharePointSite;
  #driveId: Promise<string> | undefined;
  /**
   * Texts already read and checked, by file and hash: the text a hash names never changes, so an
   * entry never goes stale; keyed by file too, so every file is read (and checked) once.
   */
  readonly #checked = new Map<string, string>();

  constructor(gateway: GraphGateway, site: SharePointSite) {
    this.#gateway = gateway;
    this.#site = site;
  }

  /** The library's drive id (one list lookup and one drive read per instance). */
  driveId(): Promise<string> {
    this.#driveId ??= this.#resolveDrive().catch((error: unknown) => {
      this.#driveId = undefined;
      throw error;
    });
    return this.#driveId;
  }

  async #resolveDrive(): Promise<string> {
    const [siteId, lists] = await Promise.all([this.#site.siteId(), this.#site.allLists()]);
    const library = lists.find((l) => sameName(l.displayName, DOCUMENT_LIBRARY.name));
    if (library === undefined) {
      throw new CountersignError(
        'not-found',
        `The site has no ${DOCUMENT_LIBRARY.name} library: run "countersign provision" first.`,
        { missing: [DOCUMENT_LIBRARY.name] },
      );
    }
    // A list's `drive` relationship, present on document libraries (Graph's list resource).
    const reply = await this.#gateway.call(
      {
        method: 'GET',
        url: withQuery(`sites/${siteId}/lists/${library.id}/drive`, { $select: 'id' }),
      },
      `Find the ${DOCUMENT_LIBRARY.name} library`,
    );
    return driveSchema.parse(reply.body).id;
  }

  /**
   * Stores a text as `{name}-{sha256}.json`. The same text under the same name is the same file
   * (a retried upload replaces it with identical bytes), so a lost answer is safe to repeat.
   */
  async put(name: string, text: string): Promise<DocumentFile> {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.byteLength > MAX_DOCUMENT_BYTES) {
      throw new CountersignError(
        'too-large',
        `A policy document of ${bytes.byteLength} bytes is over the ${MAX_DOCUMENT_BYTES} bytes one upload takes.`,
        { bytes: bytes.byteLength, limit: MAX_DOCUMENT_BYTES },
      );
    }
    const sha256 = sha256Hex(bytes);
    const file = `${name}-${sha256}.json`;
    const driveId = await this.driveId();
    const reply = await this.#gateway.call(
      {
        method: 'PUT',
        url: `drives/${encodeURIComponent(driveId)}/root:/${encodeURIComponent(file)}:/content`,
        // The page asks for text/plain; the bytes are stored as sent whatever the type.
        headers: { 'Content-Type': 'text/plain' },
        body: bytes,
      },
      `Store the text of ${name}`,
    );
    const itemId = driveItemSchema.parse(reply.body).id;
    this.#remember(`${itemId}:${sha256}`, text);
    return { itemId, sha256 };
  }

  /**
   * The text of a file, checked against the hash its version row names: a file edited or replaced
   * in SharePoint is refused ('upstream', naming the version), never served as the signed text.
   */
  async read(file: DocumentFile, what: string): Promise<string> {
    const key = `${file.itemId}:${file.sha256}`;
    const known = this.#checked.get(key);
    if (known !== undefined) return known;
    const bytes = await this.bytes(file.itemId);
    if (bytes === null) {
      throw new CountersignError(
        'upstream',
        `The text of ${what} is missing from ${DOCUMENT_LIBRARY.name} (deleted in SharePoint?).`,
        { itemId: file.itemId, text: 'missing' },
      );
    }
    const actual = sha256Hex(bytes);
    if (actual !== file.sha256) {
      throw new CountersignError(
        'upstream',
        `The text of ${what} in ${DOCUMENT_LIBRARY.name} is not the text stored (edited in SharePoint?): its SHA-256 is ${actual}, the version names ${file.sha256}.`,
        { itemId: file.itemId, text: 'edited', expected: file.sha256, actual },
      );
    }
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    this.#remember(key, text);
    return text;
  }

  /** A file's bytes as stored now (no cache, no check: verify judges them); null when gone. */
  async bytes(itemId: string): Promise<Buffer | null> {
    const driveId = await this.driveId();
    const reply = await this.#gateway.exchange({
      method: 'GET',
      url: `drives/${encodeURIComponent(driveId)}/items/${encodeURIComponent(itemId)}/content`,
      responseBytes: true,
    });
    if (reply.status === 404) return null;
    ensureOk(reply, `Read a policy text from ${DOCUMENT_LIBRARY.name}`);
    if (!Buffer.isBuffer(reply.body)) {
      throw new CountersignError('upstream', 'Graph answered a download with no content.', {
        itemId,
      });
    }
    return reply.body;
  }

  #remember(key: string, text: string): void {
    this.#checked.set(key, text);
    if (this.#checked.size > CACHE_ENTRIES) {
      const oldest = this.#checked.keys().next().value;
      if (oldest !== undefined) this.#checked.delete(oldest);
    }
  }
}
