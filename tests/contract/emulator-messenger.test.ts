import { randomUUID } from 'node:crypto';
import { ConnectorMessenger } from '../../src/adapters/teams-connector/connector-messenger.ts';
import { startConnectorEmulator } from '../../src/dev/connector-emulator/connector-emulator.ts';
import { messengerContract } from './messenger.contract.ts';

/**
 * The Teams contract suite on the connector emulator, in its strict mode (tenant id required,
 * member ids as Teams documents them, 413 past 100 KB), through the real ConnectorMessenger: the
 * same adapter production sends with, over HTTP.
 */
messengerContract('the connector emulator (strict)', async () => {
  const tenantId = randomUUID();
  const emulator = await startConnectorEmulator({ tenantId, strict: true });
  const userWithoutApp = randomUUID();
  emulator.uninstallApp([userWithoutApp]);
  const messenger = new ConnectorMessenger({
    serviceUrl: emulator.url,
    tenantId,
    botId: randomUUID(),
    getToken: () => Promise.resolve('emulator-token'),
    installApp: (userId) => {
      emulator.installApp(userId);
      return Promise.resolve();
    },
  });
  return {
    messenger,
    userId: randomUUID(),
    userWithoutApp,
    answerNext: (status) => {
      emulator.failNext(1, status);
    },
    close: () => emulator.close(),
  };
});
