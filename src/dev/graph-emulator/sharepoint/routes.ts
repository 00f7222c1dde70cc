import {
  GraphHttpError,
  type EmulatedRequest,
  type EmulatedResponse,
  type Handled,
} from '../emulated-http.ts';
import { createColumn, deleteColumn, getColumn, listColumns, updateColumn } from './columns.ts';
import { listItems } from './item-query.ts';
import {
  createItem,
  deleteItem,
  getItem,
  getItemFields,
  parseItemId,
  updateItem,
  updateItemFields,
} from './items.ts';
import { getListDrive } from './drives.ts';
import { createList, deleteList, findList, getList, listLists } from './lists.ts';
import type { GrantNeed, ListRow, SharePointStore, SiteRow } from './sharepoint-store.ts';
import { findSite, getSite } from './sites.ts';

/**
 * Every SharePoint request the emulator serves, in one table: a path pattern, and for each
 * method the handler and what it costs in resource units (1 for a single-item read, 2 for a
 * multi-item read or any write). `handleSharePoint` walks a request's segments through it.
 */
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface Operation {
  resourceUnits: 1 | 2;
  /** What the app's site grant must allow (see SiteGrant). */
  needs: GrantNeed;
  run: (store: SharePointStore, at: RouteTarget) => EmulatedResponse;
}

interface SharePointRoute {
  /** Segments starting with ":" are parameters (one whole segment each). */
  path: string;
  methods: Partial<Record<Method, Operation>>;
}

const read = (run: Operation['run']): Operation => ({ resourceUnits: 1, needs: 'read', run });
const readMany = (run: Operation['run']): Operation => ({ resourceUnits: 2, needs: 'read', run });
const write = (run: Operation['run']): Operation => ({ resourceUnits: 2, needs: 'write', run });
/** Creating or changing lists and columns: more than a write grant allows. */
const manage = (run: Operation['run']): Operation => ({ resourceUnits: 2, needs: 'manage', run });

const SHAREPOINT_ROUTES: readonly SharePointRoute[] = [
  { path: 'sites/:site', methods: { GET: read(getSite) } },
  { path: 'sites/:site/lists', methods: { GET: readMany(listLists), POST: manage(createList) } },
  { path: 'sites/:site/lists/:list', methods: { GET: read(getList), DELETE: manage(deleteList) } },
  { path: 'sites/:site/lists/:list/drive', methods: { GET: read(getListDrive) } },
  {
    path: 'sites/:site/lists/:list/columns',
    methods: { GET: readMany(listColumns), POST: manage(createColumn) },
  },
  {
    path: 'sites/:site/lists/:list/columns/:column',
    methods: { GET: read(getColumn), PATCH: manage(updateColumn), DELETE: manage(deleteColumn) },
  },
  {
    path: 'sites/:site/lists/:list/items',
    methods: { GET: readMany(listItems), POST: write(createItem) },
  },
  {
    path: 'sites/:site/lists/:list/items/:item',
    methods: { GET: read(getItem), PATCH: write(updateItem), DELETE: write(deleteItem) },
  },
  {
    path: 'sites/:site/lists/:list/items/:item/fields',
    methods: { GET: read(getItemFields), PATCH: write(updateItemFields) },
  },
];

type Param = keyof RouteParams;

interface RouteParams {
  site: SiteRow;
  list: ListRow;
  /** The column's id or name, as given: its handler looks it up. */
  column: string;
  item: number;
}

/** What a request's path names, resolved while walking it (so a missing site is a 404 first). */
export class RouteTarget {
  readonly request: EmulatedRequest;
  readonly #params: Partial<RouteParams> = {};

  constructor(request: EmulatedRequest) {
    this.request = request;
  }

  get site(): SiteRow {
    return this.#param('site');
  }
  get list(): ListRow {
    return this.#param('list');
  }
  get column(): string {
    return this.#param('column');
  }
  get item(): number {
    return this.#param('item');
  }

  /** Resolves one parameter segment: a site or list must exist, an item id must be a number. */
  resolve(store: SharePointStore, param: Param, segment: string): void {
    switch (param) {
      case 'site':
        this.#params.site = findSite(store, segment);
        return;
      case 'list':
        this.#params.list = findList(store, this.site, segment);
        return;
      case 'column':
        this.#params.column = segment;
        return;
      case 'item':
        this.#params.item = parseItemId(segment);
        return;
    }
  }

  #param<K extends Param>(name: K): RouteParams[K] {
    const value = this.#params[name];
    if (value === undefined) throw new Error(`This route has no :${name}.`);
    return value;
  }
}

const PARAMS: ReadonlySet<string> = new Set<Param>(['site', 'list', 'column', 'item']);

/** Each route's segments: a string for a literal, `{ param }` for a parameter. */
const COMPILED = SHAREPOINT_ROUTES.map((route) => ({
  segments: route.path.split('/').map((segment): string | { param: Param } => {
    if (!segment.startsWith(':')) return segment;
    const name = segment.slice(1);
    if (!PARAMS.has(name)) throw new Error(`Unknown route parameter ${segment} in ${route.path}`);
    return { param: name as Param };
  }),
  methods: route.methods,
}));

function methodNotAllowed(): never {
  throw new GraphHttpError(
    405,
    'BadRequest',
    'Specified HTTP method is not allowed for the request target.',
  );
}

/**
 * Serves a `sites/...` request: walks its segments through the table, resolving each parameter
 * as it is reached. A segment no route continues with is a 400 naming it, as Graph answers; a
 * path that ends on a route without the request's method is a 405.
 */
export function handleSharePoint(store: SharePointStore, request: EmulatedRequest): Handled {
  const { segments } = request;
  if (segments.length === 1) {
    throw new GraphHttpError(400, 'invalidRequest', 'Listing all sites is not supported here.');
  }
  const at = new RouteTarget(request);
  let candidates = COMPILED;
  for (const [index, segment] of segments.entries()) {
    const literal = candidates.filter((route) => route.segments[index] === segment);
    if (literal.length > 0) {
      candidates = literal;
      continue;
    }
    const byParam = candidates.filter((route) => typeof route.segments[index] === 'object');
    const param = byParam[0]?.segments[index];
    if (typeof param !== 'object') {
      throw new GraphHttpError(
        400,
        'BadRequest',
        `Resource not found for the segment '${segment}'.`,
      );
    }
    at.resolve(store, param.param, segment);
    candidates = byParam;
  }
  const route = candidates.find((candidate) => candidate.segments.length === segments.length);
  if (route === undefined) {
    throw new GraphHttpError(400, 'BadRequest', 'Resource not found for the segment.');
  }
  const operation = route.methods[request.method as Method];
  if (operation === undefined) methodNotAllowed();
  store.checkGrant(operation.needs);
  return { response: operation.run(store, at), resourceUnits: operation.resourceUnits };
}
