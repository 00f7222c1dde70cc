import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The hosts that may frame the tab, exactly the table in "Prerequisites" of Teams' "Tab
 * requirements" (learn.microsoft.com/microsoftteams/platform/tabs/how-to/tab-requirements):
 * all hosts *.cloud.microsoft; Teams teams.microsoft.com, *.teams.microsoft.com; the Microsoft
 * 365 app *.microsoft365.com, *.office.com; Outlook outlook.office.com, outlook.office365.com,
 * outlook-sdf.office.com, outlook-sdf.office365.com.
 */
export const FRAME_ANCESTORS = [
  'https://*.cloud.microsoft',
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.microsoft365.com',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook-sdf.office.com',
  'https://outlook-sdf.office365.com',
] as const;

/**
 * Teams loads the tab in a frame: only Teams, Outlook and the Microsoft 365 app may frame it.
 * Scripts come from this origin only (no inline script), which also blocks script smuggled into
 * a policy's text.
 */
export const TAB_SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self' https://login.microsoftonline.com",
    `frame-ancestors 'self' ${FRAME_ANCESTORS.join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
};

async function fileAt(path: string): Promise<{ path: string; size: number } | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? { path, size: info.size } : null;
  } catch (error) {
    // ENOTDIR: a path through a file (/index.html/x); ENAMETOOLONG: an absurd path. Neither
    // names a file, so a 404 rather than a 500.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return null;
    throw error;
  }
}

function notFound(res: ServerResponse): true {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
  return true;
}

/**
 * The decoded path, or null when there can be no file by that name: malformed percent-encoding
 * (/%ff, /%E0%A4%A) or a NUL byte (/%00), which fs refuses with a TypeError rather than ENOENT.
 */
function decodedPath(req: IncomingMessage): string | null {
  try {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    return pathname.includes('\0') ? null : pathname;
  } catch {
    return null;
  }
}

/**
 * Serves the built tab from `root`. Unknown paths without an extension get index.html (the
 * tab's views are client-side routes); a path that escapes the root, cannot be decoded or
 * holds a NUL byte is a 404.
 */
export function createStaticHandler(root: string) {
  const base = normalize(root.endsWith(sep) ? root : root + sep);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = decodedPath(req);
    if (pathname === null) return notFound(res);
    const target = normalize(join(base, pathname));
    if (!target.startsWith(base) && target !== base.slice(0, -1)) return notFound(res);
    let file = await fileAt(target);
    if (!file && extname(pathname) === '') file = await fileAt(join(base, 'index.html'));
    if (!file && pathname === '/') file = await fileAt(join(base, 'index.html'));
    if (!file) return false;
    const type = TYPES[extname(file.path)] ?? 'application/octet-stream';
    const hashed = file.path.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': String(file.size),
      // Vite puts content hashes in asset names: cache them for a year, never index.html.
      'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(type.startsWith('text/html')
        ? TAB_SECURITY_HEADERS
        : { 'X-Content-Type-Options': 'nosniff' }),
    });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(file.path);
      stream.on('error', reject);
      res.on('close', resolve);
      stream.pipe(res);
    });
    return true;
  };
}
