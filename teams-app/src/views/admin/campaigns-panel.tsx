import {
  Badge,
  Button,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  ProgressBar,
  Select,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { ApiClient } from '../../api/api-client.ts';
import type { Campaign, PeoplePage, Policy, PolicyVersion } from '../../api/api-types.ts';
import { ErrorMessage } from '../../ui/error-message.tsx';
import { formatDate } from '../../ui/format.ts';
import { endOfSchoolDay, schoolDatePlusDays } from '../../ui/school-time.ts';
import { useLoad } from '../../ui/use-load.ts';
import { CardPreview } from './card-preview.tsx';
import { listCardStyle } from '../../ui/list-card-style.ts';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  list: { listStyleType: 'none', padding: '0', margin: '0' },
  campaign: listCardStyle,
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'end' },
  fieldset: { border: 'none', margin: '0', padding: '0' },
  legend: { fontWeight: tokens.fontWeightSemibold },
  field: { minWidth: '0', maxWidth: '100%' },
  select: { maxWidth: '100%' },
});

type PolicyEntry = { policy: Policy; versions: PolicyVersion[] };

function campaignTone(
  status: Campaign['status'],
): 'success' | 'warning' | 'informative' | 'danger' {
  switch (status) {
    case 'running':
      return 'success';
    case 'paused':
      return 'warning';
    case 'cancelled':
      return 'danger';
    case 'draft':
    case 'completed':
      return 'informative';
  }
}

function campaignStatusLabel(status: Campaign['status']): string {
  switch (status) {
    case 'draft':
      return 'Draft';
    case 'running':
      return 'Running';
    case 'paused':
      return 'Paused';
    case 'completed':
      return 'Completed';
    case 'cancelled':
      return 'Cancelled';
  }
}

/** What the admin asked a launch for: compared with the campaign it met, when it met one. */
export interface LaunchAsked {
  audiences: readonly string[];
  deadline: string;
  reminderDays: readonly number[];
}

const sameSet = <T,>(a: readonly T[], b: readonly T[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x));

/**
 * What a launch did: started a campaign, or met the one already under way for the version (a
 * version has one campaign at a time). A new deadline is applied (the service moves it); the
 * audiences and reminders stay the campaign's own. It says, part by part, what moved, what was
 * kept and where that differs from what was asked, so nothing is taken for applied when it was not.
 */
export function launchMessage(
  campaign: Campaign,
  before: readonly Campaign[],
  asked?: LaunchAsked,
): Message {
  const existing = before.find((c) => c.id === campaign.id && c.createdAt === campaign.createdAt);
  if (existing === undefined) {
    return { intent: 'success', text: 'Campaign launched: people are being sent the card now.' };
  }
  const state = campaignStatusLabel(campaign.status).toLowerCase();
  const head =
    `A campaign for version ${campaign.versionNumber} is already ${state} (launched ` +
    `${formatDate(campaign.createdAt)}): nothing new was sent.` +
    (formatDate(existing.deadline) === formatDate(campaign.deadline)
      ? ''
      : ` Its deadline moved from ${formatDate(existing.deadline)} to ${formatDate(campaign.deadline)}: the cards already sent are being updated to show it.`);
  const kept: string[] = [];
  const differs: string[] = [];
  const part = (same: boolean, keptText: string, askedText: string) => {
    if (same) kept.push(keptText);
    else differs.push(`${keptText}, not ${askedText} as asked`);
  };
  part(
    asked === undefined || formatDate(asked.deadline) === formatDate(campaign.deadline),
    `deadline ${formatDate(campaign.deadline)}`,
    asked === undefined ? '' : formatDate(asked.deadline),
  );
  part(
    asked === undefined || sameSet(asked.audiences, campaign.audiences),
    `audiences ${campaign.audiences.join(', ')}`,
    asked === undefined ? '' : asked.audiences.join(', '),
  );
  part(
    asked === undefined || sameSet(asked.reminderDays, campaign.reminderDays),
    `reminders after ${campaign.reminderDays.join(', ')} days`,
    asked === undefined ? '' : `${asked.reminderDays.join(', ')} days`,
  );
  if (differs.length === 0) {
    return { intent: 'info', text: `${head} Its plan is the one asked for: ${kept.join('; ')}.` };
  }
  return {
    intent: 'warning',
    text:
      `${head} It keeps its own plan: ${differs.join('; ')}` +
      (kept.length > 0 ? `; ${kept.join('; ')}` : '') +
      '. To change it, cancel this campaign and launch again.',
  };
}

interface Message {
  intent: 'success' | 'info' | 'warning';
  text: string;
}

/** "Sent 74 of 74 · signed 3 of 74": both counts out of the people the campaign is for. */
export function progressLabel(
  counts: Pick<Campaign['counts'], 'recipients' | 'sent' | 'signed'>,
): string {
  const { recipients, sent, signed } = counts;
  return `Sent ${sent} of ${recipients} · signed ${signed} of ${recipients}`;
}

/** Who a launch will reach, read from the people report before the admin confirms it. */
export interface LaunchPlan {
  audiences: { key: string; toSign: number; signed: number }[];
  /** Everyone to sign once, however many audiences they are in (exact when all are chosen). */
  toSign: number;
  exact: boolean;
}

/** The question asked before a launch: how many people, in which audiences, by when. */
export function launchQuestion(plan: LaunchPlan, title: string, deadline: string): string {
  const people = (n: number) => `${n} ${n === 1 ? 'person' : 'people'}`;
  const parts = plan.audiences.map(
    (a) => `${a.key}: ${people(a.toSign)} to sign (${a.signed} already signed)`,
  );
  const who = plan.exact ? people(plan.toSign) : `at most ${people(plan.toSign)}`;
  return (
    `Send ${title} to ${who} in ${plan.audiences.map((a) => a.key).join(' and ')}, ` +
    `to sign by ${formatDate(deadline)}? ${parts.join('; ')}. ` +
    (plan.exact ? '' : 'Someone in more than one audience gets one card. ') +
    'People who have signed this version are not sent it.'
  );
}

/** Parses "3, 7, 14" into reminder days; undefined if any part is not a whole day count. */
export function parseReminderDays(text: string): number[] | undefined {
  const parts = text.split(/[\s,]+/).filter((p) => p !== '');
  const days = parts.map(Number);
  if (days.some((d) => !Number.isInteger(d) || d < 1 || d > 365)) return undefined;
  return [...new Set(days)].sort((a, b) => a - b);
}

/** Running campaigns with their progress, and launching a new one after previewing its card. */
export function CampaignsPanel({ api, entries }: { api: ApiClient; entries: PolicyEntry[] }) {
  const styles = useStyles();
  const [campaigns, reload] = useLoad(() => api.campaigns(), [api]);
  const [actionError, setActionError] = useState<unknown>(null);
  const running =
    campaigns.status === 'ready' && campaigns.value.some((c) => c.status === 'running');

  // Progress moves while a campaign runs: refresh the counts every few seconds until none does.
  useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(reload, 5_000);
    return () => clearInterval(timer);
  }, [running, reload]);

  const [recovered, setRecovered] = useState<string | null>(null);
  const act = (id: string, action: 'pause' | 'resume' | 'cancel') => {
    setActionError(null);
    setRecovered(null);
    api.campaignAction(id, action).then(reload, (e: unknown) => setActionError(e));
  };
  const recover = (id: string) => {
    setActionError(null);
    api.recoverCampaign(id).then(
      (r) => {
        setRecovered(
          `Resumed: the card is going to the ${r.queued} people who have not signed yet` +
            (r.mayGetSecondCard > 0
              ? ` (up to ${r.mayGetSecondCard} of them may get it a second time).`
              : '.'),
        );
        reload();
      },
      (e: unknown) => setActionError(e),
    );
  };

  return (
    <div className={styles.stack}>
      <section aria-labelledby="campaigns-heading">
        <h2 id="campaigns-heading">Campaigns</h2>
        {campaigns.status === 'loading' && <Spinner label="Loading campaigns…" />}
        {campaigns.status === 'failed' && (
          <ErrorMessage title="Could not load campaigns" error={campaigns.error} />
        )}
        {actionError !== null && <ErrorMessage title="That did not work" error={actionError} />}
        {recovered !== null && (
          <MessageBar intent="success">
            <MessageBarBody>{recovered}</MessageBarBody>
          </MessageBar>
        )}
        {campaigns.status === 'ready' && campaigns.value.length === 0 && <p>No campaigns yet.</p>}
        {campaigns.status === 'ready' && (
          <ul className={styles.list}>
            {campaigns.value.map((c) => {
              const title =
                entries.find((e) => e.policy.key === c.policyKey)?.policy.title ?? c.policyKey;
              const { recipients, signed, failed } = c.counts;
              const lost = c.deliveryRecords.kind === 'lost' ? c.deliveryRecords : null;
              return (
                <li key={c.id} className={styles.campaign}>
                  <strong>
                    {title}, version {c.versionNumber}
                  </strong>
                  <span>
                    <Badge appearance="tint" color={campaignTone(c.status)}>
                      {campaignStatusLabel(c.status)}
                    </Badge>{' '}
                    {c.audiences.join(', ')}; deadline {formatDate(c.deadline)}; reminders after{' '}
                    {c.reminderDays.join(', ')} days
                  </span>
                  <Field
                    label={progressLabel(c.counts)}
                    {...(failed > 0 ? { hint: `${failed} could not be delivered` } : {})}
                  >
                    <ProgressBar
                      value={recipients === 0 ? 0 : signed / recipients}
                      thickness="large"
                    />
                  </Field>
                  {c.cardUpdates !== undefined && (
                    <p>
                      Deadline moved from {formatDate(c.cardUpdates.from)} to{' '}
                      {formatDate(c.cardUpdates.to)}. {c.cardUpdates.words}.
                    </p>
                  )}
                  {lost !== null && (
                    <MessageBar intent="warning">
                      <MessageBarBody>
                        <strong>Delivery records lost.</strong> The store that knew who was sent
                        this campaign&apos;s card is gone (it was{' '}
                        {lost.reason === 'store-replaced' ? 'replaced or recreated' : 'emptied'}).
                        SharePoint kept the totals: {lost.sentBeforeLoss} sent. Choose: resume it to
                        the people who have not signed yet (up to {lost.sentBeforeLoss} of them may
                        get the card a second time), or cancel it.
                      </MessageBarBody>
                    </MessageBar>
                  )}
                  <div className={styles.row}>
                    {lost !== null && (
                      <Button appearance="primary" onClick={() => recover(c.id)}>
                        Resume to people not yet signed
                      </Button>
                    )}
                    {lost === null && c.status === 'running' && (
                      <Button onClick={() => act(c.id, 'pause')}>Pause</Button>
                    )}
                    {lost === null && c.status === 'paused' && (
                      <Button onClick={() => act(c.id, 'resume')}>Resume</Button>
                    )}
                    {(c.status === 'running' || c.status === 'paused') && (
                      <Button onClick={() => act(c.id, 'cancel')}>Cancel campaign</Button>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <LaunchCampaign api={api} entries={entries} onLaunched={reload} />
    </div>
  );
}

function LaunchCampaign({
  api,
  entries,
  onLaunched,
}: {
  api: ApiClient;
  entries: PolicyEntry[];
  onLaunched: () => void;
}) {
  const styles = useStyles();
  const published = entries.flatMap((e) =>
    e.versions
      .filter((v) => v.status === 'published')
      .map((v) => ({ policy: e.policy, version: v, value: `${e.policy.key}:${v.number}` })),
  );
  const latest = [...published].sort((a, b) => b.version.number - a.version.number)[0];
  const [chosen, setChosen] = useState(latest?.value ?? '');
  const choice = published.find((p) => p.value === chosen) ?? latest;
  const [audiences, setAudiences] = useState<string[] | null>(null);
  const selectedAudiences = audiences ?? choice?.policy.audiences ?? [];
  const [deadline, setDeadline] = useState(() => schoolDatePlusDays(new Date(), 14));
  const [reminders, setReminders] = useState('3, 7, 14');
  const [card, setCard] = useState<Record<string, unknown> | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  const [error, setError] = useState<{ title: string; error: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const reminderDays = parseReminderDays(reminders);

  if (choice === undefined) {
    return (
      <section aria-labelledby="launch-heading">
        <h2 id="launch-heading">Launch a campaign</h2>
        <p>Publish a version first.</p>
      </section>
    );
  }

  const run = (title: string, task: () => Promise<Message>) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    task().then(
      (done) => {
        setBusy(false);
        setMessage(done);
      },
      (e: unknown) => {
        setBusy(false);
        setError({ title, error: e });
      },
    );
  };

  const preview = () =>
    run('Could not load the card', async () => {
      setCard(await api.previewCard(choice.policy.key, choice.version.number));
      return { intent: 'success', text: 'This is the card each person will receive.' };
    });
  const sendTest = () =>
    run('The test card was not sent', async () => {
      await api.sendTestCard(choice.policy.key, choice.version.number);
      return { intent: 'success', text: 'The card is on its way to you in Teams.' };
    });
  const ready = reminderDays !== undefined && selectedAudiences.length > 0 && deadline !== '';
  /** First the question (how many people, which audiences), then the launch once confirmed. */
  const askToLaunch = () => {
    if (!ready) return;
    setConfirming(null);
    run('Could not count who the campaign is for', async () => {
      const page = await api.people({ policyKey: choice.policy.key, pageSize: 1 });
      const audiences = selectedAudiences.map((key) => {
        const counts: Partial<PeoplePage['overall']> = page.totals[key] ?? {};
        return {
          key,
          toSign: (counts.due ?? 0) + (counts.overdue ?? 0),
          signed: (counts.signed ?? 0) + (counts['awaiting-approval'] ?? 0),
        };
      });
      const all = choice.policy.audiences.every((a) => selectedAudiences.includes(a));
      const plan: LaunchPlan = {
        audiences,
        exact: all || audiences.length === 1,
        toSign: all
          ? (page.overall.due ?? 0) + (page.overall.overdue ?? 0)
          : audiences.reduce((n, a) => n + a.toSign, 0),
      };
      setConfirming(launchQuestion(plan, choice.policy.title, endOfSchoolDay(deadline)));
      return { intent: 'info', text: 'Check who the campaign is for, then confirm.' };
    });
  };
  const launch = () => {
    if (reminderDays === undefined || !ready) return;
    setConfirming(null);
    run('The campaign was not launched', async () => {
      // A version has one campaign at a time: launching it again answers with the campaign that
      // is already under way (same id, its first plan kept), so compare with the list before.
      const before = await api.campaigns();
      const asked = {
        audiences: selectedAudiences,
        deadline: endOfSchoolDay(deadline),
        reminderDays,
      };
      const campaign = await api.launchCampaign({
        policyKey: choice.policy.key,
        versionNumber: choice.version.number,
        ...asked,
      });
      onLaunched();
      return launchMessage(campaign, before, asked);
    });
  };

  return (
    <section aria-labelledby="launch-heading" className={styles.stack}>
      <h2 id="launch-heading">Launch a campaign</h2>
      <Field label="Version to sign" className={styles.field}>
        <Select
          className={styles.select}
          value={choice.value}
          onChange={(_e, data) => {
            setChosen(data.value);
            setAudiences(null);
            setCard(null);
          }}
        >
          {published.map((p) => (
            <option key={p.value} value={p.value}>
              {published.some((o) => o.policy.key !== p.policy.key) ? `${p.policy.title}, ` : ''}
              Version {p.version.number} ({p.version.label})
            </option>
          ))}
        </Select>
      </Field>
      <fieldset className={styles.fieldset}>
        <legend className={styles.legend}>Audiences</legend>
        {choice.policy.audiences.map((a) => (
          <Checkbox
            key={a}
            label={a}
            checked={selectedAudiences.includes(a)}
            onChange={(_e, data) =>
              setAudiences(
                data.checked === true
                  ? [...selectedAudiences, a]
                  : selectedAudiences.filter((x) => x !== a),
              )
            }
          />
        ))}
      </fieldset>
      <div className={styles.row}>
        <Field label="Deadline (end of the day, school time)" required>
          <Input type="date" value={deadline} onChange={(_e, data) => setDeadline(data.value)} />
        </Field>
        <Field
          label="Reminders (days after launch)"
          {...(reminderDays === undefined
            ? { validationMessage: 'Whole numbers of days, for example 3, 7, 14.' }
            : {})}
        >
          <Input value={reminders} onChange={(_e, data) => setReminders(data.value)} />
        </Field>
      </div>
      <div className={styles.row}>
        <Button onClick={preview} disabled={busy}>
          Preview the card
        </Button>
        <Button onClick={sendTest} disabled={busy}>
          Send it to myself first
        </Button>
        <Button appearance="primary" onClick={askToLaunch} disabled={busy || !ready}>
          Launch campaign
        </Button>
        {busy && <Spinner size="tiny" label="Working…" />}
      </div>
      {confirming !== null && (
        <MessageBar intent="warning" role="alertdialog" aria-label="Confirm the launch">
          <MessageBarBody>
            <p>{confirming}</p>
            <div className={styles.row}>
              <Button appearance="primary" onClick={launch} disabled={busy}>
                Yes, launch it
              </Button>
              <Button onClick={() => setConfirming(null)} disabled={busy}>
                Not yet
              </Button>
            </div>
          </MessageBarBody>
        </MessageBar>
      )}
      {message !== null && (
        <MessageBar intent={message.intent}>
          <MessageBarBody>{message.text}</MessageBarBody>
        </MessageBar>
      )}
      {error !== null && <ErrorMessage title={error.title} error={error.error} />}
      {card !== null && <CardPreview card={card} />}
    </section>
  );
}
