// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MyAupView } from '../../teams-app/src/views/my-aup/my-aup-view.tsx';
import { SEED_DOCUMENT, startTabApi, type TabApi } from './tab-api.ts';
import { renderInTheme, sessionFor } from './render-view.tsx';

afterEach(cleanup);

const NOW = new Date('2026-03-10T10:30:00.000Z');

let running: TabApi | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** The real API (tab-api.ts) with version 1 published, nobody signed. */
async function start(): Promise<TabApi> {
  running = await startTabApi({ now: NOW });
  return running;
}

async function fillAndSign(name: string, role: string) {
  fireEvent.click(screen.getByRole('checkbox', { name: /accept the declaration/i }));
  fireEvent.change(screen.getByRole('textbox', { name: /your full name/i }), {
    target: { value: name },
  });
  fireEvent.change(screen.getByRole('textbox', { name: /your role/i }), {
    target: { value: role },
  });
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Sign' }));
    await Promise.resolve();
  });
}

describe('My AUP', () => {
  it('keeps Sign disabled until the declaration is accepted and a name typed', async () => {
    const api = await start();
    renderInTheme(<MyAupView session={sessionFor(api, 'staff')} />);
    await screen.findByRole('heading', { name: SEED_DOCUMENT.title });
    const sign = screen.getByRole('button', { name: 'Sign' });
    expect(sign).toHaveProperty('disabled', true);
    fireEvent.click(screen.getByRole('checkbox', { name: /accept the declaration/i }));
    expect(sign).toHaveProperty('disabled', true);
    fireEvent.change(screen.getByRole('textbox', { name: /your full name/i }), {
      target: { value: 'Sam Patel' },
    });
    expect(sign).toHaveProperty('disabled', false);
    // Without a role the form asks for one and sends nothing.
    await act(async () => {
      fireEvent.click(sign);
      await Promise.resolve();
    });
    expect(await screen.findByText('Enter your role.')).toBeInstanceOf(HTMLElement);
    expect(api.requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('shows the policy for my audience, signs it and shows the receipt and history', async () => {
    const api = await start();
    renderInTheme(<MyAupView session={sessionFor(api, 'staff')} />);
    await screen.findByRole('heading', { name: SEED_DOCUMENT.title });
    expect(screen.getByText(/report any safeguarding concern/)).toBeInstanceOf(HTMLElement);
    expect(screen.getByText('The school may use my photograph on its website.')).toBeInstanceOf(
      HTMLElement,
    );
    fireEvent.click(screen.getByRole('switch', { name: /photograph/ }));
    await fillAndSign('Sam Patel', 'Class teacher');

    const receipt = await screen.findByRole('region', { name: 'Your receipt' });
    const version = (await api.versions())[0];
    if (version === undefined) throw new Error('no version');
    expect(within(receipt).getByText(version.contentHash)).toBeInstanceOf(HTMLElement);
    expect(within(receipt).getByText('1 (Spring 2026)')).toBeInstanceOf(HTMLElement);
    // 10:30 UTC in March is 10:30 in London (GMT); en-GB wording.
    expect(within(receipt).getByText(/10 March 2026.*10:30/)).toBeInstanceOf(HTMLElement);
    expect(within(receipt).getByText('Waiting for Emma Bonnin (Headteacher)')).toBeInstanceOf(
      HTMLElement,
    );

    const ack = (await api.acknowledgements())[0];
    expect(ack).toMatchObject({
      userId: 'u-staff',
      typedName: 'Sam Patel',
      statedRole: 'Class teacher',
      versionNumber: 1,
      contentHash: version.contentHash,
      consents: { photo: true },
    });
    // History names each signature by its own version's title and label.
    const history = screen.getByRole('region', { name: 'My history' });
    await waitFor(() =>
      expect(
        within(history).getByText(
          new RegExp(`Staff Acceptable Use Policy, version ${version.label}`),
        ),
      ).toBeInstanceOf(HTMLElement),
    );
    expect(screen.queryByRole('button', { name: 'Sign' })).toBeNull();
  });

  it('does not show a governor the staff-only clause', async () => {
    const api = await start();
    renderInTheme(<MyAupView session={sessionFor(api, 'governor')} />);
    await screen.findByRole('heading', { name: SEED_DOCUMENT.title });
    expect(screen.queryByText(/report any safeguarding concern/)).toBeNull();
  });

  it('highlights what changed since I signed: new, reworded and removed clauses', async () => {
    const api = await start();
    await api.seedSignature('staff', '2026-01-10T09:00:00.000Z');
    const next = structuredClone(SEED_DOCUMENT);
    const clauses = next.sections[1]?.clauses;
    if (clauses === undefined) throw new Error('seed changed');
    clauses[0] = {
      number: '1',
      text: 'I will only use school systems and school devices for professional purposes.',
      items: [],
    };
    clauses.splice(2, 1, {
      number: '3',
      text: 'I will lock my screen whenever I leave my computer unattended.',
      items: [],
    });
    await api.publishVersion(next, 'Summer 2026', 'material');

    renderInTheme(<MyAupView session={sessionFor(api, 'staff')} />);
    const changes = await screen.findByRole('region', {
      name: 'What changed since you signed version 1',
    });
    expect(within(changes).getByText('1 new clause, 1 reworded, 1 removed')).toBeInstanceOf(
      HTMLElement,
    );
    expect(within(changes).getByRole('heading', { name: 'Removed clauses' })).toBeInstanceOf(
      HTMLElement,
    );
    expect(within(changes).getByText(/report any safeguarding concern/)).toBeInstanceOf(
      HTMLElement,
    );

    const added = screen.getByText(/lock my screen/).closest('li');
    expect(added && within(added).getByText('New')).toBeInstanceOf(HTMLElement);
    const reworded = screen.getByText(/and school devices/).closest('li');
    expect(reworded && within(reworded).getByText('Reworded')).toBeInstanceOf(HTMLElement);
    expect(
      reworded && within(reworded).getByText(/^I will only use school systems for/),
    ).toBeInstanceOf(HTMLElement);
    const unchanged = screen.getByText(/keep my passwords private/).closest('li');
    expect(unchanged && within(unchanged).queryByText(/New|Reworded/)).toBeNull();
  });

  it('refuses to sign an outdated version and shows the current one', async () => {
    const api = await start();
    renderInTheme(<MyAupView session={sessionFor(api, 'staff')} />);
    await screen.findByRole('heading', { name: SEED_DOCUMENT.title });
    const next = structuredClone(SEED_DOCUMENT);
    next.title = 'Staff Acceptable Use Policy 2026';
    await api.publishVersion(next, 'Summer 2026', 'material');
    await fillAndSign('Sam Patel', 'Teacher');
    expect(await screen.findByText(/newer version of this policy was published/)).toBeInstanceOf(
      HTMLElement,
    );
    expect(await api.acknowledgements()).toHaveLength(0);
    await screen.findByRole('heading', { name: 'Staff Acceptable Use Policy 2026' });
  });
});
