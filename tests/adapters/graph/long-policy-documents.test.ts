import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphGateway } from '../../../src/adapters/graph/graph-gateway.ts';
import {
  PolicyDocumentFiles,
  sha256Hex,
} from '../../../src/adapters/graph/policy-document-files.ts';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../../src/adapters/graph/sharepoint-record-store.ts';
import { untag, versionFields } from '../../../src/adapters/graph/sharepoint-rows.ts';
import { contentHash } from '../../../src/domain/content-hash.ts';
import type { PolicyDocument } from '../../../src/domain/policy-document.ts';
import type { PolicyVersion } from '../../../src/domain/policy.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { importPolicyFile } from '../../../src/importer/read-policy-file.ts';
import { largestAupFixture, longPolicy } from '../../contract/long-documents.ts';
import { audit, policy } from '../../contract/record-fixtures.ts';
import { rewriteStoredText } from './stored-text.ts';
import { emulatorGateway } from '../../support/emulator-graph.ts';

/**
 * Issue 12, item 6: a version's text is a file in the site's documents library, not a
 * multiple-lines column (whose limits Graph does not document). Everything here goes through the
 * real Graph client (GraphGateway) to the Graph emulator and back, byte for byte.
 */

function versionOf(policyKey: string, document: PolicyDocument): PolicyVersion {
  return {
    policyKey,
    number: 1,
    label: 'Version 1',
    status: 'draft',
    changeKind: 'material',
    document,
    contentHash: contentHash(document),
  };
}

describe('long policy texts live in the documents library (through the real Graph client)', () => {
  let emulator: GraphEmulator;
  let gateway: GraphGateway;
  let store: SharePointRecordStore;

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    gateway = emulatorGateway(emulator);
    store = new SharePointRecordStore({ gateway, site: emulator.siteId });
    await provisionSite(gateway, store.site);
  });
  afterAll(async () => {
    await emulator.close();
  });

  /** Stores a version, reads it back through a fresh store, returns the file's bytes too. */
  async function roundTrip(key: string, document: PolicyDocument) {
    await store.putPolicy(policy(key));
    const version = versionOf(key, document);
    const created = await store.createVersion(version, audit('policy.saved', `${key}:v1`));
    const fresh = new SharePointRecordStore({ gateway, site: emulator.siteId });
    const read = await fresh.getVersion(key, 1);
    const row = (
      await gateway.call({
        method: 'GET',
        url: `${await store.site.listPath('versions')}/items/${untag(created.etag).itemId}?$expand=fields`,
      })
    ).body as { fields: Record<string, unknown> };
    const bytes = await new PolicyDocumentFiles(gateway, store.site).bytes(
      String(row.fields.DocumentItemId),
    );
    return { version, read, row: row.fields, bytes };
  }

  it('a 200-clause policy (over 64 K characters) round-trips byte-exact', async () => {
    const document = longPolicy();
    const json = JSON.stringify(document);
    expect(json.length).toBeGreaterThan(64 * 1024);
    const { version, read, row, bytes } = await roundTrip('long-aup', document);
    expect(read?.value).toEqual(version);
    expect(JSON.stringify(read?.value.document)).toBe(json);
    expect(bytes?.equals(Buffer.from(json, 'utf8'))).toBe(true);
    // The row names the file and its hash; the column that had limits is empty.
    expect(row.DocumentHash).toBe(sha256Hex(Buffer.from(json, 'utf8')));
    expect(row.Document ?? null).toBeNull();
    expect(read?.value.contentHash).toBe(contentHash(document));
  });

  const fixture = largestAupFixture();
  const fixtureTitle =
    'path' in fixture
      ? `the largest AUP fixture (${fixture.path}) imports and round-trips byte-exact`
      : `the largest AUP fixture round-trips byte-exact (skipped: ${fixture.missing})`;
  it.skipIf(!('path' in fixture))(fixtureTitle, async () => {
    if (!('path' in fixture)) return;
    const imported = await importPolicyFile(readFileSync(fixture.path), fixture.path);
    const { version, read, bytes } = await roundTrip('fixture-aup', imported.document);
    expect(read?.value).toEqual(version);
    expect(bytes?.equals(Buffer.from(JSON.stringify(imported.document), 'utf8'))).toBe(true);
  });

  it('a text file edited in SharePoint is refused on read, naming the version', async () => {
    await store.putPolicy(policy('edited-aup'));
    const created = await store.createVersion(
      versionOf('edited-aup', longPolicy()),
      audit('policy.saved', 'edited-aup:v1'),
    );
    const edited = { ...longPolicy(), declaration: 'I agree to nothing.' };
    await rewriteStoredText(
      gateway,
      store.site,
      untag(created.etag).itemId,
      JSON.stringify(edited),
    );
    const fresh = new SharePointRecordStore({ gateway, site: emulator.siteId });
    await expect(fresh.getVersion('edited-aup', 1)).rejects.toMatchObject({
      code: 'upstream',
      message: expect.stringMatching(/edited-aup:v1 .* is not the text stored/) as string,
    });
  });

  it('updating a draft stores the new text as its own file; the row follows it', async () => {
    await store.putPolicy(policy('draft-aup'));
    const first = await store.createVersion(
      versionOf('draft-aup', longPolicy()),
      audit('policy.saved', 'draft-aup:v1'),
    );
    const reworded = { ...longPolicy(), title: 'Reworded policy' };
    await store.updateDraft(first, versionOf('draft-aup', reworded));
    const fresh = new SharePointRecordStore({ gateway, site: emulator.siteId });
    expect((await fresh.getVersion('draft-aup', 1))?.value.document).toEqual(reworded);
  });

  it('reads a version stored inline, from before the library (backward compatible)', async () => {
    await store.putPolicy(policy('inline-aup'));
    // An inline document could only ever be what a multiple-lines column holds (63,999
    // characters; the emulator refuses more): the first five sections of the long policy.
    const long = longPolicy();
    const version = versionOf('inline-aup', { ...long, sections: long.sections.slice(0, 5) });
    const fields = versionFields(version, 'legacy-write');
    expect(fields.DocumentItemId).toBeUndefined();
    await gateway.call({
      method: 'POST',
      url: `${await store.site.listPath('versions')}/items`,
      body: { fields },
    });
    expect((await store.getVersion('inline-aup', 1))?.value).toEqual(version);
    expect((await store.listVersions('inline-aup')).map((v) => v.value)).toEqual([version]);
  });

  it('refuses a text over the simple-upload size it keeps to, before any request', async () => {
    const files = new PolicyDocumentFiles(gateway, store.site);
    const before = gateway.roundTrips;
    await expect(files.put('huge', 'x'.repeat(4 * 1024 * 1024 + 1))).rejects.toMatchObject({
      code: 'too-large',
    });
    expect(gateway.roundTrips).toBe(before);
  });
});
