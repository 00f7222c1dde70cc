import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createGraphAdapters,
  graphConfigFromEnv,
} from '../../adapters/graph/create-graph-adapters.ts';
import { openSqliteWorkStore } from '../../adapters/sqlite/sqlite-work-store.ts';
import { loadEnv } from '../../config/env.ts';
import { CountersignError } from '../../domain/errors.ts';
import type { Messenger } from '../../ports/messenger.ts';
import type { WorkStore } from '../../ports/work-store.ts';
import type { Actor } from '../../services/actor.ts';
import {
  createCampaignService,
  type CampaignSummary,
} from '../../services/campaigns/campaign-service.ts';
import { placeholderCards } from '../../services/campaigns/placeholder-cards.ts';
import type { CliCommand } from '../run-cli.ts';
import { schoolFrom } from '../school-from-env.ts';

const USAGE = `usage: countersign campaign <action> [options]
  launch --policy KEY --version N --deadline ISO [--audience a,b] [--reminders 3,7,14]
  status [CAMPAIGN_ID]
  pause|resume|cancel CAMPAIGN_ID
options: --site S, --as USER_ID (the admin recorded in the audit log; default "cli"), --json
  Launch records the campaign in SharePoint and queues one delivery per person in the work
  store (COUNTERSIGN_WORK_DB); the running service's sender delivers them.
`;

/** The CLI queues work; only the service's sender (holding the sender lease) talks to Teams. */
const noSending: Messenger = {
  trusts: () => false,
  ensureInstalled: () => Promise.reject(notHere()),
  createConversation: () => Promise.reject(notHere()),
  teamsUserId: () => Promise.reject(notHere()),
  sendActivity: () => Promise.reject(notHere()),
  updateActivity: () => Promise.reject(notHere()),
};

function notHere(): CountersignError {
  return new CountersignError('unavailable', 'The CLI does not send; the service does.');
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
}

function describe(summary: CampaignSummary): string {
  const { campaign: c, delivery: d } = summary;
  const reasons = Object.entries(summary.reasons)
    .map(([reason, n]) => `    ${n} × ${reason}`)
    .join('\n');
  return (
    `${c.id}  ${c.policyKey} v${c.versionNumber}  ${c.status}  deadline ${c.deadline}\n` +
    `  recipients ${c.counts.recipients}: sent ${d.sent}, queued ${d.queued}, in flight ${d.inFlight}, ` +
    `failed ${d.failed}, skipped ${d.skipped}\n` +
    (reasons === '' ? '' : `${reasons}\n`)
  );
}

/** `countersign campaign …`: launch a re-sign campaign, watch it, pause, resume or cancel it. */
export const campaignCommand: CliCommand = async (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        policy: { type: 'string' },
        version: { type: 'string' },
        deadline: { type: 'string' },
        audience: { type: 'string' },
        reminders: { type: 'string' },
        site: { type: 'string' },
        as: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values: options, positionals } = parsed;
  const [action, id] = positionals;
  if (options.help || action === undefined) {
    if (options.help) io.stdout(USAGE);
    else io.stderr(USAGE);
    return options.help ? 0 : 2;
  }
  let work: WorkStore | undefined;
  try {
    const env = loadEnv(io.env);
    const graph = createGraphAdapters(graphConfigFromEnv(env, options.site));
    mkdirSync(dirname(env.COUNTERSIGN_WORK_DB), { recursive: true });
    work = openSqliteWorkStore({ path: env.COUNTERSIGN_WORK_DB });
    const actor: Actor = {
      id: options.as ?? 'cli',
      upn: options.as ?? 'cli',
      displayName: options.as ?? 'Countersign CLI',
      roles: ['Policy.Admin'],
    };
    const campaigns = createCampaignService({
      records: graph.records,
      directory: graph.directory,
      work,
      messenger: noSending,
      cards: placeholderCards,
      school: await schoolFrom(env),
      clock: { now: () => new Date() },
      newId: randomUUID,
      holderId: `cli-${process.pid}`,
      onError: (error) =>
        io.stderr(`campaign: ${error instanceof Error ? error.message : String(error)}\n`),
    });
    const print = (value: unknown, text: string): void => {
      io.stdout(options.json ? `${JSON.stringify(value, null, 2)}\n` : text);
    };
    switch (action) {
      case 'launch': {
        if (options.policy === undefined || options.version === undefined) {
          io.stderr(`countersign campaign launch needs --policy and --version\n${USAGE}`);
          return 2;
        }
        const audiences = list(options.audience);
        const reminders = list(options.reminders);
        const campaign = await campaigns.launch(actor, {
          policyKey: options.policy,
          versionNumber: Number(options.version),
          deadline: new Date(options.deadline ?? '').toISOString(),
          ...(audiences === undefined ? {} : { audiences }),
          ...(reminders === undefined ? {} : { reminderDays: reminders.map(Number) }),
        });
        print(campaign, describe(await campaigns.get(actor, campaign.id)));
        return 0;
      }
      case 'status': {
        const summaries =
          id === undefined ? await campaigns.list(actor) : [await campaigns.get(actor, id)];
        print(
          id === undefined ? summaries : summaries[0],
          summaries.length === 0 ? 'No campaigns.\n' : summaries.map(describe).join(''),
        );
        return 0;
      }
      case 'pause':
      case 'resume':
      case 'cancel': {
        if (id === undefined) {
          io.stderr(`countersign campaign ${action} needs a campaign id\n${USAGE}`);
          return 2;
        }
        const campaign = await campaigns[action](actor, id);
        print(campaign, `${campaign.id} is ${campaign.status}.\n`);
        return 0;
      }
      default:
        io.stderr(`countersign campaign: unknown action "${action}"\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof CountersignError || error instanceof RangeError) {
      io.stderr(`countersign campaign: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await work?.close();
  }
};
