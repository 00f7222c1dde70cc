import { MemoryDirectory } from '../../src/adapters/memory/memory-directory.ts';
import { demoDirectoryFixture, demoGroups, demoPeople } from './demo-directory-fixture.ts';
import { directoryContract } from './directory.contract.ts';

directoryContract('memory', () =>
  Promise.resolve({
    directory: new MemoryDirectory({ people: demoPeople(), groups: demoGroups() }),
    fixture: demoDirectoryFixture(),
  }),
);
