import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteWorkStore } from '../../../src/adapters/sqlite/sqlite-work-store.ts';
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
});
