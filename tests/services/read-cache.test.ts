import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { MemoryRecordStore } from '../../src/adapters/memory/memory-record-store.ts';
import type { Policy } from '../../src/domain/policy.ts';
import type { Directory } from '../../src/ports/directory.ts';
import type { RecordStore } from '../../src/ports/record-store.ts';
import {
  PolicyChanges,
  reportingPolicyChanges,
  withReadCache,
} from '../../src/services/read-cache.ts';

const policy: Policy = {
  key: 'staff-aup',
  schoolId: 's',
  title: 'Staff AUP',
  audiences: ['staff'],
  renewal: { kind: 'anniversary', months: 12 },
  approvalMode: 'none',
};

/** Counts the calls that reach the store, so the test sees what the cache saved. */
function counting<T extends object>(target: T): { proxy: T; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(target, {
    get(t, p, r) {
      const value: unknown = Reflect.get(t, p, r);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(p), (calls.get(String(p)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
  return { proxy, calls };
}

describe('read cache', () => {
  it('reuses policies and memberships within the TTL, and reads again after it', async () => {
    let now = new Date('2026-11-23T10:00:00Z');
    const clock = { now: () => now };
    const store = counting<RecordStore>(new MemoryRecordStore());
    const directory = counting<Directory>(
      new MemoryDirectory({
        people: [{ id: 'u1', displayName: 'A', userPrincipalName: 'a@x' }],
        groups: [{ id: 'g', members: ['u1'] }],
      }),
    );
    const cached = withReadCache(store.proxy, directory.proxy, clock, {
      policyTtlMs: 1_000,
      membershipTtlMs: 1_000,
    });
    await store.proxy.putPolicy(policy);
    await cached.records.getPolicy('staff-aup');
    await cached.records.getPolicy('staff-aup');
    expect(await cached.directory.listMemberships('u1')).toEqual(['g']);
    await cached.directory.listMemberships('u1');
    expect(store.calls.get('getPolicy')).toBe(1);
    expect(directory.calls.get('listMemberships')).toBe(1);

    now = new Date(now.getTime() + 1_001);
    await cached.records.getPolicy('staff-aup');
    await cached.directory.listMemberships('u1');
    expect(store.calls.get('getPolicy')).toBe(2);
    expect(directory.calls.get('listMemberships')).toBe(2);
  });

  it('a write through this instance is seen at once', async () => {
    const clock = { now: () => new Date('2026-11-23T10:00:00Z') };
    const store = new MemoryRecordStore();
    const cached = withReadCache(store, new MemoryDirectory(), clock);
    expect(await cached.records.getPolicy('staff-aup')).toBeNull();
    await cached.records.putPolicy(policy);
    expect((await cached.records.getPolicy('staff-aup'))?.value.title).toBe('Staff AUP');
  });

  it("a write through another school's cache, or the trust's own store, is seen at once", async () => {
    // One instance of a trust: every school's service has its cache, the trust lead's calls
    // write to the site directly. A master withdrawn by the lead must not be served by another
    // school's cache for the rest of its TTL.
    const clock = { now: () => new Date('2026-11-23T10:00:00Z') };
    const store = new MemoryRecordStore();
    const changes = new PolicyChanges();
    const hazel = withReadCache(store, new MemoryDirectory(), clock, { policyChanges: changes });
    const kings = withReadCache(store, new MemoryDirectory(), clock, { policyChanges: changes });
    const trust = reportingPolicyChanges(store, changes);
    const alone = withReadCache(store, new MemoryDirectory(), clock);

    const first = await store.putPolicy(policy);
    expect((await kings.records.getPolicy('staff-aup'))?.value.title).toBe('Staff AUP');
    expect((await alone.records.getPolicy('staff-aup'))?.value.title).toBe('Staff AUP');

    const second = await hazel.records.putPolicy(
      { ...policy, title: 'Through Hazel Lane' },
      first.etag,
    );
    expect((await kings.records.getPolicy('staff-aup'))?.value.title).toBe('Through Hazel Lane');

    await trust.putPolicy({ ...policy, title: 'Through the trust' }, second.etag);
    expect((await kings.records.getPolicy('staff-aup'))?.value.title).toBe('Through the trust');
    expect((await hazel.records.getPolicy('staff-aup'))?.value.title).toBe('Through the trust');
    // A cache that shares nothing keeps its TTL (another instance's write, as before).
    expect((await alone.records.getPolicy('staff-aup'))?.value.title).toBe('Staff AUP');
  });

  it('passes everything else straight to the adapter', async () => {
    const clock = { now: () => new Date('2026-11-23T10:00:00Z') };
    const store = new MemoryRecordStore();
    const cached = withReadCache(store, new MemoryDirectory(), clock);
    await cached.records.appendAudit([
      {
        id: 'e1',
        type: 'policy.saved',
        actorId: 'a',
        at: clock.now().toISOString(),
        subject: 's',
        details: {},
      },
    ]);
    expect(await store.listAudit({})).toHaveLength(1);
  });

  it('forgets a failed read instead of caching the failure', async () => {
    const clock = { now: () => new Date('2026-11-23T10:00:00Z') };
    let fail = true;
    const directory: Directory = {
      getPerson: () => Promise.resolve(null),
      listGroupMembers: async function* () {},
      listMemberships: () => (fail ? Promise.reject(new Error('503')) : Promise.resolve(['g'])),
      searchGroups: () => Promise.resolve([]),
    };
    const cached = withReadCache(new MemoryRecordStore(), directory, clock);
    await expect(cached.directory.listMemberships('u1')).rejects.toThrow('503');
    fail = false;
    expect(await cached.directory.listMemberships('u1')).toEqual(['g']);
  });
});
