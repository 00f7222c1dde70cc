import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CountersignError } from '../../domain/errors.ts';

/**
 * The Microsoft 365 Agents Playground (a devDependency) as a child process: Teams for local runs
 * and tests. `npm start` and the end-to-end test start it against the bot's /api/messages; its
 * web UI (chat, cards) is at `url`, its connector at `url + '/_connector'`.
 */
export interface RunningPlayground {
  url: string;
  port: number;
  /** What it printed (start-up errors show here). */
  output: readonly string[];
  stop(): Promise<void>;
}

/** A person the Playground plays: its user id ("user-id-0") and the Entra identity it sends. */
export interface PlaygroundUser {
  id: string;
  name: string;
  aadObjectId: string;
  userPrincipalName: string;
}

export interface PlaygroundPeople {
  tenantId: string;
  /** The person chatting in the Playground's personal chat. */
  currentUser: PlaygroundUser;
  /** Everyone else: members of its group chat and team. Its schema wants exactly five. */
  users: PlaygroundUser[];
}

/**
 * The Playground's configuration file (`.m365agentsplayground.yml`, schema 0.1.1) for a given
 * set of people, so that its users are people the service knows (the demo school) rather than
 * its built-in Alex Wilber & co. JSON strings are valid YAML scalars.
 */
export function playgroundConfigYaml(people: PlaygroundPeople): string {
  // It exits silently (after printing "Listening") when its file breaks its schema.
  if (people.users.length !== 5) {
    throw new CountersignError(
      'validation',
      `The Agents Playground needs exactly 5 users besides the current one, not ${people.users.length}.`,
    );
  }
  const q = (value: string): string => JSON.stringify(value);
  const user = (u: PlaygroundUser, indent: string): string => {
    const [givenName = u.name, ...rest] = u.name.split(' ');
    return [
      `id: ${q(u.id)}`,
      `name: ${q(u.name)}`,
      `userPrincipleName: ${q(u.userPrincipalName)}`,
      `aadObjectId: ${q(u.aadObjectId)}`,
      `givenName: ${q(givenName)}`,
      `surname: ${q(rest.join(' ') || givenName)}`,
      `email: ${q(u.userPrincipalName)}`,
    ]
      .map((line, i) => (i === 0 ? line : `${indent}${line}`))
      .join('\n');
  };
  return [
    'version: "0.1.1"',
    `tenantId: ${q(people.tenantId)}`,
    'bot:',
    '  id: "00000000-0000-0000-0000-00000000000011"',
    '  name: "Countersign"',
    'currentUser:',
    `  ${user(people.currentUser, '  ')}`,
    'users:',
    ...people.users.map((u) => `  - ${user(u, '    ')}`),
    'personalChat:',
    '  id: "countersign-personal-chat"',
    'groupChat:',
    '  id: "countersign-group-chat"',
    '  name: "Staff room"',
    'team:',
    '  id: "countersign-team"',
    '  name: "Staff"',
    '  aadGroupId: "00000000-0000-0000-0000-000000000031"',
    '  channels:',
    '    - id: "countersign-announcements"',
    '      name: "Announcements"',
    '',
  ].join('\n');
}

/** Where the Playground's CLI is installed, or why it cannot be found. */
export function agentsPlaygroundCli(): { path: string } | { missing: string } {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('@microsoft/m365agentsplayground/package.json');
  } catch (error) {
    return { missing: `@microsoft/m365agentsplayground is not installed (${String(error)})` };
  }
  const cli = join(dirname(manifest), 'cli.js');
  return existsSync(cli) ? { path: cli } : { missing: `${cli} does not exist` };
}

/** A free loopback port: the Playground takes a port number, not 0. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') {
    throw new CountersignError('unavailable', 'No free loopback port.');
  }
  return address.port;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/**
 * Starts the Playground against a bot endpoint (`-c msteams --disable-telemetry`, no browser)
 * and resolves once it listens. It prints "Listening on N", and falls back to a random port when
 * the one asked for is taken, so the port is read from its output.
 */
export async function startAgentsPlayground(options: {
  botEndpoint: string;
  /** Default: a free port (the Playground's own default is 56150). */
  port?: number;
  timeoutMs?: number;
  /** Who the Playground's users are; its built-in users otherwise. */
  people?: PlaygroundPeople;
}): Promise<RunningPlayground> {
  const cli = agentsPlaygroundCli();
  if ('missing' in cli) throw new CountersignError('unavailable', cli.missing);
  const port = options.port ?? (await freeLoopbackPort());
  const timeoutMs = options.timeoutMs ?? 45_000;
  const output: string[] = [];
  // The Playground reads its users from a file named by this variable.
  const configDir =
    options.people === undefined ? undefined : mkdtempSync(join(tmpdir(), 'countersign-pg-'));
  const configEnv: Record<string, string> = {};
  if (configDir !== undefined && options.people !== undefined) {
    const path = join(configDir, '.m365agentsplayground.yml');
    writeFileSync(path, playgroundConfigYaml(options.people));
    configEnv['M365_AGENTS_PLAYGROUND_CONFIG_PATH'] = path;
  }
  const removeConfig = (): void => {
    if (configDir !== undefined) rmSync(configDir, { recursive: true, force: true });
  };
  const child = spawn(
    // The Node that runs us (24), not whatever `node` is on the PATH.
    process.execPath,
    [
      cli.path,
      '-e',
      options.botEndpoint,
      '-c',
      'msteams',
      '--disable-telemetry',
      '-p',
      String(port),
    ],
    {
      env: { ...process.env, ...configEnv, TEAMSAPPTESTER_BROWSER: 'none', BROWSER: 'none' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const listening = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new CountersignError(
          'unavailable',
          `The Agents Playground did not start in ${timeoutMs} ms: ${output.join('')}`,
        ),
      );
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output.push(chunk.toString('utf8'));
      const match = /Listening on (\d+)/.exec(output.join(''));
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new CountersignError(
          'unavailable',
          `The Agents Playground exited (${String(code)}): ${output.join('')}`,
        ),
      );
    });
  });
  let actualPort: number;
  try {
    actualPort = await listening;
  } catch (error) {
    await stopChild(child);
    removeConfig();
    throw error;
  }
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    output,
    stop: async () => {
      await stopChild(child);
      removeConfig();
    },
  };
}
