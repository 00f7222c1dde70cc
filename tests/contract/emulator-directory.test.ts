import { GraphDirectory } from '../../src/adapters/graph/graph-directory.ts';
import { GraphGateway } from '../../src/adapters/graph/graph-gateway.ts';
import { startGraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.ts';
import { demoDirectoryFixture } from './demo-directory-fixture.ts';
import { directoryContract } from './directory.contract.ts';

directoryContract('Entra ID in the Graph emulator (demo school)', async () => {
  const emulator = await startGraphEmulator({ seed: 'demo' });
  return {
    directory: new GraphDirectory(new GraphGateway({ baseUrl: emulator.url })),
    fixture: demoDirectoryFixture(),
    close: () => emulator.close(),
  };
});
