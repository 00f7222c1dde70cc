// npm test's static checks: ESLint, Prettier, knip and both typechecks, in two lanes at once.
// Each is single-threaded, so run one after another they left one of CI's two cores idle for
// about two minutes. ESLint (type-aware, the longest) has a lane of its own; the rest share the
// other. Every check runs to its end even when another fails, so one run shows every failure;
// each one's output is printed whole when it ends, never interleaved.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);

interface Check {
  name: string;
  command: string;
  args: string[];
}

// The same commands as `npm run lint` and `npm run typecheck` (package.json).
const LANES: Check[][] = [
  [{ name: 'eslint .', command: bin('eslint'), args: ['.'] }],
  [
    {
      name: 'tsc -p tsconfig.json',
      command: bin('tsc'),
      args: ['-p', 'tsconfig.json', '--noEmit'],
    },
    {
      name: 'tsc -p teams-app/tsconfig.json',
      command: bin('tsc'),
      args: ['-p', 'teams-app/tsconfig.json', '--noEmit'],
    },
    { name: 'prettier --check .', command: bin('prettier'), args: ['--check', '.'] },
    { name: 'knip', command: bin('knip'), args: [] },
  ],
];

function run(check: Check): Promise<boolean> {
  const started = performance.now();
  return new Promise((resolve) => {
    const output: Buffer[] = [];
    const child = spawn(check.command, check.args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    let done = false;
    const finish = (ok: boolean, why: string): void => {
      // A failed spawn may report both 'error' and 'close'.
      if (done) return;
      done = true;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `\n> ${check.name}: ${ok ? 'passed' : `FAILED (${why})`} in ${seconds} s\n`,
      );
      process.stdout.write(Buffer.concat(output));
      resolve(ok);
    };
    child.on('error', (error) => finish(false, error.message));
    child.on('close', (code, signal) => finish(code === 0, `exit ${code ?? signal ?? '?'}`));
  });
}

async function lane(checks: Check[]): Promise<boolean> {
  let ok = true;
  for (const check of checks) ok = (await run(check)) && ok;
  return ok;
}

const results = await Promise.all(LANES.map(lane));
if (results.includes(false)) {
  process.stdout.write('\nStatic checks failed (see above).\n');
  process.exitCode = 1;
} else {
  process.stdout.write('\nStatic checks passed.\n');
}
