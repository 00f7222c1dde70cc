import type { Logger } from '../ports/logger.ts';
import type { BotLogger } from './bot-deps.ts';

/**
 * The Teams SDK's logger (ILogger: variadic console-style calls) over Countersign's Logger, so
 * the SDK and the bot's handlers write the same JSON lines as the rest of the service instead of
 * the SDK's own console output. The first string is the message; errors and other values go in
 * `error` / `data`.
 */
export function teamsSdkLogger(log: Logger, name = 'teams-sdk'): BotLogger {
  const entry = (parts: unknown[]): [string, Record<string, unknown>] => {
    const [first, ...rest] = parts;
    const message = typeof first === 'string' ? first : '';
    const values = typeof first === 'string' ? rest : parts;
    const error = values.find((v) => v instanceof Error);
    const data = values.filter((v) => v !== error);
    return [
      message,
      {
        ...(error === undefined ? {} : { error }),
        ...(data.length === 0 ? {} : { data: data.length === 1 ? data[0] : data }),
      },
    ];
  };
  const scoped = log.child({ logger: name });
  const sdk: BotLogger = {
    debug: (...parts: unknown[]) => scoped.debug(...entry(parts)),
    info: (...parts: unknown[]) => scoped.info(...entry(parts)),
    warn: (...parts: unknown[]) => scoped.warn(...entry(parts)),
    error: (...parts: unknown[]) => scoped.error(...entry(parts)),
    trace: (...parts: unknown[]) => scoped.debug(...entry(parts)),
    log: (level, ...parts: unknown[]) => {
      switch (level) {
        case 'error':
          scoped.error(...entry(parts));
          return;
        case 'warn':
          scoped.warn(...entry(parts));
          return;
        case 'info':
          scoped.info(...entry(parts));
          return;
        case 'debug':
        case 'trace':
          scoped.debug(...entry(parts));
          return;
      }
    },
    child: (child: string) => teamsSdkLogger(log, `${name}/${child}`),
  };
  return sdk;
}
