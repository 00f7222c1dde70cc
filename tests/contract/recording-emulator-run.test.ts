import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMULATOR_APP_TOKEN } from '../../src/adapters/graph/emulator-app-token.ts';
import { GraphDirectory } from '../../src/adapters/graph/graph-directory.ts';
import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../src/adapters/graph/sharepoint-record-store.ts';
import { ConnectorMessenger } from '../../src/adapters/teams-connector/connector-messenger.ts';
import { startConnectorEmulator } from '../../src/dev/connector-emulator/connector-emulator.ts';
import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import { startGraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.ts';
import { emulatorGateway } from '../support/emulator-graph.ts';
import { demoDirectoryFixture } from './demo-directory-fixture.ts';
import { directoryContract } from './directory.contract.ts';
import { messengerContract } from './messenger.contract.ts';
import { recordStoreContract } from './record-store.contract.ts';
import { recordingFetch, recordingSchema } from './recording.ts';
import { replay, seedRecordedDirectory } from './replay.ts';

/**
 * The recorder itself, as a tenant run uses it: three contract suites run against the emulators
 * with recording on (into a temporary folder, never tests/recorded), then the files they wrote
 * are searched for everything identifying that went over the wire, kept here unsanitised:
 * bearer tokens, GUIDs, e-mail addresses, Teams user and conversation ids, people's names. The
 * record store's recording is then replayed against a fresh emulator: a real recording (a few
 * hundred exchanges, `$batch`es, eTags from listings) must replay clean where nothing differs.
 */

const dir = mkdtempSync(join(tmpdir(), 'countersign-recorded-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** What went over the wire, as sent and answered, for the search afterwards. */
const wire: string[] = [];
const BOT_TOKEN = `bot-token-${randomUUID()}`;
const wiretap: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  wire.push(input instanceof Request ? input.url : input.toString());
  if (typeof init?.body === 'string') wire.push(init.body);
  wire.push(JSON.stringify(Object.fromEntries(new Headers(init?.headers))));
  wire.push(await response.clone().text());
  return response;
};

type Recorder = ReturnType<typeof recordingFetch>;
const recorders: Recorder[] = [];

const SITE = `${DEMO_SCHOOL.sharePointHostname}:${DEMO_SCHOOL.sitePath}`;

recordStoreContract('SharePoint lists in the Graph emulator, recorded', async () => {
  const emulator = await startGraphEmulator({ seed: 'demo' });
  const recorder = recordingFetch(wiretap, {
    suite: 'record-store',
    sitePath: SITE,
    graphBaseUrl: emulator.url,
  });
  recorders.push(recorder);
  const gateway = emulatorGateway(emulator, { fetch: recorder.fetch });
  // By path, as a tenant run names its site (COUNTERSIGN_TEST_SITE).
  const store = new SharePointRecordStore({ gateway, site: SITE, pageSize: 10 });
  await provisionSite(gateway, store.site);
  return { store, pagingRows: 25, close: () => emulator.close() };
});

directoryContract('Entra ID in the Graph emulator, recorded', async () => {
  const emulator = await startGraphEmulator({ seed: 'demo' });
  const recorder = recordingFetch(wiretap, {
    suite: 'directory',
    sitePath: SITE,
    graphBaseUrl: emulator.url,
  });
  recorders.push(recorder);
  return {
    directory: new GraphDirectory(emulatorGateway(emulator, { fetch: recorder.fetch })),
    fixture: demoDirectoryFixture(),
    close: () => emulator.close(),
  };
});

messengerContract('the connector emulator (strict), recorded', async () => {
  const tenantId = randomUUID();
  const emulator = await startConnectorEmulator({ tenantId, strict: true });
  const userWithoutApp = randomUUID();
  emulator.uninstallApp([userWithoutApp]);
  const recorder = recordingFetch(wiretap, {
    suite: 'messenger',
    sitePath: '',
    graphBaseUrl: 'https://graph.microsoft.com/v1.0',
    connectorUrl: emulator.url,
  });
  recorders.push(recorder);
  return {
    messenger: new ConnectorMessenger({
      serviceUrl: emulator.url,
      tenantId,
      botId: randomUUID(),
      getToken: () => Promise.resolve(BOT_TOKEN),
      installApp: (userId) => {
        emulator.installApp(userId);
        return Promise.resolve();
      },
      fetch: recorder.fetch,
    }),
    userId: randomUUID(),
    userWithoutApp,
    answerNext: (status) => {
      emulator.failNext(1, status);
    },
    close: () => emulator.close(),
  };
});

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g;

describe('the recordings those runs wrote are sanitised', () => {
  it('each suite wrote tests/recorded/<suite>/tenant.json, readable as a recording', () => {
    const files = recorders.map((r) => r.save(dir));
    expect(files.map((f) => f.slice(dir.length))).toEqual([
      '/record-store/tenant.json',
      '/directory/tenant.json',
      '/messenger/tenant.json',
    ]);
    for (const file of files) {
      const recording = recordingSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
      expect(recording.exchanges.length).toBeGreaterThan(5);
    }
    const messenger = recordingSchema.parse(JSON.parse(readFileSync(files[2] ?? '', 'utf8')));
    expect(messenger.exchanges.every((e) => e.service === 'connector')).toBe(true);
  });

  it('holds no token, no GUID, e-mail address, Teams id or name that went over the wire', () => {
    const written = recorders.map((r) => JSON.stringify(r.exchanges)).join('\n');
    const sent = wire.join('\n');
    // The search is only as good as what was there to find.
    expect(sent).toContain(`Bearer ${EMULATOR_APP_TOKEN}`);
    expect(sent).toContain(`Bearer ${BOT_TOKEN}`);
    const guids = new Set(
      [...sent.matchAll(GUID)]
        .map((m) => m[0].toLowerCase())
        .filter((g) => !g.startsWith('00000000-0000-4000-8000-')),
    );
    const emails = new Set([...sent.matchAll(EMAIL)].map((m) => m[0].toLowerCase()));
    // A Teams id starts a token: a random policy key ending in 29 ("ct-3ef8a529:v2") is not one.
    const mris = new Set(
      [...sent.matchAll(/(?<![A-Za-z0-9])29:[A-Za-z0-9_\-.]+/g)].map((m) => m[0]),
    );
    const names = [
      ...DEMO_SCHOOL.users.map((u) => u.displayName),
      ...Object.values(DEMO_SCHOOL.groups).map((g) => g.displayName),
    ].filter((n) => sent.includes(n));
    // The group picker's search words (a group's name, in the path) went over the wire too.
    const searched = [...sent.matchAll(/\$search=%22displayName%3A([^%&]+)/g)].map((m) =>
      decodeURIComponent(m[1] ?? ''),
    );
    expect(searched.length).toBeGreaterThan(0);
    for (const words of searched) expect(written).not.toContain(`displayName:${words}"`);
    expect(guids.size).toBeGreaterThan(20);
    expect(emails.size).toBeGreaterThan(5);
    expect(mris.size).toBeGreaterThan(0);
    expect(names.length).toBeGreaterThan(5);

    expect(written).not.toMatch(/bearer/i);
    expect(written).not.toContain(EMULATOR_APP_TOKEN);
    expect(written).not.toContain(BOT_TOKEN);
    const lower = written.toLowerCase();
    for (const guid of guids) expect(lower).not.toContain(guid);
    for (const email of emails) expect(lower).not.toContain(email);
    for (const mri of mris) expect(written).not.toContain(mri);
    for (const name of names) expect(written).not.toContain(name);
    // What is left in their place is the stand-ins, each kind in its own form.
    for (const [guid] of written.matchAll(GUID)) expect(guid).toMatch(/^00000000-0000-4000-8000-/);
    for (const [email] of written.matchAll(EMAIL)) expect(email).toMatch(/@example\.invalid$/);
    expect(written).toMatch(/29:user-\d+/);
    expect(written).toMatch(/a:conversation-\d+|conversations\//);
  });

  it("the directory's recording replays clean against a fresh emulator seeded from it", async () => {
    const recorded = recorders[1];
    if (recorded === undefined) throw new Error('no directory recording');
    const recording = {
      suite: 'directory',
      source: 'tenant' as const,
      recordedAt: '',
      exchanges: recorded.exchanges,
    };
    const emulator = await startGraphEmulator({ seed: 'none' });
    try {
      // Unseeded, the fixture's people and groups (stand-in ids) are not there: 404s.
      expect((await replay(recording, { graphBaseUrl: emulator.url })).length).toBeGreaterThan(0);
      seedRecordedDirectory(emulator.setup, recording);
      expect(await replay(recording, { graphBaseUrl: emulator.url })).toEqual([]);
    } finally {
      await emulator.close();
    }
  });

  it("the record store's recording replays clean against a fresh Graph emulator", async () => {
    const recorded = recorders[0];
    if (recorded === undefined) throw new Error('no record-store recording');
    expect(recorded.exchanges.length).toBeGreaterThan(200);
    expect(recorded.exchanges.some((e) => e.path === '$batch')).toBe(true);
    const emulator = await startGraphEmulator({ seed: 'demo' });
    try {
      const recording = {
        suite: 'record-store',
        source: 'tenant' as const,
        recordedAt: '',
        exchanges: recorded.exchanges,
      };
      expect(await replay(recording, { graphBaseUrl: emulator.url })).toEqual([]);
    } finally {
      await emulator.close();
    }
  }, 120_000);
});
