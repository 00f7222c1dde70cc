import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import { RECORDED_SITE_HOST, RECORDED_SITE_PATH, type Recording } from './recording.ts';
import { EMULATOR_AUTHORIZATION } from '../support/emulator-graph.ts';

/**
 * Replays a recording (recording.ts) against a Graph emulator, in order, and lists every place
 * the emulator answers differently: another status, another error code, or a property of the
 * recorded answer missing. Ids the tenant gave (a site's, a list's, an item's) are matched to
 * the ids the emulator gives in the same answer, and put in place of them in later requests.
 */
export async function replay(recording: Recording, graphBaseUrl: string): Promise<string[]> {
  const ids = new Map<string, string>();
  const differences: string[] = [];
  const substitute = (text: string): string => {
    let out = text;
    // Longest first, so a site id is replaced whole before any id inside it.
    for (const [recorded, emulated] of [...ids].sort((a, b) => b[0].length - a[0].length)) {
      out = out.split(recorded).join(emulated);
    }
    return out
      .split(RECORDED_SITE_PATH)
      .join(DEMO_SCHOOL.sitePath)
      .split(RECORDED_SITE_HOST)
      .join(DEMO_SCHOOL.sharePointHostname);
  };
  for (const [index, exchange] of recording.exchanges.entries()) {
    const where = `#${index + 1} ${exchange.method} ${exchange.path}`;
    const body =
      exchange.requestBody === undefined
        ? undefined
        : substitute(JSON.stringify(exchange.requestBody));
    const response = await fetch(`${graphBaseUrl}/${substitute(exchange.path)}`, {
      method: exchange.method,
      // Recordings keep no headers (no token); the emulator is called as Countersign's app.
      headers: {
        ...EMULATOR_AUTHORIZATION,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    const answered = (text === '' ? undefined : JSON.parse(text)) as unknown;
    if (response.status !== exchange.status) {
      differences.push(
        `${where}: status ${response.status}, the tenant answered ${exchange.status}`,
      );
      continue;
    }
    const recorded = exchange.responseBody;
    if (!isObject(recorded) || !isObject(answered)) continue;
    if (exchange.status >= 400) {
      const want = errorCode(recorded);
      const got = errorCode(answered);
      if (want !== got) differences.push(`${where}: error ${got}, the tenant answered ${want}`);
      continue;
    }
    for (const key of Object.keys(recorded)) {
      if (key.startsWith('@odata')) continue;
      if (!(key in answered)) differences.push(`${where}: no '${key}' in the answer`);
    }
    const recordedId = recorded['id'];
    const answeredId = answered['id'];
    if (typeof recordedId === 'string' && typeof answeredId === 'string') {
      ids.set(recordedId, answeredId);
    }
  }
  return differences;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorCode(body: Record<string, unknown>): string | undefined {
  const error = body['error'];
  return isObject(error) && typeof error['code'] === 'string' ? error['code'] : undefined;
}
