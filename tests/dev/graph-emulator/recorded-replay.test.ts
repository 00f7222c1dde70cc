import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { RECORDED_DIR, recordingSchema, type Recording } from '../../contract/recording.ts';
import { replay } from '../../contract/replay.ts';

/** Every recording in tests/recorded: from a tenant (docs/tenant-check.md) or hand-written. */
const recordings: Recording[] = readdirSync(RECORDED_DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => recordingSchema.parse(JSON.parse(readFileSync(join(RECORDED_DIR, name), 'utf8'))));

let emulator: GraphEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('the Graph emulator answers every recording as the tenant did', () => {
  it('has at least the hand-written recording', () => {
    expect(recordings.map((r) => r.suite)).toContain('hand-written-lists');
  });

  for (const recording of recordings) {
    it(`${recording.suite} (${recording.source}, ${recording.exchanges.length} exchanges)`, async () => {
      emulator = await startGraphEmulator({ seed: 'demo' });
      expect(await replay(recording, emulator.url)).toEqual([]);
    });
  }

  it('fails where the emulator answers differently (the replay is not vacuous)', async () => {
    const original = recordings.find((r) => r.suite === 'hand-written-lists');
    if (original === undefined) throw new Error('the hand-written recording');
    // As if the tenant had taken the unknown field, and named another error for the filter.
    const altered: Recording = {
      ...original,
      exchanges: original.exchanges.map((exchange, i) =>
        i === 3
          ? { ...exchange, status: 201, responseBody: { id: '2' } }
          : i === 4
            ? { ...exchange, responseBody: { error: { code: 'generalException' } } }
            : i === 2
              ? { ...exchange, responseBody: { id: '1', fields: {}, sharepointIds: {} } }
              : exchange,
      ),
    };
    emulator = await startGraphEmulator({ seed: 'demo' });
    const differences = await replay(altered, emulator.url);
    expect(differences).toHaveLength(3);
    expect(differences[0]).toMatch(/^#3 .*no 'sharepointIds' in the answer$/);
    expect(differences[1]).toMatch(/^#4 .*status 400, the tenant answered 201$/);
    expect(differences[2]).toMatch(
      /^#5 .*error invalidRequest, the tenant answered generalException$/,
    );
  });
});
