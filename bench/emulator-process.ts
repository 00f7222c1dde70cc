import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The Graph emulator as a child process (`countersign emulator`), its controls over HTTP. */
export async function startEmulatorProcess(
  db: string,
  /** 0 picks a free port; bench:outage starts it again on the port it had. */
  port = 0,
): Promise<{
  url: string;
  siteId: string;
  admin: (method: 'GET' | 'POST', path: string) => Promise<unknown>;
  close: () => Promise<void>;
}> {
  const child = spawn(
    process.execPath,
    [
      join(import.meta.dirname, '..', 'src', 'cli', 'main.ts'),
      'emulator',
      '--db',
      db,
      '--seed',
      'none',
      '--port',
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let url = '';
  let siteId = '';
  for await (const line of createInterface({ input: child.stdout })) {
    url = /listening: (\S+)/.exec(line)?.[1] ?? url;
    siteId = /site id:\s+(\S+)/.exec(line)?.[1] ?? siteId;
    if (url !== '' && siteId !== '') break;
  }
  if (url === '' || siteId === '') throw new Error('the emulator did not start');
  const origin = url.replace(/\/v1\.0$/, '');
  return {
    url,
    siteId,
    admin: async (method, path) => {
      const res = await fetch(`${origin}/_emulator/${path}`, { method });
      return await res.json();
    },
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
