import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { School } from '../../src/domain/school.ts';
import type { SettingsStore } from '../../src/ports/settings-store.ts';

export interface OpenedSettingsStore {
  store: SettingsStore;
  close?: () => Promise<void>;
}

const school = (id: string, extra: Partial<School> = {}): School => ({
  id,
  name: `School ${id}`,
  timeZone: 'Europe/London',
  audiences: [{ key: 'staff', label: 'Staff', groupIds: [`${id}-staff-group`] }],
  approverIds: [`${id}-head`],
  adminIds: [`${id}-dsl`],
  ...extra,
});
const at = (n: number) => ({ by: `admin-${n}`, at: `2026-12-0${n}T09:00:00.000Z` });

/** What every SettingsStore must do, run against each adapter. */
export function settingsStoreContract(
  name: string,
  open: () => Promise<OpenedSettingsStore>,
): void {
  describe(`SettingsStore contract: ${name}`, () => {
    let opened: OpenedSettingsStore;
    let store: SettingsStore;
    beforeAll(async () => {
      opened = await open();
      store = opened.store;
    }, 60_000);
    afterAll(async () => {
      await opened.close?.();
    });

    it('an empty list has no schools, and an unknown school has no settings', async () => {
      expect(await store.list()).toEqual([]);
      expect(await store.get('nowhere')).toBeNull();
    });

    it('stores a school at revision 1 and reads every setting back as stored', async () => {
      const full = school('oakfield', {
        approversApprover: { id: 'chair', name: 'Margaret Ellison', role: 'Chair of Governors' },
        permissionChoices: ['Admin rights', 'MIS admin'],
        reminderDays: [3, 7],
        workingHours: { startHour: 8, endHour: 17 },
        terms: [{ name: 'Autumn', from: '2026-09-03', to: '2026-12-18' }],
        holidays: [{ name: 'Half term', from: '2026-10-26', to: '2026-10-30' }],
        retentionYears: 7,
      });
      const created = await store.create(full, at(1));
      expect(created).toEqual({
        school: full,
        revision: 1,
        updatedAt: at(1).at,
        updatedBy: 'admin-1',
      });
      expect(await store.get('oakfield')).toEqual(created);
    });

    it('several schools sit side by side, listed by id', async () => {
      await store.create(school('ashby'), at(1));
      await store.create(school('zetland'), at(1));
      expect((await store.list()).map((s) => s.school.id)).toEqual([
        'ashby',
        'oakfield',
        'zetland',
      ]);
    });

    it('a second create of a school is refused and changes nothing', async () => {
      await expect(
        store.create(school('ashby', { name: 'Impostor' }), at(2)),
      ).rejects.toMatchObject({
        code: 'conflict',
      });
      expect((await store.get('ashby'))?.school.name).toBe('School ashby');
    });

    it('a replace names the revision it edited and moves it on by one', async () => {
      const next = school('ashby', { adminIds: ['ashby-dsl', 'ashby-office'] });
      const replaced = await store.replace(next, 1, at(3));
      expect(replaced).toMatchObject({ revision: 2, updatedBy: 'admin-3', school: next });
      expect(await store.get('ashby')).toEqual(replaced);
    });

    it('a replace from a stale revision is refused: the second of two editors must read again', async () => {
      await expect(
        store.replace(school('ashby', { name: 'Late' }), 1, at(4)),
      ).rejects.toMatchObject({
        code: 'conflict',
        details: { currentRevision: 2 },
      });
      expect((await store.get('ashby'))?.revision).toBe(2);
    });

    it('a replace of a school with no settings is not found', async () => {
      await expect(store.replace(school('nowhere'), 1, at(4))).rejects.toMatchObject({
        code: 'not-found',
      });
    });

    it('what the store returns is a copy: changing it changes nothing stored', async () => {
      const read = await store.get('zetland');
      read?.school.adminIds.push('intruder');
      expect((await store.get('zetland'))?.school.adminIds).toEqual(['zetland-dsl']);
    });
  });
}
