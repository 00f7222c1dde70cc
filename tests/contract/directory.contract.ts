import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountersignError } from '../../src/domain/errors.ts';
import type { Directory, DirectoryPerson } from '../../src/ports/directory.ts';

/** What the directory under test holds: a group with a nested group, and its people. */
export interface DirectoryFixture {
  /** A group whose members include at least one nested group. */
  groupId: string;
  /** Every user reached from groupId, directly or through nesting. */
  transitiveMemberIds: string[];
  /** A person who is in groupId only through a nested group. */
  nestedPerson: DirectoryPerson;
  /** Groups that person belongs to, directly or through nesting (at least these). */
  nestedPersonGroupIds: string[];
  /** groupId's display name, of two words or more (the group picker's search finds it by them). */
  groupDisplayName?: string;
}

export interface DirectoryUnderTest {
  directory: Directory;
  fixture: DirectoryFixture;
  close?: () => Promise<void>;
}

async function collect(
  pages: AsyncIterable<readonly DirectoryPerson[]>,
): Promise<DirectoryPerson[]> {
  const out: DirectoryPerson[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

/** The behaviour every Directory adapter must have (memory, the emulator, a real tenant). */
export function directoryContract(
  name: string,
  open: () => Promise<DirectoryUnderTest | { skip: string }>,
): void {
  describe(`Directory contract: ${name}`, () => {
    let subject: DirectoryUnderTest | undefined;
    let skipped: string | undefined;
    beforeAll(async () => {
      const opened = await open();
      if ('skip' in opened) skipped = opened.skip;
      else subject = opened;
    });
    afterAll(async () => {
      await subject?.close?.();
    });

    function test(title: string, body: (s: DirectoryUnderTest) => Promise<void>) {
      it(title, async (context) => {
        if (skipped !== undefined) context.skip(skipped);
        if (subject === undefined) throw new Error('directory not opened');
        await body(subject);
      });
    }

    test('reads a person by id and answers null for an unknown id', async ({
      directory,
      fixture,
    }) => {
      const person = await directory.getPerson(fixture.nestedPerson.id);
      expect(person).toMatchObject({
        id: fixture.nestedPerson.id,
        userPrincipalName: fixture.nestedPerson.userPrincipalName,
        displayName: fixture.nestedPerson.displayName,
      });
      expect(await directory.getPerson(randomUUID())).toBeNull();
    });

    test('lists a group’s members through nested groups, people only, each once', async ({
      directory,
      fixture,
    }) => {
      const members = await collect(directory.listGroupMembers(fixture.groupId));
      const ids = members.map((m) => m.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(new Set(fixture.transitiveMemberIds));
      expect(ids).toContain(fixture.nestedPerson.id);
      for (const m of members) {
        expect(m.userPrincipalName).not.toBe('');
        expect(m.displayName).not.toBe('');
        // Listings leave the job title out (nothing reads it; fewer bytes per member).
        expect(m.jobTitle).toBeUndefined();
      }
    });

    test('lists a person’s groups, nested ones included', async ({ directory, fixture }) => {
      const groups = await directory.listMemberships(fixture.nestedPerson.id);
      for (const id of fixture.nestedPersonGroupIds) expect(groups).toContain(id);
      expect(groups).toContain(fixture.groupId);
    });

    test('finds a group by the start of any word of its name, in any case and order', async ({
      directory,
      fixture,
    }) => {
      const name = fixture.groupDisplayName;
      if (name === undefined) throw new Error('the fixture names no groupDisplayName');
      const words = name.split(/\s+/);
      const last = (words.at(-1) ?? '').slice(0, 3).toLowerCase();
      const found = await directory.searchGroups(last);
      expect(found.map((g) => g.id)).toContain(fixture.groupId);
      expect(found.find((g) => g.id === fixture.groupId)?.displayName).toBe(name);
      const names = found.map((g) => g.displayName);
      expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
      const reversed = await directory.searchGroups([...words].reverse().join(' ').toUpperCase());
      expect(reversed.map((g) => g.id)).toContain(fixture.groupId);
    });

    test('a search no group name matches finds none, and so does an empty one', async ({
      directory,
    }) => {
      expect(await directory.searchGroups('zqxjkv')).toEqual([]);
      expect(await directory.searchGroups('   ')).toEqual([]);
    });

    test('an unknown group is not-found', async ({ directory }) => {
      const run = collect(directory.listGroupMembers(randomUUID()));
      await expect(run).rejects.toBeInstanceOf(CountersignError);
      await expect(run).rejects.toMatchObject({ code: 'not-found' });
    });
  });
}
