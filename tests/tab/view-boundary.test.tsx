// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppShell } from '../../teams-app/src/app/app-shell.tsx';
import { lazyView } from '../../teams-app/src/app/chunk-load.ts';
import { ViewBoundary } from '../../teams-app/src/app/view-boundary.tsx';
import { startTabApi, type TabApi } from './tab-api.ts';
import { renderInTheme, sessionFor } from './render-view.tsx';

// After a deploy the old Admin chunk is gone from the server: its dynamic import rejects.
vi.mock('../../teams-app/src/views/admin/admin-view.tsx', () => {
  throw new TypeError(
    'Failed to fetch dynamically imported module: https://tab.example/assets/admin-view-0ld.js',
  );
});

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

beforeEach(() => {
  // React reports each error a boundary catches on the console; the tests look at the screen.
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('a view that fails', () => {
  it('asks for a reload when its chunk is gone after a deploy, and the other views still work', async () => {
    const api = await start();
    renderInTheme(<AppShell session={sessionFor(api, 'dsl')} />);
    await screen.findByRole('heading', { name: 'My AUP' });
    fireEvent.click(screen.getByRole('button', { name: 'Admin' }));

    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Countersign was updated: reload')).toBeInstanceOf(HTMLElement);
    expect(within(alert).getByRole('button', { name: 'Reload' })).toBeInstanceOf(HTMLElement);

    fireEvent.click(screen.getByRole('button', { name: 'My AUP' }));
    expect(await screen.findByRole('heading', { name: 'My AUP' })).toBeInstanceOf(HTMLElement);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('reloads the tab from the Reload button', async () => {
    const reload = vi.fn();
    const Gone = lazyView<object>(() =>
      Promise.reject(new TypeError('Importing a module script failed.')),
    );
    renderInTheme(
      <ViewBoundary reload={reload}>
        <Gone />
      </ViewBoundary>,
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Countersign was updated: reload');
    fireEvent.click(within(alert).getByRole('button', { name: 'Reload' }));
    expect(reload).toHaveBeenCalledOnce();
  });

  it('says something went wrong when a view throws while rendering, and can try again', async () => {
    let broken = true;
    function Flaky() {
      const [text] = useState('The view is back.');
      if (broken) throw new Error('Cannot read properties of undefined (reading "policy")');
      return <p>{text}</p>;
    }
    const reload = vi.fn();
    renderInTheme(
      <ViewBoundary reload={reload}>
        <Flaky />
      </ViewBoundary>,
    );
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Something went wrong')).toBeInstanceOf(HTMLElement);
    // The person sees words, not the stack's message.
    expect(alert.textContent).not.toContain('Cannot read properties');
    expect(within(alert).getByRole('button', { name: 'Reload' })).toBeInstanceOf(HTMLElement);
    broken = false; // whatever it tripped on has passed
    await act(async () => {
      fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
      await Promise.resolve();
    });
    expect(await screen.findByText('The view is back.')).toBeInstanceOf(HTMLElement);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(reload).not.toHaveBeenCalled();
  });
});
