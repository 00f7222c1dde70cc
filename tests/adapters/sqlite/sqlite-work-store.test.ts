import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkStoreDamagedError } from '../../../src/adapters/sqlite/sqlite-database.ts';
import {
  openSqliteWorkStore,
  openSqliteWorkStoreSettingAsideDamage,
  type SetAside,
} from '../../../src/adapters/sqlite/sqlite-work-store.ts';
import { workStoreContracts } from '../../contract/work-store.contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'countersign-work-'));
let n = 0;
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

workStoreContracts('SQLite :memory:', () => openSqliteWorkStore({ path: ':memory:' }));
workStoreContracts('SQLite file', () => openSqliteWorkStore({ path: join(dir, `w${++n}.db`) }));

describe('SQLite work store on a file', () => {
  it('keeps its rows across a reopen, as after a crash', async () => {
    const path = join(dir, 'reopen.db');
    const first = openSqliteWorkStore({ path });
    await first.createJob({
      id: 'c1',
      kind: 'prompt',
      policyKey: 'staff-aup',
      versionNumber: 1,
      status: 'running',
      createdAt: '2026-01-01T00:00:00.000Z',
      data: {},
    });
    await first.enqueue('c1', [{ userId: 'a' }], new Date('2026-01-01T00:00:00.000Z'));
    await first.close();
    const second = openSqliteWorkStore({ path });
    expect(await second.countDeliveries({ jobId: 'c1' })).toMatchObject({ queued: 1, total: 1 });
    await second.close();
  });

  it('opens a file made before conversations had a Teams user id, keeps its rows and adds the column', async () => {
    const path = join(dir, 'before-mri.db');
    const old = new DatabaseSync(path);
    old.exec(`CREATE TABLE conversations (user_id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL,
      service_url TEXT NOT NULL, tenant_id TEXT NOT NULL, updated_at INTEGER NOT NULL);
      INSERT INTO conversations VALUES ('a', 'a:1', 'https://smba.example/uk/', 't', 0);`);
    old.close();
    const store = openSqliteWorkStore({ path });
    const before = await store.getConversation('a');
    expect(before).toEqual({
      userId: 'a',
      conversationId: 'a:1',
      serviceUrl: 'https://smba.example/uk/',
      tenantId: 't',
      updatedAt: '1970-01-01T00:00:00.000Z',
    });
    await store.putConversation({ ...before!, userMri: '29:1-a' });
    expect((await store.getConversation('a'))?.userMri).toBe('29:1-a');
    await store.close();
  });

  it('keeps its identity across a reopen', async () => {
    const path = join(dir, 'identity.db');
    const first = openSqliteWorkStore({ path });
    const identity = await first.storeIdentity();
    await first.close();
    const second = openSqliteWorkStore({ path });
    expect(await second.storeIdentity()).toEqual(identity);
    await second.close();
  });

  it('refuses a damaged file by name, and the set-aside opener keeps it and starts afresh', async () => {
    const path = join(dir, 'damaged.db');
    const first = openSqliteWorkStore({ path });
    const identity = await first.storeIdentity();
    await first.close();
    // Overwrite the pages after the header, as a disk or a careless copy would.
    const bytes = readFileSync(path);
    bytes.fill(0x5a, 100);
    writeFileSync(path, bytes);
    expect(() => openSqliteWorkStore({ path })).toThrow(WorkStoreDamagedError);
    const events: SetAside[] = [];
    const fresh = openSqliteWorkStoreSettingAsideDamage(
      { path },
      (e) => events.push(e),
      () => new Date('2026-12-03T10:00:00.000Z'),
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.movedTo).toBe(`${path}.damaged-2026-12-03T10-00-00-000Z`);
    expect(events[0]?.reason).toMatch(/^The work store .*damaged\.db is damaged \(/);
    expect(existsSync(events[0]?.movedTo ?? '')).toBe(true);
    expect((await fresh.storeIdentity()).id).not.toBe(identity.id);
    expect(await fresh.listJobs({})).toEqual([]);
    await fresh.close();
  });

  it('says a file that is not a database at all is damaged too', () => {
    const path = join(dir, 'not-a-db.db');
    writeFileSync(path, 'this is a spreadsheet, not a work store '.repeat(200));
    expect(() => openSqliteWorkStore({ path })).toThrow(/is damaged/);
  });
});
