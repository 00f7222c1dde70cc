import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { DEMO_SCHOOL } from '../../../src/dev/demo/demo-school.ts';
import { call, errorCode, values, type JsonReply } from './graph-client.ts';
import { EMULATOR_AUTHORIZATION } from '../../support/emulator-graph.ts';

let emulator: GraphEmulator;
let api: (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<JsonReply>;
let site: string;

const ackColumns = [
  { name: 'UserId', text: {}, indexed: true },
  { name: 'PolicyKey', text: {}, indexed: true },
  { name: 'VersionNumber', number: {}, indexed: true },
  { name: 'SignedAt', dateTime: {} },
  { name: 'Approved', boolean: {} },
  { name: 'DocumentJson', text: { allowMultipleLines: true } },
];

beforeAll(async () => {
  emulator = await startGraphEmulator();
  api = (method, path, body, headers) => call(emulator.url, method, path, body, headers);
  site = `/sites/${emulator.siteId}`;
});

afterAll(async () => {
  await emulator.close();
});

describe('sites', () => {
  it('serves the demo site by id, by path and the root site', async () => {
    const byId = await api('GET', site);
    expect(byId.status).toBe(200);
    expect(byId.body.id).toBe(DEMO_SCHOOL.siteId);
    expect(byId.body.webUrl).toBe('https://demoschool.sharepoint.com/sites/countersign');

    const byPath = await api('GET', '/sites/demoschool.sharepoint.com:/sites/countersign');
    expect(byPath.body.id).toBe(DEMO_SCHOOL.siteId);
    const listsByPath = await api(
      'GET',
      '/sites/demoschool.sharepoint.com:/sites/countersign:/lists',
    );
    expect(listsByPath.status).toBe(200);

    const selected = await api('GET', `${site}?$select=id`);
    expect(Object.keys(selected.body).sort()).toEqual(['@odata.context', 'id']);

    const root = await api('GET', '/sites/root');
    expect(root.body.id).toBe(DEMO_SCHOOL.rootSiteId);
    expect(root.body.root).toEqual({});
  });

  it('answers 404 itemNotFound for an unknown site', async () => {
    const reply = await api('GET', '/sites/demoschool.sharepoint.com:/sites/nowhere');
    expect(reply.status).toBe(404);
    expect(errorCode(reply)).toBe('itemNotFound');
    const byId = await api('GET', '/sites/x.sharepoint.com,1,2/lists');
    expect(byId.status).toBe(404);
    expect((byId.body.error as { innerError?: unknown }).innerError).toBeDefined();
  });
});

describe('lists and columns', () => {
  it('creates a genericList with columns and finds it by id or display name', async () => {
    const created = await api('POST', `${site}/lists`, {
      displayName: 'Test Acknowledgements',
      columns: ackColumns,
      list: { template: 'genericList' },
    });
    expect(created.status).toBe(201);
    expect(created.body.displayName).toBe('Test Acknowledgements');
    // Written with an app token: created and last modified by "SharePoint App".
    const app = { user: { displayName: 'SharePoint App' } };
    expect([created.body.createdBy, created.body.lastModifiedBy]).toEqual([app, app]);
    expect(created.body.list).toEqual({
      contentTypesEnabled: false,
      hidden: false,
      template: 'genericList',
    });
    const id = String(created.body.id);

    const byName = await api('GET', `${site}/lists/Test Acknowledgements?$expand=columns`);
    expect(byName.body.id).toBe(id);
    const columns = byName.body.columns as { name: string; indexed: boolean }[];
    expect(columns.map((c) => c.name)).toEqual(['Title', ...ackColumns.map((c) => c.name)]);

    const filtered = await api(
      'GET',
      `${site}/lists?$filter=displayName eq 'Test Acknowledgements'`,
    );
    expect(values(filtered).map((l) => l.id)).toEqual([id]);

    const duplicate = await api('POST', `${site}/lists`, { displayName: 'test acknowledgements' });
    expect(duplicate.status).toBe(409);
    expect(errorCode(duplicate)).toBe('nameAlreadyExists');
  });

  it('lists, adds and indexes columns with documented defaults', async () => {
    const list = await api('POST', `${site}/lists`, { displayName: 'Columns Test', columns: [] });
    const base = `${site}/lists/${String(list.body.id)}/columns`;
    const added = await api('POST', base, { name: 'Status', text: {} });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      name: 'Status',
      displayName: 'Status',
      indexed: false,
      enforceUniqueValues: false,
      text: { allowMultipleLines: false, maxLength: 255 },
    });
    const patched = await api('PATCH', `${base}/${String(added.body.id)}`, { indexed: true });
    expect(patched.status).toBe(200);
    expect(patched.body.indexed).toBe(true);
    const all = await api('GET', base);
    expect(values(all).find((c) => c.name === 'Status')?.indexed).toBe(true);

    const untyped = await api('POST', base, { name: 'NoType' });
    expect(untyped.status).toBe(400);
    const duplicate = await api('POST', base, { name: 'status', number: {} });
    expect(duplicate.status).toBe(409);
    const note = await api('POST', base, {
      name: 'Notes',
      text: { allowMultipleLines: true },
      indexed: true,
    });
    expect(note.status).toBe(400);
    const missing = await api('GET', `${site}/lists/NoSuchList/columns`);
    expect(missing.status).toBe(404);
  });
});

describe('list items', () => {
  let items: string;
  beforeAll(async () => {
    const list = await api('POST', `${site}/lists`, {
      displayName: 'Items Test',
      columns: ackColumns,
    });
    items = `${site}/lists/${String(list.body.id)}/items`;
  });

  it('creates an item and returns it with fields, eTag and typed values', async () => {
    const created = await api('POST', items, {
      fields: {
        Title: 'First',
        UserId: 'user-1',
        PolicyKey: 'staff',
        VersionNumber: '3',
        SignedAt: '2025-09-01T08:30:15.123Z',
        Approved: false,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toBe('1');
    expect(created.body.createdBy).toEqual({ user: { displayName: 'SharePoint App' } });
    expect(created.body.lastModifiedBy).toEqual(created.body.createdBy);
    expect(String(created.body.eTag)).toMatch(/^"[0-9a-f-]{36},1"$/);
    expect(created.body['@odata.etag']).toBe(created.body.eTag);
    const fields = created.body.fields as Record<string, unknown>;
    expect(fields).toMatchObject({
      Title: 'First',
      UserId: 'user-1',
      VersionNumber: 3,
      SignedAt: '2025-09-01T08:30:15Z',
      Approved: false,
      id: '1',
      _UIVersionString: '1.0',
    });

    const got = await api('GET', `${items}/1?expand=fields(select=UserId,VersionNumber)`);
    expect(got.status).toBe(200);
    expect(got.body.fields).toEqual({
      '@odata.etag': created.body.eTag,
      UserId: 'user-1',
      VersionNumber: 3,
    });
    const withoutFields = await api('GET', `${items}/1`);
    expect(withoutFields.body.fields).toBeUndefined();
    const dollarExpand = await api('GET', `${items}/1?$expand=fields`);
    expect((dollarExpand.body.fields as Record<string, unknown>).Title).toBe('First');
  });

  it('refuses unknown fields, read-only fields and over-long text (255 single line, 63,999 multiple lines)', async () => {
    const unknown = await api('POST', items, { fields: { Nope: 1 } });
    expect(unknown.status).toBe(400);
    expect(errorCode(unknown)).toBe('invalidRequest');
    expect((unknown.body.error as { message: string }).message).toBe(
      "Field 'Nope' is not recognized",
    );
    const readOnly = await api('POST', items, { fields: { Created: '2020-01-01T00:00:00Z' } });
    expect(readOnly.status).toBe(400);
    const long = await api('POST', items, { fields: { UserId: 'x'.repeat(256) } });
    expect(long.status).toBe(400);
    expect((await api('POST', items, { fields: { UserId: 'x'.repeat(255) } })).status).toBe(201);
    const longNote = await api('POST', items, { fields: { DocumentJson: 'x'.repeat(5000) } });
    expect(longNote.status).toBe(201);
    const fullNote = await api('POST', items, { fields: { DocumentJson: 'x'.repeat(63_999) } });
    expect(fullNote.status).toBe(201);
    const overNote = await api('POST', items, { fields: { DocumentJson: 'x'.repeat(64_000) } });
    expect([overNote.status, errorCode(overNote)]).toEqual([400, 'invalidRequest']);
    expect((overNote.body.error as { message: string }).message).toContain('DocumentJson');
    const badNumber = await api('POST', items, { fields: { VersionNumber: 'three' } });
    expect(badNumber.status).toBe(400);
  });

  it('updates fields with If-Match, answering 412 preconditionFailed when stale', async () => {
    const created = await api('POST', items, { fields: { UserId: 'user-etag', VersionNumber: 1 } });
    const id = String(created.body.id);
    const etag = String(created.body.eTag);
    const first = await api(
      'PATCH',
      `${items}/${id}/fields`,
      { VersionNumber: 2 },
      { 'If-Match': etag },
    );
    expect(first.status).toBe(200);
    expect(first.body.VersionNumber).toBe(2);
    expect(first.body.UserId).toBe('user-etag');
    // As "Update listItem" documents the reply: the fieldValueSet, no eTag.
    expect(first.body['@odata.etag']).toBeUndefined();
    expect(first.headers.get('etag')).toBeNull();
    const read = await api('GET', `${items}/${id}`);
    expect(String(read.body.eTag)).toMatch(/,2"$/);

    const stale = await api(
      'PATCH',
      `${items}/${id}/fields`,
      { VersionNumber: 3 },
      { 'If-Match': etag },
    );
    expect(stale.status).toBe(412);
    expect(errorCode(stale)).toBe('preconditionFailed');
    const after = await api('GET', `${items}/${id}?$expand=fields`);
    expect((after.body.fields as Record<string, unknown>).VersionNumber).toBe(2);

    const star = await api(
      'PATCH',
      `${items}/${id}/fields`,
      { VersionNumber: 4 },
      { 'If-Match': '*' },
    );
    expect(star.status).toBe(200);
    const noHeader = await api('PATCH', `${items}/${id}/fields`, { UserId: null });
    expect(noHeader.body.UserId).toBeUndefined();
  });

  it('deletes an item (204) and then answers 404 itemNotFound', async () => {
    const created = await api('POST', items, { fields: { UserId: 'to-delete' } });
    const path = `${items}/${String(created.body.id)}`;
    const staleDelete = await api('DELETE', path, undefined, {
      'If-Match': '"00000000-0000-0000-0000-000000000000,1"',
    });
    expect(staleDelete.status).toBe(412);
    const deleted = await fetch(`${emulator.url}${path}`, {
      method: 'DELETE',
      headers: EMULATOR_AUTHORIZATION,
    });
    expect(deleted.status).toBe(204);
    const missing = await api('GET', path);
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('itemNotFound');
    const patchMissing = await api('PATCH', `${path}/fields`, { UserId: 'x' });
    expect(patchMissing.status).toBe(404);
  });
});

describe('querying items', () => {
  let items: string;
  beforeAll(async () => {
    const list = await api('POST', `${site}/lists`, {
      displayName: 'Query Test',
      columns: ackColumns,
    });
    items = `${site}/lists/${String(list.body.id)}/items`;
    for (let start = 0; start < 450; start += 20) {
      const requests = Array.from({ length: Math.min(20, 450 - start) }, (_, k) => {
        const n = start + k;
        return {
          id: String(k + 1),
          method: 'POST',
          url: `${items}`,
          headers: { 'Content-Type': 'application/json' },
          body: {
            fields: {
              Title: `Person ${n}`,
              UserId: `user-${String(n).padStart(3, '0')}`,
              PolicyKey: n % 2 === 0 ? 'staff' : 'governor',
              VersionNumber: n % 5,
              SignedAt: new Date(Date.UTC(2025, 0, 1) + n * 3_600_000).toISOString(),
              Approved: n % 3 === 0,
            },
          },
        };
      });
      const reply = await api('POST', '/$batch', { requests });
      expect(reply.status).toBe(200);
    }
  });

  it('pages 450 items through @odata.nextLink with an opaque skiptoken (default page 200)', async () => {
    const seen: string[] = [];
    let next: string | undefined = `${items}?$expand=fields($select=UserId)`;
    let pages = 0;
    while (next !== undefined) {
      const reply = await api('GET', next);
      expect(reply.status).toBe(200);
      seen.push(
        ...values(reply).map((item) => String((item.fields as Record<string, unknown>).UserId)),
      );
      next = reply.body['@odata.nextLink'] as string | undefined;
      if (next !== undefined) {
        expect(next).toContain('$skiptoken=');
        expect(next.startsWith(emulator.url)).toBe(true);
      }
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(450);
    expect(new Set(seen).size).toBe(450);

    const top = await api('GET', `${items}?$top=100`);
    expect(values(top)).toHaveLength(100);
    const badToken = await api('GET', `${items}?$skiptoken=nonsense`);
    expect(badToken.status).toBe(400);
  });

  it('filters indexed columns with eq/ne/lt/gt/le/ge/startswith/and', async () => {
    const count = async (filter: string): Promise<number> => {
      let total = 0;
      let next: string | undefined = `${items}?$top=5000&$filter=${encodeURIComponent(filter)}`;
      while (next !== undefined) {
        const reply = await api('GET', next);
        expect(reply.status, JSON.stringify(reply.body)).toBe(200);
        total += values(reply).length;
        next = reply.body['@odata.nextLink'] as string | undefined;
      }
      return total;
    };
    expect(await count("fields/UserId eq 'user-007'")).toBe(1);
    expect(await count("fields/UserId eq 'USER-007'")).toBe(1); // SharePoint compares text case-insensitively
    expect(await count("fields/PolicyKey eq 'staff'")).toBe(225);
    expect(await count("fields/PolicyKey ne 'staff'")).toBe(225);
    expect(await count('fields/VersionNumber lt 2')).toBe(180);
    expect(await count('fields/VersionNumber le 2')).toBe(270);
    expect(await count('fields/VersionNumber gt 3')).toBe(90);
    expect(await count('fields/VersionNumber ge 3')).toBe(180);
    expect(await count("startswith(fields/UserId,'user-04')")).toBe(10);
    expect(await count("fields/PolicyKey eq 'staff' and fields/VersionNumber eq 0")).toBe(45);
    expect(await count('id le 10')).toBe(10);
  });

  it('refuses a filter on an unindexed column unless Prefer: HonorNonIndexedQueriesWarningMayFailRandomly', async () => {
    const filter = encodeURIComponent(
      "fields/SignedAt ge '2025-01-10T00:00:00Z' and fields/Approved eq true",
    );
    const refused = await api('GET', `${items}?$filter=${filter}`);
    expect(refused.status).toBe(400);
    expect(errorCode(refused)).toBe('invalidRequest');
    expect((refused.body.error as { message: string }).message).toContain(
      "cannot be referenced in filter or orderby as it is not indexed. Provide the 'Prefer: HonorNonIndexedQueriesWarningMayFailRandomly' header",
    );
    const allowed = await api('GET', `${items}?$top=5000&$filter=${filter}`, undefined, {
      Prefer: 'HonorNonIndexedQueriesWarningMayFailRandomly',
    });
    expect(allowed.status).toBe(200);
    // hours 216…449 are on or after 10 January; every third n is approved
    const expected = Array.from({ length: 450 }, (_, n) => n).filter(
      (n) => n >= 216 && n % 3 === 0,
    );
    expect(values(allowed)).toHaveLength(expected.length);
    const orderUnindexed = await api('GET', `${items}?$orderby=fields/SignedAt`);
    expect(orderUnindexed.status).toBe(400);
  });

  it('orders by an indexed column and selects listItem properties', async () => {
    const reply = await api(
      'GET',
      `${items}?$orderby=fields/UserId desc&$top=3&$select=id,eTag&$expand=fields($select=UserId)`,
    );
    expect(reply.status).toBe(200);
    const page = values(reply);
    expect(page.map((item) => (item.fields as Record<string, unknown>).UserId)).toEqual([
      'user-449',
      'user-448',
      'user-447',
    ]);
    expect(Object.keys(page[0] ?? {}).sort()).toEqual(['@odata.etag', 'eTag', 'fields', 'id']);
    const second = await api('GET', String(reply.body['@odata.nextLink']));
    expect((values(second)[0]?.fields as Record<string, unknown>).UserId).toBe('user-446');
  });

  it('answers 400 for malformed filters and unknown columns', async () => {
    const malformed = await api(
      'GET',
      `${items}?$filter=${encodeURIComponent('fields/UserId eq')}`,
    );
    expect(malformed.status).toBe(400);
    const unknown = await api(
      'GET',
      `${items}?$filter=${encodeURIComponent("fields/Ghost eq 'x'")}`,
    );
    expect(unknown.status).toBe(400);
    expect((unknown.body.error as { message: string }).message).toContain(
      "Column 'Ghost' does not exist",
    );
  });
});
