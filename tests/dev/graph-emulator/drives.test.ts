import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { call, errorCode } from './graph-client.ts';
import { EMULATOR_AUTHORIZATION } from '../../support/emulator-graph.ts';

/** Document libraries as drives, and driveItem upload and download, as Graph documents them. */
describe('Graph emulator: drives and driveItems', () => {
  let emulator: GraphEmulator;
  let driveId: string;
  let site: string;

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    site = `/sites/${emulator.siteId}`;
    const library = await call(emulator.url, 'POST', `${site}/lists`, {
      displayName: 'Texts',
      list: { template: 'documentLibrary' },
    });
    const drive = await call(emulator.url, 'GET', `${site}/lists/${String(library.body.id)}/drive`);
    expect(drive.status).toBe(200);
    expect(drive.body).toMatchObject({ driveType: 'documentLibrary', name: 'Texts' });
    driveId = String(drive.body.id);
    expect(driveId).toMatch(/^b!/);
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function put(name: string, bytes: Buffer) {
    const response = await fetch(
      `${emulator.url}/drives/${encodeURIComponent(driveId)}/root:/${name}:/content`,
      {
        method: 'PUT',
        headers: { 'Content-Type': 'text/plain', ...EMULATOR_AUTHORIZATION },
        body: bytes,
      },
    );
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('PUT …/root:/name:/content creates (201), then replaces the same item (200); content redirects (302) to its bytes', async () => {
    const first = await put('a.json', Buffer.from('{"not": "parsed"}  '));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      name: 'a.json',
      size: 19,
      file: { mimeType: 'application/json' },
    });
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d, 0x0a]); // BOM, "{}", newline: kept
    const second = await put('a.json', bytes);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.eTag).not.toBe(first.body.eTag);

    const content = await fetch(
      `${emulator.url}/drives/${encodeURIComponent(driveId)}/items/${String(first.body.id)}/content`,
      { redirect: 'manual', headers: EMULATOR_AUTHORIZATION },
    );
    expect(content.status).toBe(302);
    const location = content.headers.get('location') ?? '';
    expect(location).toContain('/_emulator/download/');
    const downloaded = Buffer.from(await (await fetch(location)).arrayBuffer());
    expect(downloaded.equals(bytes)).toBe(true);

    const meta = await call(
      emulator.url,
      'GET',
      `/drives/${driveId}/items/${String(first.body.id)}`,
    );
    expect(meta.body).toMatchObject({ id: first.body.id, name: 'a.json', size: bytes.length });
    const gone = await call(
      emulator.url,
      'DELETE',
      `/drives/${driveId}/items/${String(first.body.id)}`,
    );
    expect(gone.status).toBe(204);
    const missing = await call(
      emulator.url,
      'GET',
      `/drives/${driveId}/items/${String(first.body.id)}/content`,
    );
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('itemNotFound');
  });

  it('a generic list has no drive, and an unknown drive is 404', async () => {
    const list = await call(emulator.url, 'POST', `${site}/lists`, { displayName: 'Plain' });
    const drive = await call(emulator.url, 'GET', `${site}/lists/${String(list.body.id)}/drive`);
    expect(drive.status).toBe(404);
    const unknown = await call(emulator.url, 'GET', '/drives/b!bm9wZQ/items/x');
    expect(unknown.status).toBe(404);
  });
});
