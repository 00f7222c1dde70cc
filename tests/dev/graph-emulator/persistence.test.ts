import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGraphEmulator } from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { call, values } from './graph-client.ts';

const directory = mkdtempSync(join(tmpdir(), 'countersign-emulator-'));

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('persistence', () => {
  it('keeps lists, columns, items and eTags across a restart with a file database', async () => {
    const dbPath = join(directory, 'graph.sqlite');
    const first = await startGraphEmulator({ dbPath });
    const site = `/sites/${first.siteId}`;
    const list = await call(first.url, 'POST', `${site}/lists`, {
      displayName: 'Persisted',
      columns: [{ name: 'Key', text: {}, indexed: true }],
    });
    const created = await call(first.url, 'POST', `${site}/lists/Persisted/items`, {
      fields: { Key: 'kept' },
    });
    await first.close();

    const second = await startGraphEmulator({ dbPath });
    expect(second.siteId).toBe(first.siteId);
    const reopened = await call(second.url, 'GET', `${site}/lists/Persisted?$expand=columns`);
    expect(reopened.body.id).toBe(list.body.id);
    const columns = reopened.body.columns as { name: string; indexed: boolean }[];
    expect(columns.find((c) => c.name === 'Key')?.indexed).toBe(true);
    const items = await call(
      second.url,
      'GET',
      `${site}/lists/Persisted/items?$expand=fields&$filter=${encodeURIComponent("fields/Key eq 'kept'")}`,
    );
    expect(values(items).map((i) => i.eTag)).toEqual([created.body.eTag]);
    const next = await call(second.url, 'POST', `${site}/lists/Persisted/items`, {
      fields: { Key: 'two' },
    });
    expect(next.body.id).toBe('2'); // ids carry on, never reused
    const users = await call(second.url, 'GET', '/users?$top=999');
    expect(values(users)).toHaveLength(78); // seeded once, not twice
    await second.close();
  });

  it('starts empty of people with seed none, but still has the sites', async () => {
    const emulator = await startGraphEmulator({
      dbPath: join(directory, 'empty.sqlite'),
      seed: 'none',
    });
    const users = await call(emulator.url, 'GET', '/users');
    expect(values(users)).toHaveLength(0);
    const lists = await call(emulator.url, 'GET', `/sites/${emulator.siteId}/lists`);
    expect(values(lists)).toHaveLength(0);
    await emulator.close();
  });
});
