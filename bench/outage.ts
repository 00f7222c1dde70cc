import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { z } from 'zod';
import { createGraphAdapters } from '../src/adapters/graph/create-graph-adapters.ts';
import { campaignSummarySchema } from '../src/api/contract/responses.ts';
import { approvalCardFigures, settledDeliveries } from './approval-cards.ts';
import { flag, option } from './bench-emulator.ts';
import { signBodyFor, startServiceStack, type BenchPerson } from './service-stack.ts';
import { emulatorAppToken } from '../src/adapters/graph/emulator-app-token.ts';

/**
 * A Graph outage during signing and a campaign (issue 13, "Benchmarks"): the service as the local
 * stack composes it (bench/service-stack.ts) with the demo school plus `--people` staff; a
 * campaign is launched to every audience, signers arrive at `--rate` a second, and after
 * `--before` seconds the Graph emulator's process is stopped (connections refused) for
 * `--seconds` (45 by default), then started again on the same port and data. The service is not
 * restarted.
 *
 * Each signer presses Sign and, told it was not taken (503/429), tries again after the answer's
 * Retry-After, as the tab does, until it is taken. Measured: how long every single answer took
 * (budget: each within 3 s), and afterwards, read from SharePoint and the connector emulator:
 *
 *   lost        signers told their signature was taken who have no row
 *   duplicated  rows beyond one per person
 *   campaign    total, sent, failed, skipped, still queued; cards sent twice to one person
 *   approvals   approval cards per signature and approver (exactly one each), missing, twice
 *
 *   npm run bench:outage -- --json [--seconds 45] [--before 10] [--people 2000] [--rate 5]
 *     [--answers answers.json]   (every answer: atS, status, ms, during, why)
 */
const args = process.argv.slice(2);
const outageSeconds = option(args, 'seconds', 45);
const beforeSeconds = option(args, 'before', 10);
const afterSeconds = option(args, 'after', 15);
const rate = option(args, 'rate', 5);
const extraPeople = option(args, 'people', 2_000);
const ANSWER_BUDGET_MS = 3_000;
const GIVE_UP_AFTER_TRIES = 60;

const stack = await startServiceStack({ extraPeople });
try {
  const { view, admin } = stack;
  const asAdmin = (path: string, body?: unknown) =>
    stack.call(path, admin, { roles: ['Policy.Admin'], ...(body === undefined ? {} : { body }) });
  const launched = await asAdmin('/api/admin/campaigns', {
    policyKey: view.policy.key,
    versionNumber: view.version.number,
    deadline: new Date(Date.now() + 14 * 86_400_000).toISOString(),
  });
  if (!launched.ok) throw new Error(`launch answered ${launched.status}: ${await launched.text()}`);
  const { id: campaignId } = z.object({ id: z.string() }).parse(await launched.json());

  const loadBefore = loadavg();
  // The longest either event loop was held: the service's (from its process) and this one's,
  // so a stall of every answer at once is placed on one side or the other.
  await stack.ask({ kind: 'measure' });
  const benchLag = monitorEventLoopDelay({ resolution: 10 });
  benchLag.enable();
  const answers: {
    ms: number;
    status: number;
    during: boolean;
    atS: number;
    /** A refusal's problem `reason` (circuit-open, …) or code, to tell the 503s apart. */
    why?: string;
  }[] = [];
  const accepted = new Set<string>();
  const gaveUp = new Set<string>();
  let graphDown = false;
  /** When the outage began (performance.now()); answers say when they were asked relative to it. */
  let downAt: number | undefined = undefined;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const signUntilTaken = async (person: BenchPerson): Promise<void> => {
    for (let attempt = 1; attempt <= GIVE_UP_AFTER_TRIES; attempt++) {
      const at = performance.now();
      const during = graphDown;
      let status: number;
      let retryAfter = 5;
      let why: string | undefined;
      try {
        const res = await stack.call(`/api/me/policies/${view.policy.key}/sign`, person, {
          body: signBodyFor(view, person),
        });
        const text = await res.text();
        status = res.status;
        if (status >= 400) why = reasonOf(text);
        retryAfter = Number(res.headers.get('retry-after') ?? '5') || 5;
      } catch {
        status = 0; // no answer at all (a timeout of the 30 s fetch): counted over budget
      }
      answers.push({
        ms: performance.now() - at,
        status,
        during,
        atS: Math.round((at - (downAt ?? at)) / 100) / 10,
        ...(why === undefined ? {} : { why }),
      });
      if (status >= 200 && status < 300) {
        accepted.add(person.id);
        return;
      }
      if (status !== 503 && status !== 429 && status !== 0) {
        gaveUp.add(person.id);
        return;
      }
      await pause(Math.min(retryAfter, 15) * 1000);
    }
    gaveUp.add(person.id);
  };

  // Signers arrive at a steady rate across before + outage + after.
  const t0 = performance.now();
  const totalSeconds = beforeSeconds + outageSeconds + afterSeconds;
  const signers = stack.people.slice(0, Math.min(stack.people.length, totalSeconds * rate));
  const signing = (async () => {
    const all: Promise<void>[] = [];
    for (const [i, person] of signers.entries()) {
      const wait = t0 + (i * 1000) / rate - performance.now();
      if (wait > 0) await pause(wait);
      all.push(signUntilTaken(person));
    }
    await Promise.all(all);
  })();

  await pause(beforeSeconds * 1000);
  graphDown = true;
  downAt = performance.now();
  await stack.stopGraph();
  await pause(outageSeconds * 1000);
  await stack.startGraph();
  graphDown = false;
  const upAfterMs = Math.round(performance.now() - (downAt ?? 0));
  await signing;
  const signingDoneMs = Math.round(performance.now() - t0);

  // The campaign finishes by itself once Graph is back (no restart): wait for it, 5 min at most.
  let campaign: z.infer<typeof campaignSummarySchema> | undefined;
  for (let waited = 0; waited < 300; waited += 2) {
    const res = await asAdmin('/api/admin/campaigns');
    const list = z.array(campaignSummarySchema).parse(await res.json());
    campaign = list.find((c) => c.id === campaignId);
    if (campaign !== undefined && campaign.delivery.queued + campaign.delivery.inFlight === 0)
      break;
    await pause(2_000);
  }
  const campaignDoneMs = Math.round(performance.now() - t0);
  benchLag.disable();
  const serviceFigures = z
    .object({ maxEventLoopLagMs: z.number(), p99EventLoopLagMs: z.number() })
    .loose()
    .parse(await stack.ask({ kind: 'report' }));
  // Approval cards go through the same queue behind the campaign's: wait for them too (2 min).
  const { deliveries, waitedMs: approvalsWaitedMs } = await settledDeliveries(stack, 120);
  const approvalCards = await approvalCardFigures(stack, deliveries);

  // What SharePoint holds.
  const graph = createGraphAdapters({
    baseUrl: stack.graphUrl,
    accessToken: emulatorAppToken,
    site: stack.siteId,
  });
  const rows = await graph.records.listAcknowledgements({ policyKey: view.policy.key });
  const perPerson = new Map<string, number>();
  for (const row of rows) perPerson.set(row.userId, (perPerson.get(row.userId) ?? 0) + 1);

  const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
  const duringMs = answers
    .filter((a) => a.during)
    .map((a) => a.ms)
    .sort((a, b) => a - b);
  const overBudget = answers.filter((a) => a.ms > ANSWER_BUDGET_MS).length;
  const lost = [...accepted].filter((id) => !perPerson.has(id)).length;
  const duplicated = [...perPerson.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const figures = {
    outageSeconds,
    graphBackAfterMs: upAfterMs,
    signers: signers.length,
    accepted: accepted.size,
    gaveUp: gaveUp.size,
    answers: answers.length,
    answersDuringOutage: duringMs.length,
    answersByStatus: Object.fromEntries(
      [...new Set(answers.map((a) => a.status))].map((s) => [
        String(s),
        answers.filter((a) => a.status === s).length,
      ]),
    ),
    answerMs: { p50: pct(ms, 50), p99: pct(ms, 99), max: Math.round(ms.at(-1) ?? 0) },
    answerMsDuringOutage: {
      p50: pct(duringMs, 50),
      p99: pct(duringMs, 99),
      max: Math.round(duringMs.at(-1) ?? 0),
    },
    answersOverBudget: overBudget,
    answersOverBudgetDuringOutage: answers.filter((a) => a.during && a.ms > ANSWER_BUDGET_MS)
      .length,
    /** The five slowest: asked how many seconds after the outage began, status, ms. */
    slowest: [...answers]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5)
      .map((a) => ({ atS: a.atS, status: a.status, ms: Math.round(a.ms) })),
    rows: rows.length,
    lost,
    duplicated,
    campaign: campaign === undefined ? null : { status: campaign.status, ...campaign.delivery },
    campaignCardsSentTwice: deliveries.duplicates,
    maxEventLoopLagMs: {
      service: serviceFigures.maxEventLoopLagMs,
      benchmark: Math.round(benchLag.max / 1e6),
    },
    /**
     * Approval cards per signature (job `approval/<ack id>`): exactly one per signature needing
     * approval per approver; missing and duplicates named (the first 10).
     */
    approvalCards,
    approvalsWaitedMs,
    signingDoneMs,
    campaignDoneMs,
    loadAverage: { before: loadBefore.map(round1), after: loadavg().map(round1) },
    budget: {
      answerMs: ANSWER_BUDGET_MS,
      lost: 0,
      duplicated: 0,
      campaignCardsSentTwice: 0,
      approvalCards: { missing: 0, duplicates: 0, unexpected: 0 },
    },
    withinBudget:
      overBudget === 0 &&
      lost === 0 &&
      duplicated === 0 &&
      gaveUp.size === 0 &&
      deliveries.duplicates === 0 &&
      approvalCards.missing === 0 &&
      approvalCards.duplicates === 0 &&
      approvalCards.unexpected === 0 &&
      campaign !== undefined &&
      campaign.delivery.queued + campaign.delivery.inFlight === 0,
  };
  const answersAt = args.indexOf('--answers');
  const answersFile = answersAt >= 0 ? args[answersAt + 1] : undefined;
  if (answersFile !== undefined) writeFileSync(answersFile, JSON.stringify(answers));
  if (flag(args, 'json')) process.stdout.write(`${JSON.stringify(figures)}\n`);
  else process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
} finally {
  await stack.close();
}

function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const at = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, at)] ?? 0);
}

/** What a problem+json body says went wrong: its details' reason, else its code, else its title. */
function reasonOf(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    return 'not-json';
  }
  const parsed = z
    .object({
      code: z.string().optional(),
      title: z.string().optional(),
      details: z.object({ reason: z.string().optional() }).loose().optional(),
    })
    .loose()
    .safeParse(body);
  if (!parsed.success) return 'unreadable';
  return parsed.data.details?.reason ?? parsed.data.code ?? parsed.data.title ?? 'unknown';
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
