import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createCampaignService } from '../../src/services/campaigns/campaign-service.ts';
import { placeholderCards } from '../../src/services/campaigns/placeholder-cards.ts';
import { startVirtualRig, VirtualTiming, type Rig } from './fixtures.ts';
import { admin, publishVersion, school, sign, teacher, world } from './world.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('a person’s reminders and deliveries (the person page)', () => {
  it('lists what was sent to one person, when, and what became of it, in words', async () => {
    const timing = new VirtualTiming();
    rig = await startVirtualRig(timing);
    const w = await world(4);
    const service = createCampaignService({
      records: w.records,
      directory: w.directory,
      work: rig.work,
      messenger: rig.messenger,
      cards: placeholderCards,
      school,
      clock: { now: () => new Date(timing.now()) },
      timing,
      newId: randomUUID,
      holderId: 'instance-a',
      sender: { idlePollMs: 50 },
      totalsEveryMs: 10_000,
      onError: (error) => {
        throw error;
      },
    });
    const v1 = await publishVersion(
      w.records,
      1,
      new Date(timing.now() - 86_400_000 * 200).toISOString(),
    );
    await sign(w.records, v1, 's-00001', new Date(timing.now() - 86_400_000).toISOString());
    rig.emulator.blockUsers(['s-00002']);
    const deadline = new Date(timing.now() + 21 * 86_400_000).toISOString();
    await service.launch(admin, { policyKey: 'staff-aup', versionNumber: 1, deadline });
    service.startSender();
    await service.sender.untilIdle();
    await service.stop();

    const sent = await service.personDeliveries(admin, 'staff-aup', 's-00003');
    expect(sent.notes).toEqual([]);
    expect(sent.deliveries).toHaveLength(1);
    expect(sent.deliveries[0]).toMatchObject({
      kind: 'prompt',
      what: 'Campaign: the card asking them to sign',
      versionNumber: 1,
      state: 'sent',
      outcome: 'Sent',
    });
    // UK words in the school's zone, never UTC with milliseconds.
    expect(sent.deliveries[0]?.atLocal).toMatch(
      /^\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} (GMT|BST)$/,
    );
    expect(sent.deliveries[0]?.deadlineLocal).toMatch(/ (GMT|BST)$/);

    const blocked = await service.personDeliveries(admin, 'staff-aup', 's-00002');
    expect(blocked.deliveries[0]).toMatchObject({ state: 'failed' });
    expect(blocked.deliveries[0]?.outcome).toMatch(/^Could not be delivered: 403 /);

    const signed = await service.personDeliveries(admin, 'staff-aup', 's-00001');
    expect(signed.deliveries[0]).toMatchObject({
      state: 'skipped',
      outcome: 'Not sent: already signed',
    });

    // No such policy (or another school's: the records are the school's view), and nobody who
    // was never sent anything.
    await expect(service.personDeliveries(admin, 'other-aup', 's-00003')).rejects.toMatchObject({
      code: 'not-found',
    });
    expect((await service.personDeliveries(admin, 'staff-aup', 'nobody')).deliveries).toEqual([]);
    await expect(service.personDeliveries(teacher, 'staff-aup', 's-00003')).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});
