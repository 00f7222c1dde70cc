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
import type { GraphEmulator, PermissionMode } from '../../src/dev/graph-emulator/graph-emulator.ts';
import { COUNTERSIGN_DEV_APP } from '../../src/dev/graph-emulator/permissions.ts';

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

/**
 * A test's stand-in for a school's identity admin: an app with the directory writes (new
 * starters, leavers, groups) Countersign's registration never asks for. The emulator refuses
 * those writes to Countersign's own token, as Graph would.
 */
export const DIRECTORY_ADMIN_TOKEN = 'test-directory-admin';
export const DIRECTORY_ADMIN_AUTHORIZATION = { Authorization: `Bearer ${DIRECTORY_ADMIN_TOKEN}` };

/** The apps of an emulator that knows Countersign's registration and the directory admin. */
export function withDirectoryAdmin(): PermissionMode['apps'] {
  return {
    [EMULATOR_APP_TOKEN]: COUNTERSIGN_DEV_APP,
    [DIRECTORY_ADMIN_TOKEN]: {
      roles: ['User.ReadWrite.All', 'Group.ReadWrite.All', 'GroupMember.ReadWrite.All'],
    },
  };
}
