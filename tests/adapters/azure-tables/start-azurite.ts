import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Azurite's well-known development account (public, documented, not a secret). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  connectionString: string;
  stop(): Promise<void>;
}

// Azurite ships no type declarations: the little of its API used here, by hand.
interface TableServerLike {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
}
type TableServerClass = new (config: unknown) => TableServerLike;
type TableConfigurationClass = new (...args: unknown[]) => unknown;

/**
 * Starts Azurite's Table service in this process on an ephemeral loopback port, in memory,
 * with its own temp dir, telemetry off (it is only sent by Azurite's CLI entry, never started).
 */
export async function startAzurite(): Promise<RunningAzurite> {
  const require = createRequire(import.meta.url);
  const { default: TableServer } = require('azurite/dist/src/table/TableServer.js') as {
    default: TableServerClass;
  };
  const { default: TableConfiguration } =
    require('azurite/dist/src/table/TableConfiguration.js') as {
      default: TableConfigurationClass;
    };
  const dir = mkdtempSync(join(tmpdir(), 'countersign-azurite-'));
  const config = new TableConfiguration(
    '127.0.0.1',
    0, // an ephemeral port
    undefined, // keep-alive timeout: the default
    join(dir, '__azurite_db_table__.json'),
    false, // debug log
    false, // access log
    undefined,
    undefined,
    false, // loose
    true, // skip the API version check (the SDK may be newer than this Azurite)
    '',
    '',
    '',
    undefined,
    false,
    true, // in-memory persistence
  );
  const server = new TableServer(config);
  try {
    await server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const address = server.getHttpServerAddress();
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
      `TableEndpoint=${address}/${ACCOUNT};`,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
