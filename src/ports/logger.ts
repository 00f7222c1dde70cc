/**
 * Where the service says what happened: one structured entry per event, never a bare string to
 * the console. The composition root injects an adapter (JSON lines on stdout, src/adapters/logging);
 * anything below it takes a Logger as a dependency and never imports one globally.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Facts about the event: ids, counts, an `error`. Values are serialised by the adapter. */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds these fields to every entry (e.g. the component). */
  child(fields: LogFields): Logger;
}

/** For tests and tools that have nowhere to write: drops every entry. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
