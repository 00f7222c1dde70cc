import { z } from 'zod';
import { withQuery } from './graph-gateway.ts';
import type { GraphGateway } from './graph-gateway.ts';
import { LIST, SCHEMA, columnDefinition } from './sharepoint-schema.ts';
import type { ColumnSpec, ListKey, ListSpec } from './sharepoint-schema.ts';
import type { SharePointSite } from './sharepoint-site.ts';
import { sameName } from './sharepoint-site.ts';

export type ProvisionAction = 'create-list' | 'create-column' | 'index-column' | 'enforce-unique';

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
  const siteId = await site.siteId();
  const existing = await site.allLists();
  const changes: ProvisionChange[] = [];
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
  for await (const page of gateway.pages(
    withQuery(columnsUrl, {
      $select: 'id,name,indexed,enforceUniqueValues,text,number,boolean',
    }),
  )) {
    for (const entry of page) columns.push(columnSchema.parse(entry));
  }
  const changes: ProvisionChange[] = [];
  const problems: string[] = [];
  for (const want of spec.columns) {
    const have = columns.find((c) => sameName(c.name, want.name));
    if (have === undefined) {
      await gateway.call(
        { method: 'POST', url: columnsUrl, body: columnDefinition(want) },
        `Create column ${spec.name}.${want.name}`,
      );
      changes.push({ list: spec.name, action: 'create-column', column: want.name });
      continue;
    }
    const type = typeOf(have);
    if (type !== want.type) {
      problems.push(
        `${spec.name}.${want.name} is a ${type} column; Countersign needs ${want.type}. Fix it by hand (provisioning never retypes a column that may hold data).`,
      );
      continue;
    }
    const needsIndex = (want.indexed === true || want.unique === true) && have.indexed !== true;
    const needsUnique = want.unique === true && have.enforceUniqueValues !== true;
    if (needsIndex || needsUnique) {
      await gateway.call(
        {
          method: 'PATCH',
          url: `${columnsUrl}/${encodeURIComponent(have.id)}`,
          body: { indexed: true, ...(needsUnique ? { enforceUniqueValues: true } : {}) },
        },
        `Index column ${spec.name}.${want.name}`,
      );
      if (needsIndex) changes.push({ list: spec.name, action: 'index-column', column: want.name });
      if (needsUnique) {
        changes.push({ list: spec.name, action: 'enforce-unique', column: want.name });
      }
    }
  }
  return { changes, problems };
}

/** One line per change, for people. */
export function describeChange(change: ProvisionChange): string {
  switch (change.action) {
    case 'create-list':
      return `created list ${change.list}`;
    case 'create-column':
      return `added column ${change.list}.${change.column ?? ''}`;
    case 'index-column':
      return `indexed column ${change.list}.${change.column ?? ''}`;
    case 'enforce-unique':
      return `made ${change.list}.${change.column ?? ''} enforce unique values`;
  }
}
