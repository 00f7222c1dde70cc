import { GraphHttpError, queryOption, type EmulatedRequest } from './emulated-http.ts';

/**
 * Paging and projection helpers shared by every collection: opaque `$skiptoken`s (keyset by item
 * id where the order allows it, an offset otherwise), `@odata.nextLink` built from the request's
 * own query, `$select`, and `$expand=name($select=…)`.
 */
export interface SkipToken {
  afterId?: number;
  offset?: number;
}

export function encodeSkipToken(token: SkipToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

export function decodeSkipToken(text: string | undefined): SkipToken | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const { afterId, offset } = parsed as Record<string, unknown>;
      if (typeof afterId === 'number' && Number.isInteger(afterId)) return { afterId };
      if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return { offset };
    }
  } catch {
    // fall through to the documented error
  }
  throw new GraphHttpError(400, 'invalidRequest', 'The $skiptoken is not valid.');
}

/** The same request with a new `$skiptoken`, as an absolute URL. */
export function nextLinkFor(baseUrl: string, request: EmulatedRequest, skipToken: string): string {
  const query = new URLSearchParams();
  for (const [key, value] of request.query) {
    if (key === '$skiptoken' || key === 'skiptoken') continue;
    query.append(key, value);
  }
  query.append('$skiptoken', skipToken);
  const path = request.segments.map((segment) => encodeURIComponent(segment)).join('/');
  return `${baseUrl}/${path}?${query.toString().replace(/%24/g, '$').replace(/%2F/gi, '/').replace(/%2C/gi, ',')}`;
}

export function parseSelect(text: string | undefined): Set<string> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return new Set(
    text
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ''),
  );
}

export interface ExpandOptions {
  select?: string[];
}

/** Parses `$expand=fields($select=A,B),columns` (also `fields(select=A,B)`). */
export function parseExpand(text: string | undefined): Map<string, ExpandOptions> {
  const expanded = new Map<string, ExpandOptions>();
  if (text === undefined || text.trim() === '') return expanded;
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  for (const part of parts) {
    const match = /^\s*([A-Za-z]+)\s*(?:\((.*)\))?\s*$/.exec(part);
    if (match === null) throw new GraphHttpError(400, 'BadRequest', `Invalid $expand '${part}'`);
    const options: ExpandOptions = {};
    for (const option of (match[2] ?? '').split(';')) {
      const optionMatch = /^\s*\$?select\s*=\s*(.*)$/i.exec(option);
      if (optionMatch !== null) {
        options.select = (optionMatch[1] ?? '')
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '');
      }
    }
    expanded.set(
      (match[1] ?? '').toLowerCase() === 'fields' ? 'fields' : (match[1] ?? ''),
      options,
    );
  }
  return expanded;
}

/** `$top` for directory collections: default 100, at most 999 (Graph's documented range). */
export function directoryTop(request: EmulatedRequest): number {
  const text = queryOption(request.query, 'top');
  if (text === undefined) return 100;
  const top = Number(text);
  if (!Number.isInteger(top) || top < 1 || top > 999) {
    throw new GraphHttpError(
      400,
      'Request_BadRequest',
      `Invalid page size specified: '${text}'. Must be between 1 and 999 inclusive.`,
    );
  }
  return top;
}
