import { parseArgs } from 'node:util';
import type { CliIo } from './run-cli.ts';

export interface SiteOptions {
  site?: string;
  json: boolean;
}

/**
 * The options of the commands that work on a SharePoint site (`--site`, `--json`, `--help`).
 * Returns the options, or the exit code when there is nothing more to do (help: 0, bad use: 2).
 */
export function parseSiteOptions(args: string[], io: CliIo, usage: string): SiteOptions | number {
  let values;
  try {
    values = parseArgs({
      args,
      options: { site: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
      strict: true,
    }).values;
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  return {
    ...(values.site === undefined ? {} : { site: values.site }),
    json: values.json === true,
  };
}
