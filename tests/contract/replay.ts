import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import type { EmulatorSetup } from '../../src/dev/graph-emulator/graph-emulator.ts';
import {
  RECORDED_SITE_HOST,
  RECORDED_SITE_PATH,
  type RecordedExchange,
  type Recording,
} from './recording.ts';
import { EMULATOR_AUTHORIZATION } from '../support/emulator-graph.ts';

/** The emulators a recording is replayed against. */
export interface ReplayTargets {
  /** The Graph emulator's …/v1.0 base URL. */
  graphBaseUrl: string;
  /** The connector emulator's base URL, for recordings with Bot Connector exchanges. */
  connectorUrl?: string;
  /**
   * Sets whether a person has the app before a create-conversation for them: installed where
   * the tenant answered with a conversation, not where it refused (the emulator's state resolved
   * to the recording's).
   */
  appFor?: (userId: string, installed: boolean) => void;
}

/**
 * Replays a recording (recording.ts) against the emulators, in order, and lists every place an
 * emulator answers differently: another status, another error code, a top-level property of the
 * recorded answer missing, or one of another type (string, number, boolean, null, array or
 * object). Ids and eTags the tenant gave are matched to those the emulator gives in the same
 * answer, and put in place of them in later requests.
 */
export async function replay(recording: Recording, targets: ReplayTargets): Promise<string[]> {
  const ids = new Map<string, string>();
  const differences: string[] = [];
  const substitute = (text: string): string => {
    let out = text;
    // Longest first, so a site id is replaced whole before any id inside it.
    for (const [recorded, emulated] of [...ids].sort((a, b) => b[0].length - a[0].length)) {
      out = out.split(recorded).join(emulated);
    }
    return out
      .split(RECORDED_SITE_PATH)
      .join(DEMO_SCHOOL.sitePath)
      .split(RECORDED_SITE_HOST)
      .join(DEMO_SCHOOL.sharePointHostname);
  };
  for (const [index, exchange] of recording.exchanges.entries()) {
    const where = `#${index + 1} ${exchange.method} ${exchange.path}`;
    const connector = exchange.service === 'connector';
    if (connector && targets.connectorUrl === undefined) {
      differences.push(`${where}: no connector emulator to replay a Bot Connector exchange`);
      continue;
    }
    const body =
      exchange.requestBody === undefined
        ? undefined
        : substitute(JSON.stringify(exchange.requestBody));
    if (connector && exchange.method === 'POST' && exchange.path === 'v3/conversations') {
      const member = memberOf(body);
      if (member !== undefined) targets.appFor?.(member, exchange.status < 300);
    }
    const base = connector
      ? (targets.connectorUrl ?? '').replace(/\/+$/, '')
      : targets.graphBaseUrl;
    const response = await fetch(`${base}/${substitute(exchange.path)}`, {
      method: exchange.method,
      // Recordings keep no token: the emulators are called as Countersign's app and bot.
      headers: {
        ...(connector ? { Authorization: 'Bearer replay-bot-token' } : EMULATOR_AUTHORIZATION),
        ...Object.fromEntries(
          Object.entries(exchange.requestHeaders ?? {}).map(([k, v]) => [k, substitute(v)]),
        ),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    const answered = parse(text);
    if (response.status !== exchange.status) {
      differences.push(
        `${where}: status ${response.status}, the tenant answered ${exchange.status}`,
      );
      continue;
    }
    differences.push(...compare(where, exchange, answered));
    learnIds(exchange.responseBody, answered, ids);
  }
  return differences;
}

function compare(where: string, exchange: RecordedExchange, answered: unknown): string[] {
  const recorded = exchange.responseBody;
  if (!isObject(recorded) || !isObject(answered)) return [];
  if (exchange.status >= 400) {
    const want = errorCode(recorded);
    const got = errorCode(answered);
    return want === got ? [] : [`${where}: error ${got}, the tenant answered ${want}`];
  }
  const differences: string[] = [];
  for (const [key, value] of Object.entries(recorded)) {
    if (key.startsWith('@odata')) continue;
    if (!(key in answered)) {
      differences.push(`${where}: no '${key}' in the answer`);
    } else if (kind(answered[key]) !== kind(value)) {
      differences.push(
        `${where}: '${key}' is ${kind(answered[key])}, the tenant answered ${kind(value)}`,
      );
    }
  }
  return differences;
}

/**
 * The ids and eTags an answer gave, recorded against emulated, for later requests: at the top,
 * and inside it (a listing's rows when both hold as many, a `$batch`'s answers paired by their
 * request id, whatever order each service answered them in, an item's `fields`).
 */
function learnIds(recorded: unknown, answered: unknown, ids: Map<string, string>, depth = 0): void {
  if (depth > 4) return;
  if (Array.isArray(recorded) && Array.isArray(answered)) {
    const batch = recorded.every(isBatchAnswer) && answered.every(isBatchAnswer);
    if (batch) {
      for (const want of recorded) {
        const got = answered.find((a) => a['id'] === want['id']);
        if (got !== undefined) learnIds(want['body'], got['body'], ids, depth + 1);
      }
    } else if (recorded.length === answered.length) {
      recorded.forEach((want, i) => {
        learnIds(want, answered[i], ids, depth + 1);
      });
    }
    return;
  }
  if (!isObject(recorded) || !isObject(answered)) return;
  for (const key of ['id', 'eTag', '@odata.etag']) {
    const want = recorded[key];
    const got = answered[key];
    // An id the same on both sides needs no mapping (and mapping a short one, an item's "1",
    // would rewrite every 1 in later requests).
    if (typeof want !== 'string' || typeof got !== 'string' || want === got) continue;
    ids.set(want, got);
    // An eTag travels quoted in a header and inside JSON text: map it bare as well.
    const bare = (e: string): string => e.replace(/^W\//, '').replace(/^"|"$/g, '');
    if (bare(want) !== want) ids.set(bare(want), bare(got));
  }
  for (const key of ['value', 'responses', 'fields']) {
    if (key in recorded && key in answered) {
      learnIds(recorded[key], answered[key], ids, depth + 1);
    }
  }
}

function isBatchAnswer(value: unknown): value is Record<string, unknown> {
  return isObject(value) && typeof value['id'] === 'string' && typeof value['status'] === 'number';
}

function memberOf(body: string | undefined): string | undefined {
  const parsed = parse(body ?? '');
  if (!isObject(parsed) || !Array.isArray(parsed['members'])) return undefined;
  const first: unknown = parsed['members'][0];
  return isObject(first) && typeof first['id'] === 'string' ? first['id'] : undefined;
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorCode(body: Record<string, unknown>): string | undefined {
  const error = body['error'];
  return isObject(error) && typeof error['code'] === 'string' ? error['code'] : undefined;
}

/** Directory objects a recording's answers show, to seed an emulator with before replaying it. */
interface RecordedDirectory {
  users: { id: string; displayName: string; userPrincipalName: string; jobTitle: string | null }[];
  groups: { id: string; displayName: string; memberIds: string[]; memberGroupIds: string[] }[];
}

const STAND_IN_ID = /^00000000-0000-4000-8000-\d{12}$/;

/**
 * The people and groups a recording's directory answers show (a person read by id, a group's
 * members, a person's groups, a search's groups), with the memberships those answers imply. A
 * tenant recording asks for its fixture's people and groups by stand-in ids the demo seed does
 * not hold; seeded from this, the emulator holds them, so the replay compares answers, not seeds.
 */
function recordedDirectory(recording: Recording): RecordedDirectory {
  const users = new Map<string, RecordedDirectory['users'][number]>();
  const groups = new Map<string, RecordedDirectory['groups'][number]>();
  const group = (id: string, displayName?: string): RecordedDirectory['groups'][number] => {
    const found = groups.get(id) ?? {
      id,
      displayName: displayName ?? id,
      memberIds: [],
      memberGroupIds: [],
    };
    if (displayName !== undefined) found.displayName = displayName;
    groups.set(id, found);
    return found;
  };
  const objects = (body: unknown): Record<string, unknown>[] =>
    isObject(body) ? (Array.isArray(body['value']) ? body['value'].filter(isObject) : [body]) : [];
  for (const exchange of recording.exchanges) {
    if (exchange.service === 'connector' || exchange.status !== 200) continue;
    const [resource, owner, relation] = (exchange.path.split('?')[0] ?? '').split('/');
    if (resource !== 'users' && resource !== 'groups') continue;
    for (const object of objects(exchange.responseBody)) {
      const id = object['id'];
      if (typeof id !== 'string' || !STAND_IN_ID.test(id)) continue;
      const name = typeof object['displayName'] === 'string' ? object['displayName'] : id;
      const isUser =
        typeof object['userPrincipalName'] === 'string' ||
        object['@odata.type'] === '#microsoft.graph.user' ||
        (resource === 'users' && relation === undefined);
      if (isUser) {
        // An answer that did not select a property (a members listing without jobTitle) says
        // nothing about it: what an earlier answer showed stays.
        const seen = users.get(id);
        users.set(id, {
          id,
          displayName:
            typeof object['displayName'] === 'string' ? name : (seen?.displayName ?? name),
          userPrincipalName:
            typeof object['userPrincipalName'] === 'string'
              ? object['userPrincipalName']
              : (seen?.userPrincipalName ?? `${id}@example.invalid`),
          jobTitle:
            'jobTitle' in object
              ? typeof object['jobTitle'] === 'string'
                ? object['jobTitle']
                : null
              : (seen?.jobTitle ?? null),
        });
      } else {
        group(id, typeof object['displayName'] === 'string' ? name : undefined);
      }
      // Who belongs to whom, as the answer's request says.
      if (owner === undefined || !STAND_IN_ID.test(owner)) continue;
      if (resource === 'groups' && relation?.endsWith('embers')) {
        const parent = group(owner);
        (isUser ? parent.memberIds : parent.memberGroupIds).push(id);
      }
      if (resource === 'users' && relation?.endsWith('emberOf') && !isUser) {
        group(id).memberIds.push(owner);
      }
    }
  }
  // A person the app is installed for (the messenger suite's install through Graph) is named
  // only in the path: the emulator must hold them for the install to be answered as it was.
  for (const exchange of recording.exchanges) {
    if (exchange.service === 'connector') continue;
    const [resource, owner, relation] = (exchange.path.split('?')[0] ?? '').split('/');
    if (resource !== 'users' || relation !== 'teamwork' || owner === undefined) continue;
    if (!STAND_IN_ID.test(owner) || users.has(owner)) continue;
    users.set(owner, {
      id: owner,
      displayName: owner,
      userPrincipalName: `${owner}@example.invalid`,
      jobTitle: null,
    });
  }
  return { users: [...users.values()], groups: [...groups.values()] };
}

/**
 * The Teams apps a recording shows in the tenant's catalog (an answered `appCatalogs/teamsApps`
 * lookup: each app of its `value`, by manifest id, with the catalog id the tenant gave it), and
 * the people it shows the app already installed for (an install the tenant answered 409).
 */
function recordedTeamsApps(recording: Recording): {
  apps: { catalogId: string; externalId: string; displayName?: string }[];
  installedFor: { userId: string; catalogId: string }[];
} {
  const apps = new Map<string, { catalogId: string; externalId: string; displayName?: string }>();
  const installedFor: { userId: string; catalogId: string }[] = [];
  for (const exchange of recording.exchanges) {
    if (exchange.service === 'connector') continue;
    const path = exchange.path.split('?')[0] ?? '';
    if (exchange.method === 'GET' && path === 'appCatalogs/teamsApps' && exchange.status === 200) {
      const body = exchange.responseBody;
      const value = isObject(body) && Array.isArray(body['value']) ? body['value'] : [];
      // The manifest id a `$filter=externalId eq '…'` asked for, when the answer leaves it out.
      const asked = /externalId eq '([^']+)'/.exec(decodeURIComponent(exchange.path))?.[1];
      for (const app of value.filter(isObject)) {
        const catalogId = app['id'];
        const externalId = typeof app['externalId'] === 'string' ? app['externalId'] : asked;
        if (typeof catalogId !== 'string' || externalId === undefined) continue;
        apps.set(catalogId, {
          catalogId,
          externalId,
          ...(typeof app['displayName'] === 'string' ? { displayName: app['displayName'] } : {}),
        });
      }
    }
    const [resource, userId, relation, collection] = path.split('/');
    if (
      exchange.method === 'POST' &&
      resource === 'users' &&
      relation === 'teamwork' &&
      collection === 'installedApps' &&
      exchange.status === 409 &&
      userId !== undefined &&
      isObject(exchange.requestBody)
    ) {
      const bind = exchange.requestBody['teamsApp@odata.bind'];
      const catalogId = typeof bind === 'string' ? bind.split('/').at(-1) : undefined;
      if (catalogId !== undefined) installedFor.push({ userId, catalogId });
    }
  }
  return { apps: [...apps.values()], installedFor };
}

/**
 * Seeds a Graph emulator with the Teams apps a recording shows (recordedTeamsApps): each app the
 * tenant's catalog held is uploaded to the emulator's (whose catalog is empty in its permission
 * mode, as a tenant's is before the package is uploaded), and the app is installed for each
 * person the tenant answered "already installed" (409) for. Without it a tenant's messenger
 * recording replays as differences that are the seed's, not the emulator's: the lookup finds
 * nothing and the install is 404. Call after seedRecordedDirectory (an install needs the person).
 */
export async function seedRecordedTeamsApps(
  setup: Pick<EmulatorSetup, 'publishApp'>,
  graphBaseUrl: string,
  recording: Recording,
): Promise<void> {
  const { apps, installedFor } = recordedTeamsApps(recording);
  const emulatedId = new Map<string, string>();
  for (const app of apps) {
    emulatedId.set(app.catalogId, setup.publishApp(app.externalId, app.displayName));
  }
  for (const { userId, catalogId } of installedFor) {
    const id = emulatedId.get(catalogId);
    if (id === undefined) continue;
    const response = await fetch(
      `${graphBaseUrl}/users/${encodeURIComponent(userId)}/teamwork/installedApps`,
      {
        method: 'POST',
        headers: { ...EMULATOR_AUTHORIZATION, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${id}`,
        }),
      },
    );
    // 409: installed by an earlier exchange's seeding already; anything else is a seeding fault.
    if (response.status !== 201 && response.status !== 409) {
      throw new Error(`seeding the install for ${userId} answered ${String(response.status)}`);
    }
  }
}

/** Seeds a Graph emulator with the directory objects a recording shows (recordedDirectory). */
export function seedRecordedDirectory(
  setup: Pick<EmulatorSetup, 'putUsers' | 'putGroup'>,
  recording: Recording,
): void {
  const { users, groups } = recordedDirectory(recording);
  setup.putUsers(
    users.map((u) => ({
      ...u,
      givenName: '',
      surname: '',
      mail: u.userPrincipalName,
      department: null,
      officeLocation: null,
      accountEnabled: true,
    })),
  );
  // Every group first, then their members (a nested group must exist to be a member).
  for (const g of groups) setup.putGroup({ id: g.id, displayName: g.displayName });
  for (const g of groups) setup.putGroup(g);
}
