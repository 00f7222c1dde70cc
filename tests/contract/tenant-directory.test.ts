import { readFileSync } from 'node:fs';
import { createGraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import type { DirectoryFixture } from './directory.contract.ts';
import { directoryContract } from './directory.contract.ts';
import { tenantSettings } from './tenant.ts';

/** Needs, besides the tenant, a JSON file describing a nested group of that tenant. */
directoryContract('Entra ID in a real tenant', () => {
  const settings = tenantSettings(process.env);
  if ('skip' in settings) return Promise.resolve(settings);
  const fixturePath = process.env.COUNTERSIGN_TEST_DIRECTORY_FIXTURE;
  if (!fixturePath) {
    return Promise.resolve({
      skip: 'skipped: set COUNTERSIGN_TEST_DIRECTORY_FIXTURE to a JSON DirectoryFixture of the tenant',
    });
  }
  const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as DirectoryFixture;
  return Promise.resolve({ directory: createGraphAdapters(settings).directory, fixture });
});
