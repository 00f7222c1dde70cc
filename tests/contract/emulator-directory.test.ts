import { describe, expect, it } from 'vitest';
import { GraphDirectory } from '../../src/adapters/graph/graph-directory.ts';
import { startGraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.ts';
import { demoDirectoryFixture } from './demo-directory-fixture.ts';
import { directoryContract } from './directory.contract.ts';
import { EMULATOR_AUTHORIZATION, emulatorGateway } from '../support/emulator-graph.ts';

directoryContract('Entra ID in the Graph emulator (demo school)', async () => {
  const emulator = await startGraphEmulator({ seed: 'demo' });
  return {
    directory: new GraphDirectory(emulatorGateway(emulator)),
    fixture: demoDirectoryFixture(),
    close: () => emulator.close(),
  };
});

describe('the Graph emulator answers $search on groups as Graph does', () => {
  it('400 Request_UnsupportedQuery without ConsistencyLevel: eventual, 200 with it', async () => {
    const emulator = await startGraphEmulator({ seed: 'demo' });
    try {
      const url = `${emulator.url}/groups?$search=${encodeURIComponent('"displayName:teach"')}`;
      const without = await fetch(url, { headers: EMULATOR_AUTHORIZATION });
      expect(without.status).toBe(400);
      expect(await without.json()).toMatchObject({ error: { code: 'Request_UnsupportedQuery' } });
      const withHeader = await fetch(url, {
        headers: { ...EMULATOR_AUTHORIZATION, ConsistencyLevel: 'eventual' },
      });
      expect(withHeader.status).toBe(200);
      const body = (await withHeader.json()) as { value: { displayName: string }[] };
      expect(body.value.map((g) => g.displayName)).toContain('Teaching Staff');
    } finally {
      await emulator.close();
    }
  });
});
