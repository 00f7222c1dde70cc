import { describe, expect, it } from 'vitest';
import { createJsonLinesLogger } from '../../../src/adapters/logging/json-lines-logger.ts';
import { CountersignError } from '../../../src/domain/errors.ts';

function capture(options: Parameters<typeof createJsonLinesLogger>[0] = {}) {
  const lines: string[] = [];
  const log = createJsonLinesLogger({
    write: (line) => lines.push(line),
    now: () => new Date('2026-12-03T10:00:00.000Z'),
    ...options,
  });
  const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines, entries };
}

describe('the JSON-lines logger', () => {
  it('writes one JSON object per line: time, level, message, the scope, bound and given fields', () => {
    let requestId: string | undefined = 'req-1';
    const { log, lines, entries } = capture({
      context: () => (requestId === undefined ? {} : { requestId }),
    });
    log.child({ component: 'graph' }).warn('Graph answered with a failure', { status: 503 });
    requestId = undefined;
    log.info('listening on 3978', { port: 3978 });
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    expect(entries()).toEqual([
      {
        time: '2026-12-03T10:00:00.000Z',
        level: 'warn',
        msg: 'Graph answered with a failure',
        requestId: 'req-1',
        component: 'graph',
        status: 503,
      },
      { time: '2026-12-03T10:00:00.000Z', level: 'info', msg: 'listening on 3978', port: 3978 },
    ]);
  });

  it('drops entries below its level (info by default)', () => {
    const { log, entries } = capture();
    log.debug('request answered');
    log.info('kept');
    expect(entries().map((e) => e.msg)).toEqual(['kept']);
    const verbose = capture({ level: 'debug' });
    verbose.log.debug('request answered');
    expect(verbose.entries()).toHaveLength(1);
  });

  it('writes an error whole: name, message, code, details, stack and cause', () => {
    const { log, entries } = capture();
    const cause = new Error('socket hang up');
    log.error('campaign failed', {
      error: new CountersignError(
        'unavailable',
        'Graph did not answer',
        { status: 503 },
        { cause },
      ),
    });
    const error = entries()[0]?.error as Record<string, unknown>;
    expect(error).toMatchObject({
      name: 'CountersignError',
      message: 'Graph did not answer',
      code: 'unavailable',
      details: { status: 503 },
      cause: { name: 'Error', message: 'socket hang up' },
    });
    expect(String(error.stack)).toContain('Graph did not answer');
  });

  it('survives what JSON cannot hold: cycles and bigints', () => {
    const { log, entries } = capture();
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    log.info('odd fields', { cycle, big: 10n });
    expect(entries()[0]).toMatchObject({ cycle: { a: 1, self: '[circular]' }, big: '10' });
  });
});
