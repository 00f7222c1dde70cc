import { campaignCommand } from './commands/campaign.ts';
import { evidenceCommand } from './commands/evidence.ts';
import { importCommand } from './commands/import.ts';
import { provisionCommand } from './commands/provision.ts';
import { settingsCommand } from './commands/settings.ts';
import { verifyCommand } from './commands/verify.ts';

/** Where the CLI writes; injected so tests run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
}

/** A sub-command: returns the exit code. */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

const USAGE = `countersign <command> [options]

Commands:
  help                    this text
  import FILE [--json]    turn a school's AUP (.docx, .txt, .md) into a policy document
  emulator [--port P]     run the local Graph emulator (--db FILE, --reset, --seed none)
  provision [--site S]    create the SharePoint lists, columns and indexes the site lacks
  verify [--site S]       check seals, approvals and policy texts; report edited and deleted rows
  verify --pack DIR       check an evidence pack offline, with the keys in it alone
  evidence --policy KEY [--version N] [--person UPN] [--out DIR]
                          write an evidence pack for an inspector (evidence --help)
  campaign launch|status|pause|resume|cancel
                          run a re-sign campaign (campaign --help)
  settings import|show    COUNTERSIGN_SCHOOL into the site's settings list, or what it holds
                          (settings --help)
`;

/** Sub-commands register here (one file each under src/cli/commands/). */
const commands: Record<string, CliCommand> = {
  // one line per command, e.g. import: importCommand,
  import: importCommand,
  // A local tool: loaded only when asked for, so the production CLI never loads src/dev.
  emulator: async (args, io) =>
    (await import('../dev/emulator-command.ts')).emulatorCommand(args, io),
  provision: provisionCommand,
  verify: verifyCommand,
  evidence: evidenceCommand,
  campaign: campaignCommand,
  settings: settingsCommand,
};

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(USAGE);
    return name === undefined ? 1 : 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`countersign: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return command(rest, io);
}
