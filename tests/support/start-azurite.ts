import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Azurite's well-known development account (public, documented, not a secret). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Which of Azurite's services to start. */
export type AzuriteService = 'table' | 'blob';

export interface RunningAzurite {
  /** A connection string naming only the started service's endpoint. */
  connectionString: string;
  stop(): Promise<void>;
}

// Azurite ships no type declarations: the little of its API used here, by hand.
interface ServerLike {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
}
type ServerClass = new (config: unknown) => ServerLike;
type ConfigurationClass = new (...args: unknown[]) => unknown;

const require = createRequire(import.meta.url);

/** Each service's server and configuration, in memory, on an ephemeral loopback port. */
function serverFor(service: AzuriteService, dir: string): ServerLike {
  switch (service) {
    case 'table': {
      const Server = (require('azurite/dist/src/table/TableServer.js') as { default: ServerClass })
        .default;
      const Configuration = (
        require('azurite/dist/src/table/TableConfiguration.js') as { default: ConfigurationClass }
      ).default;
      return new Server(
        new Configuration(
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
        ),
      );
    }
    case 'blob': {
      const Server = (require('azurite/dist/src/blob/BlobServer.js') as { default: ServerClass })
        .default;
      const Configuration = (
        require('azurite/dist/src/blob/BlobConfiguration.js') as { default: ConfigurationClass }
      ).default;
      return new Server(
        new Configuration(
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
        ),
      );
    }
  }
}

/**
 * Starts one of Azurite's services in this process on an ephemeral loopback port, in memory, with
 * its own temp dir, telemetry off (it is only sent by Azurite's CLI entry, never started).
 */
export async function startAzurite({
  service,
}: {
  service: AzuriteService;
}): Promise<RunningAzurite> {
  const dir = mkdtempSync(join(tmpdir(), `countersign-azurite-${service}-`));
  const server = serverFor(service, dir);
  try {
    await server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const endpoint = service === 'table' ? 'TableEndpoint' : 'BlobEndpoint';
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
      `${endpoint}=${server.getHttpServerAddress()}/${ACCOUNT};`,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
