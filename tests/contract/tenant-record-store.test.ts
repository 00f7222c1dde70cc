import { createGraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { recordStoreContract } from './record-store.contract.ts';
import { tenantSettings } from './tenant.ts';

recordStoreContract('SharePoint lists in a real tenant', async () => {
  const settings = tenantSettings(process.env);
  if ('skip' in settings) return settings;
  const graph = createGraphAdapters(settings);
  await provisionSite(graph.gateway, graph.records.site);
  return { store: graph.records, pagingRows: 25 };
});
