import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  createGraphAdapters,
  graphConfigFromEnv,
} from '../../adapters/graph/create-graph-adapters.ts';
import { ConfigError, loadEnv } from '../../config/env.ts';
import { CountersignError } from '../../domain/errors.ts';
import { TRUST_SETTINGS_ID } from '../../domain/trust.ts';
import type { StoredSchoolSettings } from '../../domain/school-settings.ts';
import { openEvidenceKeys } from '../../server/production-service.ts';
import { importSchoolSettings } from '../../services/school-settings.ts';
import type { CliCommand } from '../run-cli.ts';
import { schoolFrom } from '../school-from-env.ts';

const USAGE = `usage: countersign settings import|show [--site S] [--json]
  import  stores COUNTERSIGN_SCHOOL (the school as JSON) in the site's CountersignSettings list:
          created when the school has none, replaced when it differs, left alone when equal.
          Each change is a signed settings.changed audit event (actor "cli"). Run it once when
          moving a deployment from the environment's JSON to settings edited in the Admin view.
  show    prints the trust's row (its name and leads), then every school's settings as stored
          (revision, who and when); --json: { trust: row or null, schools: [rows] }.
  Site: --site, else COUNTERSIGN_SITE, else (emulator only) its root site.
`;

/** `countersign settings`: the migration from COUNTERSIGN_SCHOOL, and a look at what is stored. */
export const settingsCommand: CliCommand = async (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { site: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
      strict: true,
    });
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const action = positionals[0];
  if (values.help === true || (action !== 'import' && action !== 'show')) {
    if (values.help === true) io.stdout(USAGE);
    else io.stderr(USAGE);
    return values.help === true ? 0 : 2;
  }
  try {
    const env = loadEnv(io.env);
    // In production the event is signed and chained with the service's own evidence key, as
    // the service signs it; the emulator's demo runs without one.
    const evidence =
      env.COUNTERSIGN_MODE === 'production' ? await openEvidenceKeys(env, {}) : undefined;
    const graph = createGraphAdapters({
      ...graphConfigFromEnv(env, values.site),
      ...(evidence === undefined ? {} : { evidenceSigner: evidence.signer }),
    });
    const print = (value: unknown, text: string): void => {
      io.stdout(values.json === true ? `${JSON.stringify(value, null, 2)}\n` : text);
    };
    if (action === 'show') {
      const all = await graph.settings.list();
      // The reserved '@trust' row is the trust's name and leads, not a school (src/domain/trust.ts).
      const trustRow = all.find((s) => s.school.id === TRUST_SETTINGS_ID);
      const schools = all.filter((s) => s.school.id !== TRUST_SETTINGS_ID);
      const stamp = (s: StoredSchoolSettings): string =>
        `revision ${s.revision}, ${s.updatedAt} by ${s.updatedBy}`;
      print(
        { trust: trustRow ?? null, schools },
        (trustRow === undefined
          ? ''
          : `Trust: ${trustRow.school.name} (${String(trustRow.school.adminIds.length)} lead(s)): ${stamp(trustRow)}\n`) +
          (schools.map((s) => `${s.school.id} (${s.school.name}): ${stamp(s)}\n`).join('') ||
            'No school has settings in this site yet.\n'),
      );
      return 0;
    }
    const outcome = await importSchoolSettings(
      {
        store: graph.settings,
        records: graph.records,
        clock: { now: () => new Date() },
        newId: randomUUID,
      },
      await schoolFrom(env),
    );
    const { school, revision } = outcome.settings;
    const what =
      outcome.kind === 'unchanged'
        ? `The settings of ${school.id} already match COUNTERSIGN_SCHOOL (revision ${revision}); nothing written.`
        : `The settings of ${school.id} ${outcome.kind} (revision ${revision}): ${outcome.changed.join(', ')}.`;
    print(
      { kind: outcome.kind, schoolId: school.id, revision, changed: outcome.changed },
      `${what}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof CountersignError || error instanceof ConfigError) {
      io.stderr(`countersign settings: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
};
