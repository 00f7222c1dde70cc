import { afterAll } from 'vitest';
import { createGraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { provisioningContract } from './provisioning.contract.ts';
import { RECORDED_DIR, recordingFetch, recordingWanted } from './recording.ts';
import { tenantSettings } from './tenant.ts';

const settings = tenantSettings(process.env);
// COUNTERSIGN_RECORD=1: every exchange with the tenant kept, sanitised, in tests/recorded.
const recorder =
  'skip' in settings || !recordingWanted(process.env)
    ? undefined
    : recordingFetch(fetch, {
        suite: 'provisioning',
        sitePath: settings.site,
        graphBaseUrl: settings.baseUrl,
      });
afterAll(() => {
  recorder?.save(RECORDED_DIR);
});

provisioningContract("a real tenant's site", () => {
  if ('skip' in settings) return Promise.resolve(settings);
  const graph = createGraphAdapters({
    ...settings,
    ...(recorder === undefined ? {} : { fetch: recorder.fetch }),
  });
  return Promise.resolve({ gateway: graph.gateway, site: graph.records.site });
});
