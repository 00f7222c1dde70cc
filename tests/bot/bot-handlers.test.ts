import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { botCardRenderer, recordsDecisionFinder, type AdaptiveCard } from '../../src/bot/index.ts';
import { localBotToken } from '../../src/dev/local-bot-token.ts';
import { GraphUnavailableError } from '../../src/adapters/graph/graph-gateway.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import type { CountersignService } from '../../src/services/countersign-service.ts';
import { actorOf, BotWorld, people } from './bot-harness.ts';
import { config, currentDocument, previousDocument } from './card-fixtures.ts';
import { executeData } from './card-walk.ts';
import { cardProblems } from './validate-card.ts';

interface CardResponse {
  statusCode: number;
  type: string;
  value: AdaptiveCard;
}

/** The card an invoke answered with (it replaces the card acted on); checked for validity too. */
function answeredCard(response: { status: number; body: unknown }): AdaptiveCard {
  expect(response.status).toBe(200);
  const body = response.body as CardResponse;
  expect(body.statusCode).toBe(200);
  expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
  expect(cardProblems(body.value)).toEqual([]);
  return body.value;
}

const headingOf = (card: AdaptiveCard): string =>
  (card.body[0] as { text?: string } | undefined)?.text ?? '';

let world: BotWorld;

beforeEach(async () => {
  world = new BotWorld();
  await world.publish('Autumn 2025', previousDocument);
  await world.start();
});

afterEach(async () => {
  await world.stop();
  // Every test: nothing the bot did was logged as an error.
  expect(world.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
});

/** Opens the prompt as the person would ("Sign now" on the status card) and signs it. */
async function signFromCard(
  from = people.staff,
  inputs: Record<string, unknown> = {
    declarationAccepted: 'true',
    typedName: 'Sam Okafor',
    statedRole: 'Year 4 class teacher',
    'consent-photo': 'true',
    'consent-contact': 'false',
  },
) {
  const prompt = answeredCard(
    await world.invoke(from, { action: 'showPrompt', policyKey: 'staff-aup', userId: from.id }),
  );
  const sign = executeData(prompt, 'sign');
  return { prompt, sign, response: await world.invoke(from, { ...sign, ...inputs }) };
}

describe('older Teams clients: the Action.Submit fallback', () => {
  const inputs = {
    declarationAccepted: 'true',
    typedName: 'Sam Okafor',
    statedRole: 'Year 4 class teacher',
  };

  test('the fallback of Sign signs for the sender, and the receipt comes as a message', async () => {
    const prompt = answeredCard(
      await world.invoke(people.staff, {
        action: 'showPrompt',
        policyKey: 'staff-aup',
        userId: people.staff.id,
      }),
    );
    // The prompt the invoke answered with refreshes for its reader by MRI.
    expect(prompt.refresh?.userIds).toEqual([`29:${people.staff.id}`]);
    const sign = executeData(prompt, 'sign');
    const button = JSON.stringify(prompt.actions);
    expect(button).toContain('"fallback":{"type":"Action.Submit"');
    const before = world.connector.sent().length;
    const response = await world.submit(people.staff, { ...sign, ...inputs });
    expect(response.status).toBe(200);
    const sent = world.connector.sent().slice(before);
    expect(sent).toHaveLength(1);
    const receipt = sent[0]?.attachments?.[0]?.content as AdaptiveCard;
    expect(cardProblems(receipt)).toEqual([]);
    expect(headingOf(receipt)).toContain('Signed: ');
    const acks = await world.records.listAcknowledgements({ userId: people.staff.id });
    expect(acks.map((a) => [a.userId, a.channel])).toEqual([[people.staff.id, 'card']]);
  });

  test('a fallback submit of someone else’s card is refused and audited, as the invoke is', async () => {
    const prompt = answeredCard(
      await world.invoke(people.staff, {
        action: 'showPrompt',
        policyKey: 'staff-aup',
        userId: people.staff.id,
      }),
    );
    const sign = executeData(prompt, 'sign');
    await world.submit(people.other, { ...sign, ...inputs, typedName: 'Rhian Price' });
    const answer = world.connector.sent().at(-1)?.attachments?.[0]?.content as AdaptiveCard;
    expect(headingOf(answer)).toBe('This card is not for you');
    expect(await world.records.listAcknowledgements({})).toEqual([]);
    expect(world.audit.map((e) => e.actorId)).toContain(people.other.id);
  });

  test('a fallback approve from someone without the approver role is refused', async () => {
    await signFromCard();
    const [ack] = await world.records.listAcknowledgements({ userId: people.staff.id });
    if (ack === undefined) throw new Error('signed above');
    await world.submit(people.other, { action: 'approve', acknowledgementId: ack.id });
    const answer = world.connector.sent().at(-1)?.attachments?.[0]?.content as AdaptiveCard;
    expect(headingOf(answer)).toBe('Not allowed');
    expect((await world.records.listApprovals({}))[0]?.value.decision).toBe('pending');
  });

  test('a message value that is not card data is an ordinary message', async () => {
    const before = world.connector.sent().length;
    await world.post({ ...messageShape(), value: { something: 'else' } });
    const sent = world.connector.sent().slice(before);
    expect(sent).toHaveLength(1);
    expect(typeof sent[0]?.text).toBe('string');
  });
});

/** A message activity as the harness sends one, to vary its value. */
function messageShape(): Record<string, unknown> {
  return {
    type: 'message',
    id: 'incoming-value',
    channelId: 'msteams',
    serviceUrl: world.connectorUrl,
    from: { id: `29:${people.staff.id}`, name: people.staff.name, aadObjectId: people.staff.id },
    recipient: { id: '28:countersign-bot', name: 'Countersign' },
    conversation: {
      id: `a:personal-${people.staff.id}`,
      conversationType: 'personal',
      tenantId: 'tenant-1',
    },
    channelData: { tenant: { id: 'tenant-1' } },
  };
}

describe('messages', () => {
  test('"status" answers with my status card, and the conversation is remembered', async () => {
    const response = await world.message(people.staff, 'status');
    expect(response.status).toBe(200);
    const sent = world.connector.sent();
    expect(sent).toHaveLength(1);
    const attachment = sent[0]?.attachments?.[0];
    expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardProblems(attachment?.content)).toEqual([]);
    expect(headingOf(attachment?.content as AdaptiveCard)).toBe('Your policies');
    expect(JSON.stringify(attachment?.content)).toContain('Please sign Autumn 2025.');
    expect(executeData(attachment?.content, 'showPrompt')).toEqual({
      action: 'showPrompt',
      policyKey: 'staff-aup',
      userId: people.staff.id,
    });
    expect(world.notified).toContainEqual({
      kind: 'conversationSeen',
      input: {
        userId: people.staff.id,
        conversationId: `a:personal-${people.staff.id}`,
        serviceUrl: world.connectorUrl,
        tenantId: 'tenant-1',
        userMri: `29:${people.staff.id}`,
      },
    });
  });

  test('"help" answers with the help card', async () => {
    await world.message(people.staff, ' Help ');
    const card = world.connector.sent()[0]?.attachments?.[0]?.content as AdaptiveCard;
    expect(headingOf(card)).toBe('Countersign');
    expect(cardProblems(card)).toEqual([]);
  });

  test('installing the app greets the person with the help card', async () => {
    const response = await world.installed(people.staff);
    expect(response.status).toBe(200);
    const card = world.connector.sent()[0]?.attachments?.[0]?.content as AdaptiveCard;
    expect(headingOf(card)).toBe('Countersign');
    // The install is where the bot first learns the person's Teams user id (from.id): kept
    // with the conversation for the refresh of the cards it sends them later.
    expect(world.notified).toContainEqual({
      kind: 'conversationSeen',
      input: {
        userId: people.staff.id,
        conversationId: `a:personal-${people.staff.id}`,
        serviceUrl: world.connectorUrl,
        tenantId: 'tenant-1',
        userMri: `29:${people.staff.id}`,
      },
    });
  });

  test('with a client id, replies carry the local token the SDK accepts', async () => {
    await world.stop();
    world = new BotWorld();
    await world.publish('Autumn 2025', previousDocument);
    await world.start({ clientId: 'countersign-local', token: localBotToken('countersign-local') });
    await world.message(people.staff, 'help');
    expect(world.connector.sent()).toHaveLength(1);
    expect(world.connector.calls[0]?.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.$/);
  });

  test('"sign" answers with my sign card for the policy that is due, ready to sign', async () => {
    const response = await world.message(people.staff, 'Sign');
    expect(response.status).toBe(200);
    const sent = world.connector.sent();
    expect(sent).toHaveLength(1);
    const card = sent[0]?.attachments?.[0]?.content as AdaptiveCard;
    expect(cardProblems(card)).toEqual([]);
    const sign = executeData(card, 'sign');
    expect(sign).toMatchObject({ action: 'sign', policyKey: 'staff-aup', versionNumber: 1 });
    // The card it sent signs, for the person who asked.
    const receipt = answeredCard(
      await world.invoke(people.staff, {
        ...sign,
        declarationAccepted: 'true',
        typedName: 'Sam Okafor',
        statedRole: 'Year 4 class teacher',
      }),
    );
    expect(headingOf(receipt)).toContain('Signed: ');
  });

  test('"sign" with nothing due answers with my status card, which says what I signed', async () => {
    await signFromCard();
    const before = world.connector.sent().length;
    await world.message(people.staff, 'sign');
    const sent = world.connector.sent().slice(before);
    expect(sent).toHaveLength(1);
    const card = sent[0]?.attachments?.[0]?.content as AdaptiveCard;
    expect(headingOf(card)).toBe('Your policies');
    expect(JSON.stringify(card)).not.toContain('"verb":"sign"');
  });

  test('anything else gets a short help text', async () => {
    await world.message(people.staff, 'what is this?');
    const sent = world.connector.sent();
    expect(sent[0]?.text).toContain('Type "sign" to sign what is due');
    expect(sent[0]?.attachments ?? []).toEqual([]);
  });
});

describe('signing from a card', () => {
  test('Sign stores the acknowledgement as the activity’s sender and replaces the card with the receipt', async () => {
    const { sign, response } = await signFromCard();
    const receipt = answeredCard(response);
    expect(headingOf(receipt)).toContain('Signed: ');
    expect(JSON.stringify(receipt)).toContain('5 March 2026 at 14:07 GMT');

    const acks = await world.records.listAcknowledgements({ policyKey: 'staff-aup' });
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({
      userId: people.staff.id,
      upn: people.staff.upn,
      displayName: people.staff.name,
      typedName: 'Sam Okafor',
      statedRole: 'Year 4 class teacher',
      channel: 'card',
      versionNumber: 1,
      contentHash: sign['contentHash'],
      consents: { photo: true, contact: false },
      approvalState: 'pending',
    });
    expect(JSON.stringify(receipt)).toContain(acks[0]?.contentHash);
    // First signature of a first-signature policy: the approvers are told.
    expect(world.notified.map((n) => n.kind)).toContain('approvalNeeded');
  });

  test('the prompt asks for the tab’s “I have read this policy” as a required toggle, and shows the clauses', async () => {
    const prompt = answeredCard(
      await world.invoke(people.staff, {
        action: 'showPrompt',
        policyKey: 'staff-aup',
        userId: people.staff.id,
      }),
    );
    const json = JSON.stringify(prompt);
    expect(json).toContain(
      '"type":"Input.Toggle","id":"declarationAccepted","title":"I have read this policy and I accept the declaration above"',
    );
    expect(json).toContain('"isRequired":true');
    expect(json).toContain('"targetElements":["policy-text"]');
  });

  for (const [what, accepted] of [
    ['without the toggle (a forged Action.Execute)', {}],
    ['with the toggle off', { declarationAccepted: 'false' }],
    ['with the toggle as a boolean true', { declarationAccepted: true }],
    ['with the toggle as "TRUE"', { declarationAccepted: 'TRUE' }],
  ] as const) {
    test(`a Sign ${what} is refused by the bot, stores nothing and asks for the tick`, async () => {
      const { response } = await signFromCard(people.staff, {
        ...accepted,
        typedName: 'Sam Okafor',
        statedRole: 'Year 4 class teacher',
      });
      const card = answeredCard(response);
      const json = JSON.stringify(card);
      expect(json).toContain(
        'Tick “I have read this policy and I accept the declaration above” to sign. Nothing was signed.',
      );
      // The form is offered again with what was typed, the toggle unticked.
      expect(json).toContain('"value":"Sam Okafor"');
      expect(json).toContain('"id":"declarationAccepted"');
      expect(executeData(card, 'sign')['versionNumber']).toBe(1);
      expect(await world.records.listAcknowledgements({})).toEqual([]);
      expect(world.notified.map((n) => n.kind)).not.toContain('approvalNeeded');
    });
  }

  test('a missing typed name shows the prompt again with the error, and stores nothing', async () => {
    const { response } = await signFromCard(people.staff, {
      declarationAccepted: 'true',
      typedName: '  ',
      statedRole: 'Teaching assistant',
    });
    const card = answeredCard(response);
    const json = JSON.stringify(card);
    expect(json).toContain('Type your full name to sign.');
    expect(json).toContain('"value":"Teaching assistant"');
    expect(executeData(card, 'sign')['versionNumber']).toBe(1);
    expect(await world.records.listAcknowledgements({})).toEqual([]);
  });

  test('a typed name with a text-direction character is refused on the card and must be typed again', async () => {
    const { response } = await signFromCard(people.staff, {
      declarationAccepted: 'true',
      typedName: 'Sam \u202Eiforako\u202C',
      statedRole: 'Teaching assistant',
    });
    const card = answeredCard(response);
    const json = JSON.stringify(card);
    expect(json).toContain(
      'Your typed name contains an invisible or text-direction character; please type it again without copying and pasting.',
    );
    // The role is kept; the name is not prefilled, so the hidden character cannot survive.
    expect(json).toContain('"value":"Teaching assistant"');
    expect(json).not.toContain('\u202E');
    expect(executeData(card, 'sign')['versionNumber']).toBe(1);
    expect(await world.records.listAcknowledgements({})).toEqual([]);
  });

  test('an outdated card answers with the current prompt and never signs the old version', async () => {
    const prompt = answeredCard(
      await world.invoke(people.staff, {
        action: 'showPrompt',
        policyKey: 'staff-aup',
        userId: people.staff.id,
      }),
    );
    const oldSign = executeData(prompt, 'sign');
    await world.publish('Spring 2026', currentDocument);

    const card = answeredCard(
      await world.invoke(people.staff, {
        ...oldSign,
        declarationAccepted: 'true',
        typedName: 'Sam Okafor',
        statedRole: 'Year 4 class teacher',
      }),
    );
    const newSign = executeData(card, 'sign');
    expect(newSign['versionNumber']).toBe(2);
    expect(newSign['contentHash']).not.toBe(oldSign['contentHash']);
    expect(JSON.stringify(card)).toContain('A newer version (Spring 2026) was published');
    expect(await world.records.listAcknowledgements({})).toEqual([]);
  });

  test('refreshing a prompt after signing shows the receipt', async () => {
    const { sign } = await signFromCard();
    const card = answeredCard(
      await world.invoke(people.staff, {
        action: 'refreshPrompt',
        policyKey: 'staff-aup',
        versionNumber: sign['versionNumber'],
        userId: people.staff.id,
      }),
    );
    expect(headingOf(card)).toContain('Signed: ');
  });

  test('a card acted on by someone it was not sent to is refused and audited', async () => {
    const prompt = answeredCard(
      await world.invoke(people.staff, {
        action: 'showPrompt',
        policyKey: 'staff-aup',
        userId: people.staff.id,
      }),
    );
    const sign = executeData(prompt, 'sign');
    const card = answeredCard(
      await world.invoke(people.other, {
        ...sign,
        declarationAccepted: 'true',
        typedName: 'Sam Okafor',
        statedRole: 'Year 4 class teacher',
      }),
    );
    expect(headingOf(card)).toBe('This card is not for you');
    expect(await world.records.listAcknowledgements({})).toEqual([]);
    const audit = await world.records.listAudit({ type: 'card.identity-mismatch' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorId: people.other.id,
      subject: 'staff-aup:v1',
      details: { verb: 'sign', cardUserId: people.staff.id },
    });
  });

  test("Sign on the admin's preview card ('send it to myself') pressed by someone else is refused as another person's card", async () => {
    // The card the campaign service previews and sends to the admin (preview-card.ts,
    // send-test.ts: a prompt addressed to the admin), drawn by the bot's own card renderer.
    const policy = (await world.records.getPolicy('staff-aup'))?.value;
    const version = (await world.records.listVersions('staff-aup')).at(-1)?.value;
    if (policy === undefined || version === undefined) throw new Error('no published policy');
    const preview = botCardRenderer(config).prompt({
      kind: 'test',
      recipient: { userId: people.admin.id, displayName: people.admin.name },
      policy,
      version,
    });
    const card = preview.attachments?.[0]?.content as AdaptiveCard;
    const sign = executeData(card, 'sign');
    expect(sign['userId']).toBe(people.admin.id);
    const answer = answeredCard(
      await world.invoke(people.staff, {
        ...sign,
        declarationAccepted: 'true',
        typedName: 'Sam Okafor',
        statedRole: 'Year 4 class teacher',
      }),
    );
    expect(headingOf(answer)).toBe('This card is not for you');
    expect(await world.records.listAcknowledgements({})).toEqual([]);
    expect(await world.records.listAudit({ type: 'card.identity-mismatch' })).toMatchObject([
      {
        actorId: people.staff.id,
        subject: `staff-aup:v${version.number}`,
        details: { verb: 'sign', cardUserId: people.admin.id },
      },
    ]);
  });

  test('an invoke that carries no Entra id is refused', async () => {
    const card = answeredCard(
      await world.post({
        type: 'invoke',
        name: 'adaptiveCard/action',
        id: 'no-aad',
        channelId: 'msteams',
        serviceUrl: world.connectorUrl,
        from: { id: 'webchat-user', name: 'Someone' },
        recipient: { id: '28:countersign-bot', name: 'Countersign' },
        conversation: { id: 'webchat-1' },
        value: {
          action: {
            type: 'Action.Execute',
            verb: 'showPrompt',
            data: { action: 'showPrompt', policyKey: 'staff-aup' },
          },
        },
      }),
    );
    expect(headingOf(card)).toBe('Not signed in');
  });

  test('card data the bot does not accept gets an error card', async () => {
    const card = answeredCard(
      await world.invoke(people.staff, { action: 'sign', policyKey: 'staff-aup' }),
    );
    expect(headingOf(card)).toBe('This card is out of date');
  });
});

describe('approvals from a card', () => {
  async function pendingSignature(): Promise<string> {
    await signFromCard();
    const [pending] = await world.service.pendingApprovals(
      actorOf(people.head, ['Policy.Approver']),
    );
    if (pending === undefined) throw new Error('expected a pending approval');
    return pending.acknowledgement.id;
  }

  test('the approver approves, with additional permissions: the card shows the result', async () => {
    const acknowledgementId = await pendingSignature();
    const card = answeredCard(
      await world.invoke(people.head, {
        action: 'approve',
        acknowledgementId,
        additionalPermissions: 'Remote access,Finance systems',
        comment: '',
      }),
    );
    expect(headingOf(card)).toBe(`Approved: ${people.staff.name}`);
    expect(JSON.stringify(card)).toContain(people.head.name);
    const approvals = await world.records.listApprovals({});
    expect(approvals[0]?.value).toMatchObject({
      decision: 'approved',
      approverId: people.head.id,
      additionalPermissions: ['Remote access', 'Finance systems'],
    });
    const decided = world.notified.find((n) => n.kind === 'approvalDecided');
    expect(decided?.input).toMatchObject({ approval: { decision: 'approved' }, card });
  });

  test('rejecting needs a reason; with one, the card shows the rejection', async () => {
    const acknowledgementId = await pendingSignature();
    const again = answeredCard(
      await world.invoke(people.head, { action: 'reject', acknowledgementId, comment: ' ' }),
    );
    expect(JSON.stringify(again)).toContain('Give a reason when you reject.');
    expect(executeData(again, 'reject')['acknowledgementId']).toBe(acknowledgementId);

    const card = answeredCard(
      await world.invoke(people.head, {
        action: 'reject',
        acknowledgementId,
        comment: 'DBS check not yet returned.',
      }),
    );
    expect(headingOf(card)).toBe(`Not approved: ${people.staff.name}`);
    expect((await world.records.listApprovals({}))[0]?.value.decision).toBe('rejected');
  });

  test('someone without the approver role is refused and nothing is decided', async () => {
    const acknowledgementId = await pendingSignature();
    const card = answeredCard(
      await world.invoke(people.other, { action: 'approve', acknowledgementId }),
    );
    expect(headingOf(card)).toBe('Not allowed');
    expect(JSON.stringify(card)).toContain('Policy.Approver');
    expect((await world.records.listApprovals({}))[0]?.value.decision).toBe('pending');
  });

  test('while pending, an approver’s card refreshes to the request', async () => {
    const acknowledgementId = await pendingSignature();
    const card = answeredCard(
      await world.invoke(people.head, { action: 'refreshApproval', acknowledgementId }),
    );
    expect(headingOf(card)).toBe('Approval needed');
    // By MRI, the activity's from.id, as Teams documents userIds: never the Entra object id.
    expect(card.refresh?.userIds).toEqual([`29:${people.head.id}`]);
  });

  test('once decided, an approver’s card refreshes to who decided (findDecision)', async () => {
    await world.stop();
    world = new BotWorld();
    await world.publish('Autumn 2025', previousDocument);
    await world.start({ findDecision: recordsDecisionFinder(world.records) });
    const acknowledgementId = await pendingSignature();
    await world.invoke(people.head, { action: 'approve', acknowledgementId });
    const card = answeredCard(
      await world.invoke(people.head, { action: 'refreshApproval', acknowledgementId }),
    );
    expect(headingOf(card)).toBe(`Approved: ${people.staff.name}`);
    expect(JSON.stringify(card)).toContain(people.head.name);
  });

  test('without findDecision, a decided request refreshes to a short note', async () => {
    const acknowledgementId = await pendingSignature();
    await world.invoke(people.head, { action: 'approve', acknowledgementId });
    const card = answeredCard(
      await world.invoke(people.head, { action: 'refreshApproval', acknowledgementId }),
    );
    expect(headingOf(card)).toBe('Already decided');
  });
});

/**
 * The real service with faults after its writes: `getVersion` fails once a signature or a
 * decision is stored, and `sign` may store and then throw (an audit write or a reply lost).
 */
function faultyService(
  real: CountersignService,
  faults: {
    readAfterWrite?: boolean;
    signThrowsAfterStoring?: Error;
    /** The first N signs are refused by an open circuit (Graph down), before any write. */
    signsRefusedWhileDown?: number;
    /** After the first refused sign and while signs are still refused, reads are refused too. */
    readsRefusedWhileDown?: boolean;
  },
): CountersignService {
  let written = false;
  const refusable = faults.signsRefusedWhileDown ?? 0;
  let refusals = refusable;
  const down = (): boolean => refusals > 0;
  return {
    ...real,
    myPolicies: (actor) =>
      down() && refusals < refusable && faults.readsRefusedWhileDown === true
        ? Promise.reject(new GraphUnavailableError(7_000))
        : real.myPolicies(actor),
    sign: async (actor, input) => {
      if (down()) {
        refusals -= 1;
        throw new GraphUnavailableError(7_000);
      }
      const outcome = await real.sign(actor, input);
      written = true;
      if (faults.signThrowsAfterStoring !== undefined) throw faults.signThrowsAfterStoring;
      return outcome;
    },
    decide: async (actor, input) => {
      const approval = await real.decide(actor, input);
      written = true;
      return approval;
    },
    getVersion: (actor, key, n) =>
      written && faults.readAfterWrite === true
        ? Promise.reject(new CountersignError('upstream', 'SharePoint answered 503'))
        : real.getVersion(actor, key, n),
  };
}

/** The error lines logged since the test began, taken out so the afterEach check passes. */
function takeErrors(): string[] {
  const errors = world.logger.lines.filter((l) => l.level === 'error');
  world.logger.lines.splice(0, world.logger.lines.length);
  return errors.map((l) => String(l.msg[0]));
}

describe('failures after a signature or decision is stored', () => {
  async function restart(faults: Parameters<typeof faultyService>[1]): Promise<void> {
    await world.stop();
    world = new BotWorld();
    await world.publish('Autumn 2025', previousDocument);
    await world.start({ service: faultyService(world.service, faults) });
  }

  test('a failed version read after signing still answers with the receipt, from the acknowledgement', async () => {
    await restart({ readAfterWrite: true });
    const { response } = await signFromCard();
    const receipt = answeredCard(response);
    const json = JSON.stringify(receipt);
    expect(headingOf(receipt)).toBe('Signed: staff-aup');
    expect(json).toContain('Your signature is recorded.');
    expect(json).toContain('Version 1');
    expect(json).not.toContain('Nothing was saved');
    const acks = await world.records.listAcknowledgements({ policyKey: 'staff-aup' });
    expect(acks).toHaveLength(1);
    expect(json).toContain(acks[0]?.contentHash);
    // The approvers' card comes from the service, which has the version it signed: still sent.
    expect(world.notified.map((n) => n.kind)).toContain('approvalNeeded');
    expect(takeErrors()).toEqual([
      'reading the version after a stored write failed; answering without it',
    ]);
  });

  test('a 5xx from sign after it stored the signature says it may not have been saved, and where to check', async () => {
    await restart({
      signThrowsAfterStoring: new CountersignError('upstream', 'SharePoint answered 503'),
    });
    const { response } = await signFromCard();
    const card = answeredCard(response);
    const json = JSON.stringify(card);
    expect(headingOf(card)).toBe('Your signature may not have been saved');
    expect(json).toContain('My AUP');
    expect(json).toContain('type \\"status\\"');
    expect(json).not.toContain('Nothing was saved');
    expect(await world.records.listAcknowledgements({ policyKey: 'staff-aup' })).toHaveLength(1);
    expect(takeErrors()).toEqual(['sign failed with its outcome unknown']);

    // Checking, as the card says, shows the signature is recorded.
    const check = answeredCard(
      await world.invoke(people.staff, {
        action: 'showPrompt',
        policyKey: 'staff-aup',
        userId: people.staff.id,
      }),
    );
    expect(headingOf(check)).toContain('Signed: ');
  });

  test('a sign refused while Microsoft 365 is down says plainly it was not taken, keeps what was typed, and signing again after it returns stores one row', async () => {
    await restart({ signsRefusedWhileDown: 1 });
    const { response } = await signFromCard();
    const card = answeredCard(response);
    const json = JSON.stringify(card);
    expect(json).toContain('Your signature was not taken');
    expect(json).toContain('Press Sign again in about 7 seconds');
    expect(json).toContain('Sam Okafor');
    // The tick is kept with what was typed: Sign again is one press.
    expect(json).toMatch(/"id":"declarationAccepted"[^}]*"value":"true"/);
    expect(await world.records.listAcknowledgements({ policyKey: 'staff-aup' })).toHaveLength(0);
    expect(world.logger.lines.map((l) => l.msg[0])).toContain(
      'sign refused while Microsoft 365 is not answering; nothing was written',
    );

    // Graph is back: Sign on the same card, as it asked.
    const again = answeredCard(
      await world.invoke(people.staff, {
        ...executeData(card, 'sign'),
        declarationAccepted: 'true',
        typedName: 'Sam Okafor',
        statedRole: 'Year 4 class teacher',
      }),
    );
    expect(headingOf(again)).toContain('Signed: ');
    expect(await world.records.listAcknowledgements({ policyKey: 'staff-aup' })).toHaveLength(1);
  });

  test('when even the prompt cannot be read while Microsoft 365 is down, the card still says the signature was not taken', async () => {
    await restart({ signsRefusedWhileDown: 2, readsRefusedWhileDown: true });
    const { response } = await signFromCard();
    const card = answeredCard(response);
    expect(headingOf(card)).toBe('Your signature was not taken');
    expect(JSON.stringify(card)).toContain('Try again in about 7 seconds');
    expect(JSON.stringify(card)).toContain('Reference: unavailable');
    expect(await world.records.listAcknowledgements({ policyKey: 'staff-aup' })).toHaveLength(0);
  });

  test('an unexpected error from sign gets the same honest answer, not a fault', async () => {
    await restart({ signThrowsAfterStoring: new Error('socket hang up') });
    const { response } = await signFromCard();
    const card = answeredCard(response);
    expect(headingOf(card)).toBe('Your signature may not have been saved');
    expect(JSON.stringify(card)).toContain('Reference: upstream');
    expect(takeErrors()).toEqual(['sign failed with its outcome unknown']);
  });

  test('a failed version read after a decision still shows the decision', async () => {
    await restart({ readAfterWrite: true });
    await signFromCard();
    takeErrors();
    const [pending] = await world.service.pendingApprovals(
      actorOf(people.head, ['Policy.Approver']),
    );
    const card = answeredCard(
      await world.invoke(people.head, {
        action: 'approve',
        acknowledgementId: pending?.acknowledgement.id,
        comment: '',
      }),
    );
    expect(headingOf(card)).toBe(`Approved: ${people.staff.name}`);
    expect(JSON.stringify(card)).toContain('staff-aup, version 1');
    expect((await world.records.listApprovals({}))[0]?.value.decision).toBe('approved');
    expect(world.notified.map((n) => n.kind)).toContain('approvalDecided');
    expect(takeErrors()).toEqual([
      'reading the version after a stored write failed; answering without it',
    ]);
  });
});
