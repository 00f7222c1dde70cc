import {
  createGraphAdapters,
  type GraphAdapters,
  type GraphAdaptersConfig,
} from '../../src/adapters/graph/create-graph-adapters.ts';
import {
  EMULATOR_APP_TOKEN,
  emulatorAppToken,
} from '../../src/adapters/graph/emulator-app-token.ts';
import { GraphGateway, type GraphGatewayOptions } from '../../src/adapters/graph/graph-gateway.ts';
import type { GraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.ts';

/**
 * The Graph client every test builds over the Graph emulator, presenting the emulator's dev app
 * token (Countersign's registration: its roles and a fullcontrol site grant) as the service
 * presents an app-only token to Graph. The emulator answers 401 without it, like Graph.
 */
export function emulatorGateway(
  emulator: Pick<GraphEmulator, 'url'>,
  options: Omit<GraphGatewayOptions, 'baseUrl' | 'accessToken'> = {},
): GraphGateway {
  return new GraphGateway({ ...options, baseUrl: emulator.url, accessToken: emulatorAppToken });
}

/** createGraphAdapters over the emulator's Countersign site, with the dev app token. */
export function emulatorGraphAdapters(
  emulator: Pick<GraphEmulator, 'url' | 'siteId'>,
  config: Omit<GraphAdaptersConfig, 'baseUrl' | 'site' | 'accessToken'> & { site?: string } = {},
): GraphAdapters {
  return createGraphAdapters({
    site: emulator.siteId,
    ...config,
    baseUrl: emulator.url,
    accessToken: emulatorAppToken,
  });
}

/** The dev app token's Authorization header, for tests that call the emulator with fetch. */
export const EMULATOR_AUTHORIZATION = { Authorization: `Bearer ${EMULATOR_APP_TOKEN}` };
