import { readFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import { createGraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import type { DirectoryFixture } from './directory.contract.ts';
import { directoryContract } from './directory.contract.ts';
import { RECORDED_DIR, recordingFetch, recordingWanted } from './recording.ts';
import { tenantSettings } from './tenant.ts';

const settings = tenantSettings(process.env);
// COUNTERSIGN_RECORD=1: every exchange with the tenant kept, sanitised, in tests/recorded.
const recorder =
  'skip' in settings || !recordingWanted(process.env)
    ? undefined
    : recordingFetch(fetch, {
        suite: 'directory',
        sitePath: settings.site,
        graphBaseUrl: settings.baseUrl,
      });
afterAll(() => {
  recorder?.save(RECORDED_DIR);
});

/** Needs, besides the tenant, a JSON file describing a nested group of that tenant. */
directoryContract('Entra ID in a real tenant', () => {
  if ('skip' in settings) return Promise.resolve(settings);
  const fixturePath = process.env.COUNTERSIGN_TEST_DIRECTORY_FIXTURE;
  if (!fixturePath) {
    return Promise.resolve({
      skip: 'skipped: set COUNTERSIGN_TEST_DIRECTORY_FIXTURE to a JSON DirectoryFixture of the tenant',
    });
  }
  const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as DirectoryFixture;
  const graph = createGraphAdapters({
    ...settings,
    ...(recorder === undefined ? {} : { fetch: recorder.fetch }),
  });
  return Promise.resolve({ directory: graph.directory, fixture });
});
