// npm start: the whole thing on the embedded defaults. The Graph emulator (demo school), the
// service (tab, API, bot) and the Microsoft 365 Agents Playground, with the URLs to open.
// Ctrl-C stops all of it. Data persists in .data/ (delete it to start afresh).
import { join } from 'node:path';
import { ensureTabBuilt } from '../bench/tab-build.ts';
import { loadEnv } from '../src/config/env.ts';
import {
  startAgentsPlayground,
  type RunningPlayground,
} from '../src/dev/playground/agents-playground.ts';
import { demoPlaygroundPeople } from '../src/dev/demo/demo-playground-people.ts';
import { LOCAL_APP_ID, startLocalStack } from '../src/dev/local-stack.ts';

const root = new URL('..', import.meta.url).pathname;
const env = loadEnv(process.env);
if (env.COUNTERSIGN_MODE !== 'dev') {
  process.stderr.write(
    'npm start runs the local demo; for a tenant run `node src/server/main.ts`.\n',
  );
  process.exit(2);
}
const PLAYGROUND_PORT = Number(process.env.PLAYGROUND_PORT ?? 56150);

const tabDir = join(root, 'build', 'tab');
// Builds the tab when it is missing or older than its sources.
if (await ensureTabBuilt({ force: process.env.COUNTERSIGN_REBUILD_TAB === '1' })) {
  process.stdout.write('Built the tab.\n');
}

const stack = await startLocalStack({
  port: env.PORT,
  host: '127.0.0.1',
  graphPort: Number(process.env.GRAPH_EMULATOR_PORT ?? 5081),
  dataDir: join(root, '.data'),
  // The demo trust beside the demo school (issue 14): its lead and school admins in the switcher.
  demoTrust: true,
  tabDir,
  connectorUrl: `http://127.0.0.1:${PLAYGROUND_PORT}/_connector`,
  log: (line) => process.stdout.write(`[countersign] ${line}\n`),
});

// The Playground plays demo-school people (a member of staff in the personal chat; the head,
// the DSL, a governor, a colleague and a volunteer in the group chat). Its output goes to
// devTools/m365agentsplayground.log (the Playground writes it when stdout is not a terminal).
let playground: RunningPlayground | undefined;
try {
  playground = await startAgentsPlayground({
    botEndpoint: `${stack.url}/api/messages`,
    port: PLAYGROUND_PORT,
    people: demoPlaygroundPeople(),
  });
  // "Send it to myself" in the tab: the admin's test card shows in the Playground's chat.
  stack.playgroundChat.attach({
    connectorUrl: `${playground.url}/_connector`,
    tenantId: demoPlaygroundPeople().tenantId,
    botId: LOCAL_APP_ID,
    currentUser: demoPlaygroundPeople().currentUser,
  });
} catch (error) {
  process.stdout.write(
    `[playground] could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nStopping…\n');
  await playground?.stop();
  await stack.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const users = stack.devUsers.map(
  (u) =>
    `    ${u.displayName} (${u.key}${u.roles.length ? `, ${u.roles.join(', ')}` : ''}):  ${stack.url}/?user=${u.key}`,
);
process.stdout.write(`
Countersign is running on the embedded defaults (Graph emulator, demo school).

  Tab, as each demo user (switch users in the tab's header):
${users.join('\n')}
  Agents Playground (chat with the bot as ${demoPlaygroundPeople().currentUser.name}; try "status" and "help"):  ${playground?.url ?? '(not running)'}
  Graph emulator (the demo school's SharePoint lists and people):  ${stack.emulator.url.replace(/\/v1\.0$/, '')}/
  Data: .data/ (delete it to start afresh)

Ctrl-C stops everything.
`);
