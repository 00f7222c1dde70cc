import { z } from 'zod';
import { CountersignError } from '../../domain/errors.ts';
import { ensureOk, withQuery } from './graph-gateway.ts';
import type { GraphGateway } from './graph-gateway.ts';
import { DOCUMENT_LIBRARY, LIST, SCHEMA, columnDefinition } from './sharepoint-schema.ts';
import type { ColumnSpec, ListKey, ListSpec } from './sharepoint-schema.ts';
import type { ListSummary, SharePointSite } from './sharepoint-site.ts';
import { sameName } from './sharepoint-site.ts';

export type ProvisionAction =
  'create-list' | 'create-library' | 'create-column' | 'index-column' | 'enforce-unique';

export interface ProvisionChange {
  list: string;
  action: ProvisionAction;
  column?: string;
}

export interface ProvisionReport {
  siteId: string;
  changes: ProvisionChange[];
  /** What provisioning will not fix by itself (a column of the wrong type: data would be lost). */
  problems: string[];
}

const columnSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    indexed: z.boolean().optional(),
    enforceUniqueValues: z.boolean().optional(),
    text: z.object({ allowMultipleLines: z.boolean().optional() }).loose().optional(),
    number: z.object({}).loose().optional(),
    boolean: z.object({}).loose().optional(),
  })
  .loose();
type ExistingColumn = z.infer<typeof columnSchema>;

const COLUMN_SELECT = 'id,name,indexed,enforceUniqueValues,text,number,boolean';

const createdListSchema = z.object({ id: z.string().min(1) }).loose();

function typeOf(column: ExistingColumn): ColumnSpec['type'] | 'other' {
  if (column.text !== undefined) return column.text.allowMultipleLines ? 'note' : 'text';
  if (column.number !== undefined) return 'number';
  if (column.boolean !== undefined) return 'boolean';
  return 'other';
}

/**
 * Makes the site match sharepoint-schema.ts: creates missing lists and columns, turns on missing
 * indexes and unique values, leaves everything already right alone (a second run makes no
 * change) and never deletes or retypes anything.
 */
export async function provisionSite(
  gateway: GraphGateway,
  site: SharePointSite,
): Promise<ProvisionReport> {
  const changes: ProvisionChange[] = [];
  let siteId: string | undefined;
  let canRead = false;
  try {
    // The probe: reading the site and its lists ("List lists") needs the read role; a 403 here
    // means the app has no grant on the site at all.
    siteId = await site.siteId();
    const existing = await site.allLists();
    canRead = true;
    return await provisionLists(gateway, site, siteId, existing, changes);
  } catch (error) {
    if (!isForbidden(error)) throw error;
    throw rightsRefusal(siteId, canRead, changes, error);
  }
}

/**
 * The roles of a Sites.Selected grant ("Overview of Selected permissions in OneDrive and
 * SharePoint", https://learn.microsoft.com/en-us/graph/permissions-selected-overview: read,
 * write, owner, fullcontrol; there is no `manage`). Creating lists, libraries and columns needs
 * fullcontrol: write reads and writes items and files but cannot create lists
 * (microsoftgraph/msgraph-sdk-dotnet#1034), and the overview names Sites.Selected+FullControl as
 * what manages a site's resources. The service at run time only reads and writes items and
 * files: write. "Create permission" on a site
 * (https://learn.microsoft.com/en-us/graph/api/site-post-permissions) shows a grant made with
 * write; fullcontrol has been refused there and accepted by an update of the permission
 * (microsoftgraph/microsoft-graph-docs#11814), so the guide grants write and raises it.
 */
export const PROVISION_ROLE = 'fullcontrol';
export const RUN_TIME_ROLE = 'write';

function isForbidden(error: unknown): error is CountersignError {
  return error instanceof CountersignError && error.details.status === 403;
}

/**
 * Graph documents no request by which a Sites.Selected app reads its own role on a site ("List
 * permissions" on a site needs Sites.FullControl.All), so provisioning's first change is its
 * probe: every change needs the same role, so a 403 there means nothing was changed, and the
 * answer says exactly what to grant.
 */
function rightsRefusal(
  siteId: string | undefined,
  canRead: boolean,
  changes: readonly ProvisionChange[],
  error: CountersignError,
): CountersignError {
  const site = siteId ?? '<site id>';
  const permissions = `https://graph.microsoft.com/v1.0/sites/${site}/permissions`;
  const raise = `PATCH ${permissions}/{permission id} with {"roles":["${PROVISION_ROLE}"]}`;
  // The Azure CLI's sign-in carries no SharePoint scope, so the guide makes these requests with
  // Microsoft Graph PowerShell, which asks for Sites.FullControl.All when it signs in.
  const lower = `then PATCH it back to {"roles":["${RUN_TIME_ROLE}"]}, all the service needs to run (with Microsoft Graph PowerShell: Connect-MgGraph -Scopes Sites.FullControl.All, then New-MgSitePermission / Update-MgSitePermission; infra/README.md, step 5)`;
  const done =
    changes.length === 0
      ? 'Nothing was changed.'
      : `It stopped after: ${changes.map(describeChange).join('; ')}.`;
  const message = !canRead
    ? `The app has no access to site ${site} (${error.message}). Grant it the site as a SharePoint administrator (Sites.FullControl.All): POST ${permissions} with {"roles":["${RUN_TIME_ROLE}"],"grantedToIdentities":[{"application":{"id":"<the app's client id>","displayName":"Countersign"}}]}; to provision, ${raise} (its id: GET ${permissions}), run "countersign provision" again, ${lower}.`
    : `The app may read site ${site} but not create or change its lists, libraries and columns (${error.message}). ${done} Provisioning needs the ${PROVISION_ROLE} role on the site. As a SharePoint administrator (Sites.FullControl.All): GET ${permissions} for the app's permission id, ${raise}, run "countersign provision" again, ${lower}.`;
  return new CountersignError(
    'forbidden',
    message,
    { siteId: site, needs: PROVISION_ROLE },
    {
      cause: error,
    },
  );
}

async function provisionLists(
  gateway: GraphGateway,
  site: SharePointSite,
  siteId: string,
  existing: ListSummary[],
  changes: ProvisionChange[],
): Promise<ProvisionReport> {
  const problems: string[] = [];
  for (const key of Object.keys(LIST) as ListKey[]) {
    const spec = SCHEMA[key];
    let listId = existing.find((l) => sameName(l.displayName, spec.name))?.id;
    if (listId === undefined) {
      const reply = await gateway.call(
        {
          method: 'POST',
          url: `sites/${siteId}/lists`,
          body: {
            displayName: spec.name,
            description: spec.description,
            list: { template: 'genericList' },
            columns: spec.columns.map(columnDefinition),
          },
        },
        `Create list ${spec.name}`,
      );
      listId = createdListSchema.parse(reply.body).id;
      changes.push({ list: spec.name, action: 'create-list' });
      // A tenant may ignore parts of a column definition on list creation: check below.
      const after = await reconcileColumns(gateway, siteId, listId, spec);
      problems.push(...after.problems);
      changes.push(...after.changes);
      continue;
    }
    const result = await reconcileColumns(gateway, siteId, listId, spec);
    changes.push(...result.changes);
    problems.push(...result.problems);
  }
  if (!existing.some((l) => sameName(l.displayName, DOCUMENT_LIBRARY.name))) {
    // "Create a SharePoint list" with the documentLibrary template makes a library (listInfo).
    await gateway.call(
      {
        method: 'POST',
        url: `sites/${siteId}/lists`,
        body: {
          displayName: DOCUMENT_LIBRARY.name,
          description: DOCUMENT_LIBRARY.description,
          list: { template: 'documentLibrary' },
        },
      },
      `Create library ${DOCUMENT_LIBRARY.name}`,
    );
    changes.push({ list: DOCUMENT_LIBRARY.name, action: 'create-library' });
  }
  site.forget();
  return { siteId, changes, problems };
}

async function reconcileColumns(
  gateway: GraphGateway,
  siteId: string,
  listId: string,
  spec: ListSpec,
): Promise<{ changes: ProvisionChange[]; problems: string[] }> {
  const columnsUrl = `sites/${siteId}/lists/${listId}/columns`;
  const columns: ExistingColumn[] = [];
  for await (const page of gateway.pages(withQuery(columnsUrl, { $select: COLUMN_SELECT }))) {
    for (const entry of page) columns.push(columnSchema.parse(entry));
  }
  const changes: ProvisionChange[] = [];
  const problems: string[] = [];
  for (const want of spec.columns) {
    let have = columns.find((c) => sameName(c.name, want.name));
    if (have === undefined) {
      const created = await gateway.call(
        { method: 'POST', url: columnsUrl, body: columnDefinition(want) },
        `Create column ${spec.name}.${want.name}`,
      );
      changes.push({ list: spec.name, action: 'create-column', column: want.name });
      // The reply is the column as created; a tenant may have left out part of the definition.
      have = columnSchema.parse(created.body);
    }
    const type = typeOf(have);
    if (type !== want.type) {
      problems.push(
        `${spec.name}.${want.name} is a ${type} column; Countersign needs ${want.type}. Fix it by hand (provisioning never retypes a column that may hold data).`,
      );
      continue;
    }
    const indexing = await ensureIndexing(gateway, `${columnsUrl}/${encodeURIComponent(have.id)}`, {
      list: spec.name,
      want,
      have,
    });
    changes.push(...indexing.changes);
    problems.push(...indexing.problems);
  }
  return { changes, problems };
}

/**
 * Turns on a column's index and unique values, then reads the column back: what it says decides.
 * "Update columnDefinition" (https://learn.microsoft.com/en-us/graph/api/columndefinition-update)
 * documents both properties but not whether SharePoint applies them together, and unique values
 * need an index. So: one PATCH with both when both are missing; if SharePoint refuses it (400) or
 * answers 200 without applying both, one PATCH per property still missing, the index first; then
 * a read of the column. Anything still missing is a problem reported, never a silent success.
 */
async function ensureIndexing(
  gateway: GraphGateway,
  columnUrl: string,
  target: { list: string; want: ColumnSpec; have: ExistingColumn },
): Promise<{ changes: ProvisionChange[]; problems: string[] }> {
  const { list, want, have } = target;
  const missing = (c: ExistingColumn) => ({
    index: (want.indexed === true || want.unique === true) && c.indexed !== true,
    unique: want.unique === true && c.enforceUniqueValues !== true,
  });
  const before = missing(have);
  if (!before.index && !before.unique) return { changes: [], problems: [] };
  const what = `Index column ${list}.${want.name}`;
  const readBack = async (): Promise<ExistingColumn> =>
    columnSchema.parse(
      (
        await gateway.call(
          { method: 'GET', url: withQuery(columnUrl, { $select: COLUMN_SELECT }) },
          what,
        )
      ).body,
    );
  let now = before;
  if (before.index && before.unique) {
    const reply = await gateway.exchange({
      method: 'PATCH',
      url: columnUrl,
      body: { indexed: true, enforceUniqueValues: true },
    });
    // A 400 is SharePoint declining the two together: the steps below do them one at a time.
    if (reply.status !== 400) ensureOk(reply, what);
    now = missing(await readBack());
  }
  if (now.index || now.unique) {
    if (now.index) {
      await gateway.call({ method: 'PATCH', url: columnUrl, body: { indexed: true } }, what);
    }
    if (now.unique) {
      await gateway.call(
        { method: 'PATCH', url: columnUrl, body: { enforceUniqueValues: true } },
        `Make ${list}.${want.name} enforce unique values`,
      );
    }
    now = missing(await readBack());
  }
  const changes: ProvisionChange[] = [];
  const problems: string[] = [];
  if (before.index && !now.index) changes.push({ list, action: 'index-column', column: want.name });
  if (before.unique && !now.unique) {
    changes.push({ list, action: 'enforce-unique', column: want.name });
  }
  if (now.index)
    problems.push(`${list}.${want.name} is still not indexed after provisioning indexed it.`);
  if (now.unique) {
    problems.push(
      `${list}.${want.name} still does not enforce unique values after provisioning set it.`,
    );
  }
  return { changes, problems };
}

/** One line per change, for people. */
export function describeChange(change: ProvisionChange): string {
  switch (change.action) {
    case 'create-list':
      return `created list ${change.list}`;
    case 'create-library':
      return `created document library ${change.list}`;
    case 'create-column':
      return `added column ${change.list}.${change.column ?? ''}`;
    case 'index-column':
      return `indexed column ${change.list}.${change.column ?? ''}`;
    case 'enforce-unique':
      return `made ${change.list}.${change.column ?? ''} enforce unique values`;
  }
}
