import type { LogFields, Logger, LogLevel } from '../../ports/logger.ts';

/**
 * The Logger as JSON lines: one object per entry (`time`, `level`, `msg`, then fields), on
 * stdout by default, which App Service streams and keeps (Log stream, App Service logs). A line
 * is what `jq` and Log Analytics parse without a format to agree on.
 */
export interface JsonLinesLoggerOptions {
  /** Where lines go (default: process.stdout). */
  write?: (line: string) => void;
  /** Entries below this level are dropped (default: info). */
  level?: LogLevel;
  /**
   * Fields of the moment, added to every entry: the request id and operation id of the
   * request being served (the composition root reads them from its request scope).
   */
  context?: () => LogFields;
  now?: () => Date;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** An error as data: its name, message, stack, own fields (a CountersignError's code, details) and cause. */
function errorFields(error: Error, depth: number): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) own[key] = value;
  return {
    name: error.name,
    message: error.message,
    ...own,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(error.cause === undefined || depth > 3
      ? {}
      : {
          cause: error.cause instanceof Error ? errorFields(error.cause, depth + 1) : error.cause,
        }),
  };
}

/** JSON.stringify that writes errors whole, bigints as strings and cycles as "[circular]". */
function serialise(entry: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(entry, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return errorFields(value, 0);
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[circular]';
      seen.add(value);
    }
    return value;
  });
}

export function createJsonLinesLogger(options: JsonLinesLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const threshold = RANK[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const context = options.context ?? (() => ({}));

  const make = (bound: LogFields): Logger => {
    const emit = (level: LogLevel, message: string, fields: LogFields = {}): void => {
      if (RANK[level] < threshold) return;
      let line: string;
      try {
        line = serialise({
          time: now().toISOString(),
          level,
          msg: message,
          ...context(),
          ...bound,
          ...fields,
        });
      } catch (error) {
        // A field JSON cannot hold (a throwing getter): the entry still says what happened.
        line = JSON.stringify({
          time: now().toISOString(),
          level,
          msg: message,
          unserialisable: error instanceof Error ? error.message : String(error),
        });
      }
      write(`${line}\n`);
    };
    return {
      debug: (message, fields) => emit('debug', message, fields),
      info: (message, fields) => emit('info', message, fields),
      warn: (message, fields) => emit('warn', message, fields),
      error: (message, fields) => emit('error', message, fields),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make({});
}
