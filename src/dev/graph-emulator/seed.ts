import type { DatabaseSync } from 'node:sqlite';
import { DEMO_SCHOOL } from '../demo/demo-school.ts';
import type { DirectoryEmulator } from './directory.ts';
import { inTransaction, readMeta, writeMeta } from './emulator-database.ts';
import type { SharePointEmulator } from './sharepoint.ts';

/**
 * Seeds a new emulator database once (a file that was seeded before is left alone, so a restart
 * keeps everything). The tenant's root site and the Countersign site always exist; `demo` also
 * adds the demo school's people and groups. No Countersign list is created here: the lists'
 * schema belongs to the RecordStore, and `countersign provision` creates them, against this
 * emulator exactly as against a real tenant.
 */
export type SeedMode = 'demo' | 'none';

export function seedEmulator(
  db: DatabaseSync,
  sharepoint: SharePointEmulator,
  directory: DirectoryEmulator,
  mode: SeedMode,
): void {
  if (readMeta(db, 'seeded') !== undefined) return;
  inTransaction(db, () => {
    sharepoint.createSite({
      id: DEMO_SCHOOL.rootSiteId,
      hostname: DEMO_SCHOOL.sharePointHostname,
      path: '/',
      displayName: 'Communication site',
      description: 'The tenant root site',
    });
    sharepoint.createSite({
      id: DEMO_SCHOOL.siteId,
      hostname: DEMO_SCHOOL.sharePointHostname,
      path: DEMO_SCHOOL.sitePath,
      displayName: 'Countersign',
      description: 'Acceptable Use Policy records (Countersign)',
    });
    if (mode === 'demo') {
      for (const person of DEMO_SCHOOL.users) {
        directory.putUser({
          id: person.id,
          displayName: person.displayName,
          givenName: person.givenName,
          surname: person.surname,
          userPrincipalName: person.userPrincipalName,
          mail: person.mail,
          jobTitle: person.jobTitle,
          department: person.department,
          officeLocation: 'Demo Primary School',
          accountEnabled: true,
          employeeType: person.role,
        });
      }
      for (const group of Object.values(DEMO_SCHOOL.groups)) {
        directory.putGroup({
          id: group.id,
          displayName: group.displayName,
          description: group.description,
          mailNickname: group.mailNickname,
          mail: `${group.mailNickname.toLowerCase()}@demo-school.example`,
          mailEnabled: true,
          securityEnabled: true,
          groupTypes: [],
        });
      }
      for (const group of Object.values(DEMO_SCHOOL.groups)) {
        for (const memberId of group.memberGroupIds)
          directory.addMember(group.id, memberId, 'group');
        for (const memberId of group.memberIds) directory.addMember(group.id, memberId, 'user');
      }
    }
    writeMeta(db, 'seeded', mode);
  });
}
