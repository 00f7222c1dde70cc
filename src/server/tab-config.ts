import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the tab needs to know at run time, served as /config.json so one build runs in every
 * deployment: dev mode (user switcher and the dev identity provider) or a tenant (NAA with the
 * app registration's client id and the API scope).
 */
export type TabConfig =
  | { mode: 'dev' }
  | {
      mode: 'production';
      clientId: string;
      apiScope: string;
      tenantId: string;
      teamsAppId?: string;
    };

/**
 * @param timeZone the school's IANA zone, asked at each request (the school's settings can change
 * it while the service runs): the tab shows dates and deadlines in it.
 */
export function tabConfigHandler(config: TabConfig, timeZone: () => string) {
  return (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/config.json') {
      return Promise.resolve(false);
    }
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-cache',
    });
    res.end(JSON.stringify({ ...config, timeZone: timeZone() }));
    return Promise.resolve(true);
  };
}
