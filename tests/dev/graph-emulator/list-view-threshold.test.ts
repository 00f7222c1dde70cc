import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { LIST_VIEW_THRESHOLD } from '../../../src/dev/graph-emulator/sharepoint.ts';
import { call, errorCode, values } from './graph-client.ts';

let emulator: GraphEmulator;
let items: string;

beforeAll(async () => {
  emulator = await startGraphEmulator({ seed: 'none' });
  const site = `/sites/${emulator.siteId}`;
  await call(emulator.url, 'POST', `${site}/lists`, {
    displayName: 'Large',
    columns: [
      { name: 'UserId', text: {}, indexed: true },
      { name: 'Team', text: {}, indexed: true },
      { name: 'Note', text: {} },
    ],
  });
  items = `${site}/lists/Large/items`;
  const total = LIST_VIEW_THRESHOLD + 20;
  for (let start = 0; start < total; start += 20) {
    const requests = Array.from({ length: 20 }, (_, k) => ({
      id: String(k + 1),
      method: 'POST',
      url: items,
      headers: { 'Content-Type': 'application/json' },
      body: {
        fields: {
          UserId: `user-${start + k}`,
          Team: `team-${(start + k) % 2}`,
          Note: `note-${(start + k) % 7}`,
        },
      },
    }));
    const reply = await call(emulator.url, 'POST', '/$batch', { requests });
    expect(reply.status).toBe(200);
  }
});

afterAll(async () => {
  await emulator.close();
});

describe('the 5,000-item list view threshold', () => {
  it('still answers filters on indexed columns', async () => {
    const reply = await call(
      emulator.url,
      'GET',
      `${items}?$expand=fields&$filter=${encodeURIComponent("fields/UserId eq 'user-5010'")}`,
    );
    expect(reply.status).toBe(200);
    expect(values(reply).map((i) => (i.fields as { UserId: string }).UserId)).toEqual([
      'user-5010',
    ]);
  });

  it('refuses an indexed filter whose first condition matches more than 5,000 items', async () => {
    // team-0 holds 2,510 items, so the first condition alone is under the threshold.
    const narrow = await call(
      emulator.url,
      'GET',
      `${items}?$filter=${encodeURIComponent("fields/Team eq 'team-0' and fields/UserId eq 'user-4'")}`,
    );
    expect(narrow.status).toBe(200);
    expect(values(narrow)).toHaveLength(1);
    // A filter matching one item all told is refused when its first condition matches more:
    // SharePoint answers that condition through its index (sp-dev-docs#7149, pnpjs#3149).
    emulator.setup.setListViewThreshold(2000);
    const wide = await call(
      emulator.url,
      'GET',
      `${items}?$top=1&$filter=${encodeURIComponent("fields/Team eq 'team-0' and fields/UserId eq 'user-4'")}`,
    );
    expect(wide.status).toBe(500);
    expect((wide.body.error as { message: string }).message).toContain('list view threshold');
    const selectiveFirst = await call(
      emulator.url,
      'GET',
      `${items}?$filter=${encodeURIComponent("fields/UserId eq 'user-4' and fields/Team eq 'team-0'")}`,
    );
    expect(selectiveFirst.status).toBe(200);
    emulator.setup.setListViewThreshold(LIST_VIEW_THRESHOLD);
  });

  it('refuses unindexed filters past the threshold even with the Prefer header', async () => {
    const reply = await call(
      emulator.url,
      'GET',
      `${items}?$filter=${encodeURIComponent("fields/Note eq 'note-1'")}`,
      undefined,
      { Prefer: 'HonorNonIndexedQueriesWarningMayFailRandomly' },
    );
    expect(reply.status).toBe(500);
    expect(errorCode(reply)).toBe('generalException');
    expect((reply.body.error as { message: string }).message).toContain('list view threshold');
  });

  it('pages the whole list 5,000 at a time', async () => {
    const first = await call(
      emulator.url,
      'GET',
      `${items}?$top=5000&$expand=fields($select=UserId)`,
    );
    expect(values(first)).toHaveLength(5000);
    const second = await call(emulator.url, 'GET', String(first.body['@odata.nextLink']));
    expect(values(second)).toHaveLength(20);
    expect(second.body['@odata.nextLink']).toBeUndefined();
    const capped = await call(emulator.url, 'GET', `${items}?$top=6000`);
    expect(values(capped)).toHaveLength(5000);
  });
});
