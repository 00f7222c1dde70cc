import type { GraphGateway } from '../../src/adapters/graph/graph-gateway.ts';
import { PolicyDocumentFiles } from '../../src/adapters/graph/policy-document-files.ts';
import type { SharePointRecordStore } from '../../src/adapters/graph/sharepoint-record-store.ts';
import { untag } from '../../src/adapters/graph/sharepoint-rows.ts';
import type { StoredDocument } from './record-store.contract.ts';

/**
 * Where the SharePoint record store put a version's text (issue 12, item 6): the version row's
 * DocumentItemId and DocumentHash, and the bytes of that file in the documents library, read
 * straight from Graph rather than through the store that wrote them.
 */
export function sharePointStoredDocument(
  gateway: GraphGateway,
  store: SharePointRecordStore,
): (versionEtag: string) => Promise<StoredDocument> {
  return async (versionEtag) => {
    const reply = await gateway.call({
      method: 'GET',
      url: `${await store.site.listPath('versions')}/items/${untag(versionEtag).itemId}?$expand=fields`,
    });
    const fields = (reply.body as { fields: Record<string, unknown> }).fields;
    const itemId = fields.DocumentItemId;
    const hash = fields.DocumentHash;
    if (typeof itemId !== 'string' || typeof hash !== 'string') {
      throw new Error('the version row names no document file (DocumentItemId, DocumentHash)');
    }
    const bytes = await new PolicyDocumentFiles(gateway, store.site).bytes(itemId);
    if (bytes === null) throw new Error(`the document file ${itemId} is gone`);
    return { bytes, recordedHash: hash, inlineColumn: fields.Document ?? null };
  };
}
