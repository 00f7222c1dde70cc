import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Azurite's well-known development account (public, documented, not a secret). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzuriteBlob {
  connectionString: string;
  stop(): Promise<void>;
}

// Azurite ships no type declarations: the little of its API used here, by hand.
interface BlobServerLike {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
}
type BlobServerClass = new (config: unknown) => BlobServerLike;
type BlobConfigurationClass = new (...args: unknown[]) => unknown;

/**
 * Starts Azurite's Blob service in this process on an ephemeral loopback port, in memory, as
 * tests/adapters/azure-tables/start-azurite.ts starts its Table service.
 */
export async function startAzuriteBlob(): Promise<RunningAzuriteBlob> {
  const require = createRequire(import.meta.url);
  const { default: BlobServer } = require('azurite/dist/src/blob/BlobServer.js') as {
    default: BlobServerClass;
  };
  const { default: BlobConfiguration } = require('azurite/dist/src/blob/BlobConfiguration.js') as {
    default: BlobConfigurationClass;
  };
  const dir = mkdtempSync(join(tmpdir(), 'countersign-azurite-blob-'));
  const config = new BlobConfiguration(
    '127.0.0.1',
    0, // an ephemeral port
    undefined, // keep-alive timeout: the default
    join(dir, '__azurite_db_blob__.json'),
    join(dir, '__azurite_db_blob_extent__.json'),
    [{ locationId: 'Default', locationPath: join(dir, 'blobs'), maxConcurrency: 1 }],
    false, // access log
    undefined,
    false, // debug log
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
  const server = new BlobServer(config);
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
      `BlobEndpoint=${address}/${ACCOUNT};`,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
