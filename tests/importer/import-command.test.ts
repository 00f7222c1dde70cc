import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.ts';
import { policyDocumentSchema } from '../../src/domain/policy-document.ts';
import { makeAupDocx } from './make-docx.ts';

const dir = mkdtempSync(join(tmpdir(), 'countersign-cli-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['import', ...args], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
  });
  return { code, out: out.join(''), err: err.join('') };
}

const AUP = [
  'Staff Acceptable Use Policy',
  'Using email',
  '1. I will use my school email account for school business.',
  '2. I will not forward chain letters.',
  'Declaration',
  'I have read and agree to this policy.',
  'Signature: ________',
].join('\n');

describe('countersign import', () => {
  it('--json prints the PolicyDocument of DESIGN §3 and exits 0', async () => {
    const path = join(dir, 'aup.txt');
    writeFileSync(path, AUP);
    const { code, out, err } = await run(path, '--json');
    expect(err).toBe('');
    expect(code).toBe(0);
    const document = policyDocumentSchema.parse(JSON.parse(out));
    expect(Object.keys(JSON.parse(out) as object)).toEqual([
      'title',
      'sections',
      'declaration',
      'consents',
      'approval',
    ]);
    expect(document.sections[0]?.clauses.map((c) => c.number)).toEqual(['1', '2']);
    expect(document.declaration).toBe('I have read and agree to this policy.');
  });

  it('without --json prints an outline with the debris counts', async () => {
    const path = join(dir, 'aup.docx');
    writeFileSync(path, await makeAupDocx());
    const { code, out } = await run(path);
    expect(code).toBe(0);
    expect(out).toContain('Title: Riverside Academy Staff Acceptable Use Policy');
    expect(out).toContain('## What I agree to');
    expect(out).toContain('  3. I will use my governor email account. [governor only]');
    expect(out).toContain('      · pupil records and reports;');
    expect(out).toContain(
      'Approval: I approve this member of staff for access to school systems. — Emma Bonnin, Headteacher',
    );
    expect(out).toMatch(/Removed on purpose: .*2 signature-line/);
  });

  it('bad input: one line on stderr, exit 1, no stack trace', async () => {
    const junk = join(dir, 'junk.docx');
    writeFileSync(junk, 'this is not a zip');
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    for (const path of [junk, empty, join(dir, 'missing.md'), join(dir, 'policy.odt')]) {
      const { code, out, err } = await run(path);
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err).toMatch(/^countersign import: .+\n$/);
      expect(err).not.toMatch(/\n\s+at /);
    }
  });

  it('usage errors exit 2', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('a.txt', 'b.txt')).code).toBe(2);
    const unknown = await run('a.txt', '--yaml');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown option --yaml');
  });
});
