import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startConnectorEmulator,
  type ConnectorEmulator,
} from '../../../src/dev/connector-emulator/connector-emulator.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { RECORDED_DIR, recordingSchema, type Recording } from '../../contract/recording.ts';
import { replay, seedRecordedDirectory, seedRecordedTeamsApps } from '../../contract/replay.ts';

/**
 * Every recording in tests/recorded/<suite>/: from a tenant (docs/tenant-check.md) or authored
 * from Microsoft's documentation (source 'documentation', naming its pages).
 */
const recordings: { file: string; recording: Recording }[] = readdirSync(RECORDED_DIR, {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) =>
    readdirSync(join(RECORDED_DIR, dir.name))
      .filter((name) => name.endsWith('.json'))
      .map((name) => join(dir.name, name)),
  )
  .map((file) => ({
    file,
    recording: recordingSchema.parse(JSON.parse(readFileSync(join(RECORDED_DIR, file), 'utf8'))),
  }));

let graph: GraphEmulator | undefined;
let connector: ConnectorEmulator | undefined;
afterEach(async () => {
  await graph?.close();
  await connector?.close();
  graph = undefined;
  connector = undefined;
});

/** Both emulators, strict, fresh for each recording. */
async function replayed(
  recording: Recording,
  options: { seedApps?: boolean } = {},
): Promise<string[]> {
  graph = await startGraphEmulator({ seed: 'demo' });
  // The people and groups a tenant's answers show, under their stand-in ids.
  seedRecordedDirectory(graph.setup, recording);
  // The Teams app the tenant's catalog held, and whom it was installed for already.
  if (options.seedApps !== false) await seedRecordedTeamsApps(graph.setup, graph.url, recording);
  const teams = await startConnectorEmulator({ tenantId: randomUUID(), strict: true });
  connector = teams;
  return replay(recording, {
    graphBaseUrl: graph.url,
    connectorUrl: teams.url,
    appFor: (userId, installed) => {
      if (installed) teams.installApp(userId);
      else teams.uninstallApp([userId]);
    },
  });
}

function authored(suite: string): Recording {
  const found = recordings.find(
    (r) => r.recording.suite === suite && r.recording.source === 'documentation',
  );
  if (found === undefined) throw new Error(`no authored recording for ${suite}`);
  return found.recording;
}

describe('the emulators answer every recording as the tenant did', () => {
  it('has one recording authored from the documentation for every contract suite that records', () => {
    const suites = ['record-store', 'provisioning', 'sharepoint-edges', 'directory', 'messenger'];
    for (const suite of suites) expect(authored(suite).documentation?.length).toBeGreaterThan(0);
  });

  for (const { file, recording } of recordings) {
    it(`${file} (${recording.source}, ${recording.exchanges.length} exchanges)`, async () => {
      expect(await replayed(recording)).toEqual([]);
    });
  }

  it('fails where the emulator answers differently (the replay is not vacuous)', async () => {
    const original = authored('record-store');
    // As if the tenant had answered the item with another property, a number for its fields,
    // taken the stale If-Match, and named another error for the unindexed filter.
    const altered: Recording = {
      ...original,
      exchanges: original.exchanges.map((exchange, i) =>
        i === 2
          ? { ...exchange, responseBody: { id: '1', fields: 3, sharepointIds: {} } }
          : i === 4
            ? { ...exchange, status: 200 }
            : i === 5
              ? { ...exchange, responseBody: { error: { code: 'generalException' } } }
              : exchange,
      ),
    };
    const differences = await replayed(altered);
    expect(differences).toEqual([
      expect.stringMatching(/^#3 .*'fields' is object, the tenant answered number$/),
      expect.stringMatching(/^#3 .*no 'sharepointIds' in the answer$/),
      expect.stringMatching(/^#5 .*status 412, the tenant answered 200$/),
      expect.stringMatching(/^#6 .*error invalidRequest, the tenant answered generalException$/),
    ]);
  });

  it("replays a tenant messenger recording's app installs: the recorded catalog and installs are seeded", async () => {
    // Shaped as tenant-messenger.test.ts records it (the stand-ins recording.ts gives): the
    // installer's catalog lookup and install through Graph, then the Bot Connector's calls.
    const manifestId = '00000000-0000-4000-8000-000000000010';
    const catalogId = '00000000-0000-4000-8000-000000000011';
    const install = (userId: string, status: number) => ({
      method: 'POST',
      path: `users/${userId}/teamwork/installedApps`,
      requestBody: {
        'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${catalogId}`,
      },
      status,
    });
    const create = (userId: string) => ({
      service: 'connector' as const,
      method: 'POST',
      path: 'v3/conversations',
      requestBody: {
        bot: { id: '00000000-0000-4000-8000-000000000001' },
        isGroup: false,
        members: [{ id: userId }],
        channelData: { tenant: { id: '00000000-0000-4000-8000-000000000003' } },
        tenantId: '00000000-0000-4000-8000-000000000003',
      },
      status: 201,
      responseBody: { id: `a:conversation-${userId.slice(-1)}` },
    });
    const shaped: Recording = {
      suite: 'messenger',
      source: 'tenant',
      recordedAt: '2026-12-04T00:00:00.000Z',
      exchanges: [
        {
          method: 'GET',
          path: `appCatalogs/teamsApps?$filter=${encodeURIComponent(`externalId eq '${manifestId}'`)}`,
          status: 200,
          responseBody: {
            value: [
              {
                id: catalogId,
                externalId: manifestId,
                displayName: 'Name 1',
                distributionMethod: 'organization',
              },
            ],
          },
        },
        // The test person installed now; a second who had the app already (409).
        install('00000000-0000-4000-8000-000000000002', 201),
        install('00000000-0000-4000-8000-000000000004', 409),
        create('00000000-0000-4000-8000-000000000002'),
        create('00000000-0000-4000-8000-000000000004'),
        {
          service: 'connector',
          method: 'POST',
          path: 'v3/conversations/a:conversation-2/activities',
          requestBody: { type: 'message', text: 'Countersign contract test.' },
          status: 201,
          responseBody: { id: '1700000000001' },
        },
      ],
    };
    expect(await replayed(shaped)).toEqual([]);
    await graph?.close();
    await connector?.close();
    // Unseeded, the emulator's empty catalog (its permission mode) answers for the seed.
    // (The lookup's empty list is not a difference the replay sees: same keys, same types.)
    expect(await replayed(shaped, { seedApps: false })).toEqual([
      expect.stringMatching(/^#2 POST .*installedApps: status 404, the tenant answered 201$/),
      expect.stringMatching(/^#3 POST .*installedApps: status 404, the tenant answered 409$/),
    ]);
  });

  it('holds the connector emulator to a Bot Connector recording too', async () => {
    const original = authored('messenger');
    // As if the tenant had refused the message as too large and answered the lookup without
    // the person's Teams user id.
    const altered: Recording = {
      ...original,
      exchanges: original.exchanges.map((exchange, i) =>
        i === 2
          ? { ...exchange, status: 413 }
          : i === 1
            ? { ...exchange, responseBody: { id: 7, aadObjectId: 'x' } }
            : exchange,
      ),
    };
    expect(await replayed(altered)).toEqual([
      expect.stringMatching(/^#2 GET .*'id' is string, the tenant answered number$/),
      expect.stringMatching(/^#2 GET .*no 'aadObjectId' in the answer$/),
      expect.stringMatching(/^#3 POST .*status 201, the tenant answered 413$/),
      // The activity the tenant never answered has no id to update: the emulator says so.
      expect.stringMatching(/^#4 PUT .*status 404, the tenant answered 200$/),
    ]);
  });
});
