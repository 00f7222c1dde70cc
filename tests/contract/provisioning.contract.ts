import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphGateway } from '../../src/adapters/graph/graph-gateway.ts';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { SCHEMA, type ListKey } from '../../src/adapters/graph/sharepoint-schema.ts';
import type { SharePointSite } from '../../src/adapters/graph/sharepoint-site.ts';

/** What the provisioning suite runs against: a site the app may provision (fullcontrol). */
export interface ProvisioningUnderTest {
  gateway: GraphGateway;
  site: SharePointSite;
  close?: () => Promise<void>;
}

/** A real tenant answers over the network. */
const TIMEOUT_MS = 300_000;

/**
 * `countersign provision` as SharePoint takes it (issue 12, item 9): whether the index and
 * unique values of a column go in one PATCH or two, every list ends as sharepoint-schema.ts
 * declares it, read back from SharePoint itself (GET …/columns), and a second run changes
 * nothing. Run on the Graph emulator always and on a tenant's site when its settings are given
 * (tests/contract/tenant-provisioning.test.ts; docs/tenant-check.md).
 */
export function provisioningContract(
  name: string,
  open: () => Promise<ProvisioningUnderTest | { skip: string }>,
): void {
  describe(`provisioning contract: ${name}`, () => {
    let subject: ProvisioningUnderTest | undefined;
    let skipped: string | undefined;
    beforeAll(async () => {
      const opened = await open();
      if ('skip' in opened) skipped = opened.skip;
      else subject = opened;
    }, TIMEOUT_MS);
    afterAll(async () => {
      await subject?.close?.();
    });

    it(
      'leaves every column indexed and unique as declared, read back, and a second run changes nothing',
      async (context) => {
        if (skipped !== undefined) context.skip(skipped);
        if (subject === undefined) throw new Error('site not opened');
        const first = await provisionSite(subject.gateway, subject.site);
        expect(first.problems).toEqual([]);
        subject.site.forget();
        for (const list of Object.keys(SCHEMA) as ListKey[]) {
          const columns = new Map<string, { indexed?: boolean; enforceUniqueValues?: boolean }>();
          const path = await subject.site.listPath(list);
          for await (const page of subject.gateway.pages(
            `${path}/columns?$select=name,indexed,enforceUniqueValues`,
          )) {
            for (const column of page as {
              name: string;
              indexed?: boolean;
              enforceUniqueValues?: boolean;
            }[]) {
              columns.set(column.name, column);
            }
          }
          for (const want of SCHEMA[list].columns) {
            const have = columns.get(want.name);
            expect(have, `${list}.${want.name}`).toBeDefined();
            if (want.indexed === true || want.unique === true) {
              expect(have?.indexed, `${list}.${want.name} indexed`).toBe(true);
            }
            if (want.unique === true) {
              expect(have?.enforceUniqueValues, `${list}.${want.name} unique`).toBe(true);
            }
          }
        }
        const again = await provisionSite(subject.gateway, subject.site);
        expect(again).toMatchObject({ changes: [], problems: [] });
      },
      TIMEOUT_MS,
    );
  });
}
