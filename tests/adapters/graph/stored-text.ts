import type { GraphGateway } from '../../../src/adapters/graph/graph-gateway.ts';
import {
  PolicyDocumentFiles,
  sha256Hex,
} from '../../../src/adapters/graph/policy-document-files.ts';
import type { SharePointSite } from '../../../src/adapters/graph/sharepoint-site.ts';

/**
 * What an editor in SharePoint does to a version's text now that it is a file: replaces the
 * file's content (same file, same item id). With `rehash`, also rewrites the row's DocumentHash
 * to match, as someone who knows how Countersign checks the file would.
 */
export async function rewriteStoredText(
  gateway: GraphGateway,
  site: SharePointSite,
  versionItemId: string,
  text: string,
  options: { rehash?: boolean } = {},
): Promise<void> {
  const row = `${await site.listPath('versions')}/items/${versionItemId}`;
  const item = (await gateway.call({ method: 'GET', url: `${row}?$expand=fields` })).body as {
    fields: { DocumentItemId?: string };
  };
  const fileId = item.fields.DocumentItemId;
  if (fileId === undefined) throw new Error(`Version item ${versionItemId} names no file.`);
  const drive = await new PolicyDocumentFiles(gateway, site).driveId();
  const file = (await gateway.call({ method: 'GET', url: `drives/${drive}/items/${fileId}` }))
    .body as { name: string };
  await gateway.call({
    method: 'PUT',
    url: `drives/${drive}/root:/${encodeURIComponent(file.name)}:/content`,
    headers: { 'Content-Type': 'text/plain' },
    body: Buffer.from(text, 'utf8'),
  });
  if (options.rehash === true) {
    await gateway.call({
      method: 'PATCH',
      url: `${row}/fields`,
      body: { DocumentHash: sha256Hex(Buffer.from(text, 'utf8')) },
    });
  }
}
