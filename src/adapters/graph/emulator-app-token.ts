/**
 * The token the Graph adapters present to the local Graph emulator instead of an Entra app-only
 * token. The emulator answers as Graph does (no token: 401; a permission short: 403), so the
 * local stack and every test authenticate as an app whose grants it knows: this token stands for
 * Countersign's own registration (src/dev/graph-emulator/permissions.ts, COUNTERSIGN_DEV_APP).
 *
 * It is published, like Azurite's well-known account key, and grants nothing anywhere else: the
 * emulator is the only Graph reached over plain http (production mode refuses any other http
 * Graph, src/config/env.ts), and a real token is never sent over plain http.
 */
export const EMULATOR_APP_TOKEN = 'countersign-emulator-app-token';

/** A token source (GraphGatewayOptions.accessToken) that presents EMULATOR_APP_TOKEN. */
export function emulatorAppToken(): Promise<string> {
  return Promise.resolve(EMULATOR_APP_TOKEN);
}

/** True for a plain-http Graph on this machine: the emulator. */
export function isLocalEmulator(baseUrl: string): boolean {
  const url = new URL(baseUrl);
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}
