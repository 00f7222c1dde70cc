import type { DirectoryEmulator } from './directory.ts';
import { refusal, type EmulatedApp } from './permissions.ts';
import { graphError, GraphHttpError, type EmulatedRequest, type Handled } from './emulated-http.ts';
import type { SharePointEmulator } from './sharepoint.ts';
import type { TeamworkEmulator } from './teamwork.ts';

/** Splits `sites/host:/sites/x:/lists/...` (site by path) and ordinary paths into segments. */
export function pathSegments(path: string, sharepoint: SharePointEmulator): string[] {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  const byPath = /^sites\/([^/,]+):(\/[^:]*?)?(?::(\/.*)?)?$/.exec(trimmed);
  if (byPath !== null) {
    const hostname = byPath[1] ?? '';
    const sitePath = decodeURIComponent(byPath[2] ?? '/');
    const siteId = sharepoint.findSiteIdByPath(hostname, sitePath);
    if (siteId === undefined) {
      throw new GraphHttpError(404, 'itemNotFound', 'Requested site could not be found');
    }
    const rest = (byPath[3] ?? '').split('/').filter((segment) => segment !== '');
    return ['sites', siteId, ...rest.map((segment) => decodeURIComponent(segment))];
  }
  return trimmed
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeURIComponent(segment));
}

/** Dispatches one (outer or batched) request to the part of Graph that serves it. */
export class GraphRouter {
  private readonly sharepoint: SharePointEmulator;
  private readonly directory: DirectoryEmulator;
  private readonly teamwork: TeamworkEmulator;
  /**
   * The app making the current outer request, in the permission mode: each request it makes
   * (a `$batch`'s too) is checked against its roles. Requests are handled one at a time.
   */
  app: EmulatedApp | undefined = undefined;

  constructor(
    sharepoint: SharePointEmulator,
    directory: DirectoryEmulator,
    teamwork: TeamworkEmulator,
  ) {
    this.sharepoint = sharepoint;
    this.directory = directory;
    this.teamwork = teamwork;
  }

  /** True for requests SharePoint serves (they cost resource units). */
  static isSharePoint(path: string): boolean {
    return /^\/*(sites|drives)(\/|$)/.test(path);
  }

  /** Routes a request given its path relative to `/v1.0/` (already split from the query). */
  routePath(
    method: string,
    path: string,
    query: URLSearchParams,
    headers: Record<string, string>,
    body: unknown,
    raw?: Buffer,
  ): Handled {
    let segments: string[];
    try {
      segments = pathSegments(path, this.sharepoint);
    } catch (error) {
      if (error instanceof GraphHttpError) return { response: error.response, resourceUnits: 0 };
      throw error;
    }
    return this.route({ method, segments, query, headers, body, ...(raw ? { raw } : {}) });
  }

  route(request: EmulatedRequest): Handled {
    const refused =
      this.app === undefined
        ? undefined
        : refusal(this.app, request.method, request.segments, request.body);
    if (refused !== undefined) return { response: refused, resourceUnits: 0 };
    try {
      return this.dispatch(request);
    } catch (error) {
      if (error instanceof GraphHttpError) {
        return {
          response: error.response,
          resourceUnits:
            request.segments[0] === 'sites' || request.segments[0] === 'drives' ? 1 : 0,
        };
      }
      const message = error instanceof Error ? error.message : String(error);
      return { response: graphError(500, 'generalException', message), resourceUnits: 0 };
    }
  }

  private dispatch(request: EmulatedRequest): Handled {
    const [root, , third] = request.segments;
    switch (root ?? '') {
      case 'sites':
        return this.sharepoint.handle(request);
      case 'drives':
        return this.sharepoint.handleDrives(request);
      case 'users':
        if (third === 'teamwork') {
          return { response: this.teamwork.handleUserTeamwork(request), resourceUnits: 0 };
        }
        return { response: this.directory.handle(request), resourceUnits: 0 };
      case 'groups':
        return { response: this.directory.handle(request), resourceUnits: 0 };
      case 'appCatalogs':
        return { response: this.teamwork.handleCatalog(request), resourceUnits: 0 };
      default:
        throw new GraphHttpError(
          400,
          'BadRequest',
          `Resource not found for the segment '${root ?? ''}'.`,
        );
    }
  }
}
