import { afterAll } from 'vitest';
import { createGraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { recordStoreContract } from './record-store.contract.ts';
import { RECORDED_DIR, recordingFetch, recordingWanted } from './recording.ts';
import { sharePointStoredDocument } from './stored-document.ts';
import { tenantSettings } from './tenant.ts';

const settings = tenantSettings(process.env);
// COUNTERSIGN_RECORD=1: every exchange with the tenant kept, sanitised, in tests/recorded.
const recorder =
  'skip' in settings || !recordingWanted(process.env)
    ? undefined
    : recordingFetch(fetch, {
        suite: 'record-store',
        sitePath: settings.site,
        graphBaseUrl: settings.baseUrl,
      });
afterAll(() => {
  recorder?.save(RECORDED_DIR);
});

recordStoreContract('SharePoint lists in a real tenant', async () => {
  if ('skip' in settings) return settings;
  const graph = createGraphAdapters({
    ...settings,
    ...(recorder === undefined ? {} : { fetch: recorder.fetch }),
  });
  await provisionSite(graph.gateway, graph.records.site);
  return {
    store: graph.records,
    pagingRows: 25,
    storedDocument: sharePointStoredDocument(graph.gateway, graph.records),
  };
});
