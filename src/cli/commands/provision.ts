import {
  createGraphAdapters,
  graphConfigFromEnv,
} from '../../adapters/graph/create-graph-adapters.ts';
import { describeChange, provisionSite } from '../../adapters/graph/provision.ts';
import { ConfigError, loadGraphEnv } from '../../config/env.ts';
import { CountersignError } from '../../domain/errors.ts';
import type { CliCommand } from '../run-cli.ts';
import { parseSiteOptions } from '../site-options.ts';

const USAGE =
  'usage: countersign provision [--site <site id | hostname:/sites/path>] [--json]\n' +
  '  Creates the Countersign lists, library, columns and indexes the site lacks; changes nothing\n' +
  '  else. Needs the fullcontrol role on the site (Sites.Selected) when there is something to\n' +
  '  create; says exactly what to grant when it has less.\n' +
  '  Site: --site, else COUNTERSIGN_SITE, else (emulator only) its root site.\n';

/** `countersign provision`: make the SharePoint site match the schema; say what changed. */
export const provisionCommand: CliCommand = async (args, io) => {
  const options = parseSiteOptions(args, io, USAGE);
  if (typeof options === 'number') return options;
  try {
    // Only what reaching the site needs (loadGraphEnv): provisioning runs before the service's
    // other settings (seal key, API audience, public URL, school) exist.
    const env = loadGraphEnv(io.env);
    const graph = createGraphAdapters(graphConfigFromEnv(env, options.site));
    const report = await provisionSite(graph.gateway, graph.records.site);
    if (options.json) {
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      io.stdout(`Site ${report.siteId}\n`);
      for (const change of report.changes) io.stdout(`  ${describeChange(change)}\n`);
      io.stdout(`${report.changes.length} change${report.changes.length === 1 ? '' : 's'}\n`);
      for (const problem of report.problems) io.stderr(`problem: ${problem}\n`);
    }
    return report.problems.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof CountersignError || error instanceof ConfigError) {
      io.stderr(`countersign provision: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
};
