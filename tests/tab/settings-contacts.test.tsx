// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsPanel } from '../../teams-app/src/views/admin/settings-panel.tsx';
import { renderInTheme, sessionFor } from './render-view.tsx';
import { startTabApi, type TabApi } from './tab-api.ts';

afterEach(cleanup);

let running: TabApi | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const type = (label: RegExp | string, value: string) =>
  fireEvent.change(screen.getByRole('textbox', { name: label }), { target: { value } });

describe('School settings: contacts', () => {
  it('the admin adds the DSL, saves, and the history names the contacts; a wrong key is named before anything is sent', async () => {
    running = await startTabApi({ now: new Date('2026-03-10T10:30:00.000Z') });
    renderInTheme(<SettingsPanel api={sessionFor(running, 'dsl').api} />);
    await screen.findByRole('form', { name: 'School settings' });

    const add = screen.getByRole('button', { name: 'Add a contact' });
    fireEvent.click(add);
    // Focus goes to the new contact's key.
    const key = await screen.findByRole('textbox', { name: /^Key of contact 1/ });
    await waitFor(() => expect(document.activeElement).toBe(key));
    type(/^Key of contact 1/, 'DSL lead');
    type(/^Name of DSL lead/, 'Dana Lee');
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    const problems = await screen.findByRole('list', { name: 'Before saving' });
    expect(problems.textContent).toBe(
      'Contact 1 (DSL lead), key: a contact key is lower-case letters, digits and hyphens.',
    );
    expect(running.requests.filter((r) => r.method === 'PUT')).toEqual([]);

    type(/^Key of DSL lead/, 'dsl');
    type(/^Role of dsl/, 'Designated Safeguarding Lead');
    type(/^How to reach dsl/, 'dsl@oakfield.example, ext. 214');
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await screen.findByText('Saved: contacts.');

    const history = screen.getByRole('region', { name: 'History of changes' });
    await waitFor(() => expect(within(history).getAllByRole('listitem')).toHaveLength(2));
    expect(within(history).getAllByRole('listitem')[0]?.textContent).toMatch(
      /revision 2 by Dana Lee \(admin\) changed contacts$/,
    );
    // Stored as the settings API stores them: the role and detail kept, trimmed.
    const stored = await fetchSettings(running);
    expect(stored.settings.contacts).toEqual([
      {
        key: 'dsl',
        name: 'Dana Lee',
        role: 'Designated Safeguarding Lead',
        detail: 'dsl@oakfield.example, ext. 214',
      },
    ]);

    // Removed again: focus back on Add, and the save stores no contacts.
    fireEvent.click(await screen.findByRole('button', { name: 'Remove contact dsl' }));
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Add a contact' })),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(async () =>
      expect((await fetchSettings(running as TabApi)).settings.contacts).toBeUndefined(),
    );
  });
});

async function fetchSettings(api: TabApi) {
  const response = await api.fetch('/api/admin/settings', {
    headers: { authorization: `Bearer ${await api.token('dsl')}` },
  });
  return (await response.json()) as { settings: { contacts?: unknown } };
}
