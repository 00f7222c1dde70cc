import type { MemoryGroup } from '../../src/adapters/memory/memory-directory.ts';
import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import type { DirectoryPerson } from '../../src/ports/directory.ts';
import type { DirectoryFixture } from './directory.contract.ts';

/** The demo school's people and groups, as the emulator is seeded and as a MemoryDirectory. */
export function demoPeople(): DirectoryPerson[] {
  return DEMO_SCHOOL.users.map((u) => ({
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    jobTitle: u.jobTitle,
  }));
}

export function demoGroups(): MemoryGroup[] {
  return Object.values(DEMO_SCHOOL.groups).map((g) => ({
    id: g.id,
    displayName: g.displayName,
    members: [...g.memberIds, ...g.memberGroupIds],
  }));
}

/** The parent group with a nested group, and a person reached only through the nesting. */
export function demoDirectoryFixture(): DirectoryFixture {
  const groups = Object.values(DEMO_SCHOOL.groups);
  const byId = new Map(groups.map((g) => [g.id, g]));
  const parent = groups.find((g) => g.memberGroupIds.length > 0);
  if (!parent) throw new Error('the demo school has no nested group');
  const members = new Set<string>();
  const queue = [parent.id];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const g = byId.get(queue.shift() as string);
    if (!g || seen.has(g.id)) continue;
    seen.add(g.id);
    g.memberIds.forEach((id) => members.add(id));
    queue.push(...g.memberGroupIds);
  }
  const nestedGroup = byId.get(parent.memberGroupIds[0] as string);
  const nestedId = nestedGroup?.memberIds.find((id) => !parent.memberIds.includes(id));
  const person = demoPeople().find((p) => p.id === nestedId);
  if (!nestedGroup || !person) throw new Error('no person reached only through nesting');
  return {
    groupId: parent.id,
    transitiveMemberIds: [...members],
    nestedPerson: person,
    nestedPersonGroupIds: [nestedGroup.id, parent.id],
    groupDisplayName: parent.displayName,
  };
}
