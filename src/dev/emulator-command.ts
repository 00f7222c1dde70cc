import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EMULATOR_APP_TOKEN } from '../adapters/graph/emulator-app-token.ts';
import { CountersignError } from '../domain/errors.ts';
import { DEMO_SCHOOL } from './demo/demo-school.ts';
import { startGraphEmulator } from './graph-emulator/graph-emulator.ts';
import { LOCAL_APP_ID } from './local-app-id.ts';
import type { CliCommand, CliIo } from '../cli/run-cli.ts';

const USAGE =
  'usage: countersign emulator [--port 5081] [--host 127.0.0.1] [--db .data/graph-emulator.sqlite] [--reset] [--seed demo|none]\n';

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Starts the emulator, prints where it is, and runs until `stop` resolves. */
export async function runEmulator(
  args: string[],
  io: CliIo,
  stop: Promise<unknown>,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string', default: '5081' },
        host: { type: 'string', default: '127.0.0.1' },
        db: { type: 'string', default: '.data/graph-emulator.sqlite' },
        reset: { type: 'boolean', default: false },
        seed: { type: 'string', default: 'demo' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    io.stderr(`countersign emulator: --port must be 0–65535\n${USAGE}`);
    return 2;
  }
  if (values.seed !== 'demo' && values.seed !== 'none') {
    io.stderr(`countersign emulator: --seed is demo or none\n${USAGE}`);
    return 2;
  }
  if (values.reset && values.db !== ':memory:') {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${values.db}${suffix}`, { force: true });
  }
  let emulator;
  try {
    emulator = await startGraphEmulator({
      dbPath: values.db,
      port,
      host: values.host,
      seed: values.seed,
      // Strict as Graph (the dev app token on every request); the demo's app is in the catalog.
      permissions: { catalog: [LOCAL_APP_ID] },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CountersignError('unavailable', `The Graph emulator could not start: ${message}`, {
      port,
      db: values.db,
    });
  }
  const origin = emulator.url.replace(/\/v1\.0$/, '');
  io.stdout(
    [
      `Graph emulator listening: ${emulator.url}`,
      `  site id:   ${emulator.siteId}`,
      `  site path: ${DEMO_SCHOOL.sharePointHostname}:${DEMO_SCHOOL.sitePath}`,
      `  data:      ${values.db}`,
      `  app token: ${EMULATOR_APP_TOKEN} (every request needs it, as Graph needs a token; countersign commands pointed here send it)`,
      `  overview:  ${origin}/`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  await stop;
  await emulator.close();
  io.stdout('Graph emulator stopped.\n');
  return 0;
}

export const emulatorCommand: CliCommand = (args, io) => runEmulator(args, io, untilSignal());
