import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';
import { contentHash } from '../../src/domain/content-hash.ts';
import { policyDocumentSchema } from '../../src/domain/policy-document.ts';
import {
  demoSchoolWithSignatures,
  pdfText,
  SIGNED_AT,
  type DemoPack,
} from './evidence-pack-fixture.ts';

let demo: DemoPack;
let pack: string;
let built: { code: number; out: string; err: string };

/** Everyone in the policy's audiences (staff and governors; the head is in both). */
const inAudiences = new Set([...DEMO_SCHOOL.staff, ...DEMO_SCHOOL.governors].map((p) => p.id)).size;

beforeAll(async () => {
  demo = await demoSchoolWithSignatures();
  pack = join(demo.dir, 'pack');
  built = await demo.cli(
    'evidence',
    '--policy',
    'staff-aup',
    '--keys',
    demo.keysFile,
    '--person',
    demo.people.bennett.userPrincipalName,
    '--out',
    pack,
  );
}, 120_000);

afterAll(async () => {
  await demo.close();
});

function read(path: string): string {
  return readFileSync(join(pack, path), 'utf8');
}

describe('countersign evidence', () => {
  it('writes the pack and says the records in it hold', () => {
    expect(built.err).toBe('');
    expect(built.code).toBe(0);
    expect(built.out).toContain('All signed records in the pack hold.');
    expect(built.out).toContain(
      'Checkpoint: checkpoint:1, taken 2026-11-05T09:00:00.000Z (rows signed by 2026-11-05T08:50:00.000Z), in checkpoint.json.',
    );
    expect(readdirSync(pack).sort()).toEqual([
      'HOW-TO-VERIFY.txt',
      'checkpoint.json',
      'keys.json',
      'manifest.json',
      'people',
      'records',
      'register-v1.json',
      'register-v1.pdf',
      'texts',
    ]);
    expect(readdirSync(join(pack, 'texts')).sort()).toEqual([
      'v1.document.json',
      'v1.pdf',
      'v1.txt',
    ]);
  });

  it('the register PDF names who signed, with both names, role, UK time, approval and consents', async () => {
    const pages = await pdfText(readFileSync(join(pack, 'register-v1.pdf')));
    // A table cell wraps over lines: read the text as one line of words.
    const text = pages.join(' ').replace(/\s+/g, ' ');
    expect(text).toContain(DEMO_SCHOOL.school.name);
    expect(text).toContain(`Register: ${DEMO_SCHOOL.aup.title}, 2026-27`);
    expect(text).toContain('2026-27 (version 1, material change)');
    // Entra name and typed name side by side; the role as stated.
    expect(text).toContain('Sarah Bennett');
    expect(text).toContain('Sarah J. Bennett');
    expect(text).toContain('Year 6 Teacher');
    // School time: BST in September, GMT in November.
    expect(text).toContain('10 September 2026, 09:30 BST');
    expect(text).toContain('3 November 2026, 09:15 GMT');
    expect(text).toContain('Approved by Helen Whitfield, 5 November 2026, 08:00 GMT');
    expect(text).toContain('Additional permissions: Remote access to the MIS');
    expect(text).toContain('Rejected by Helen Whitfield');
    expect(text).toContain('Role stated does not match the HR record');
    expect(text).toContain('photo: No');
    // Who has not: the headteacher among them, in words.
    expect(text).toContain('Helen Whitfield');
    expect(text).toContain('Has not signed yet (2026-27 to sign)');
    // Counts that reconcile, and the how-to-verify page at the end.
    expect(text).toContain(`In the policy's audiences now: ${inAudiences} people.`);
    expect(text).toContain(
      `Signed this version: 4. Not signed: ${inAudiences - 4} (${inAudiences - 4} due). 4 + ${inAudiences - 4} = ${inAudiences}.`,
    );
    expect(text).toContain(
      'Signatures recorded for this version: 4 (2 awaiting approval, 1 approved, 1 rejected)',
    );
    expect(text).toContain('These counts reconcile.');
    expect(pages.at(-1)).toContain('HOW TO VERIFY THIS EVIDENCE PACK');
    expect(pages.at(-1)).toContain('countersign verify --pack');
  });

  it('the register JSON is the same content model, its counts summing', () => {
    const register = JSON.parse(read('register-v1.json')) as {
      counts: {
        inAudiences: number;
        signedThisVersion: number;
        notSigned: number;
        reconciles: boolean;
      };
      signatures: { typedName: string; signedAt: string }[];
      outstanding: unknown[];
    };
    expect(register.counts).toMatchObject({
      inAudiences,
      signedThisVersion: 4,
      notSigned: inAudiences - 4,
      reconciles: true,
    });
    expect(register.outstanding).toHaveLength(inAudiences - 4);
    expect(register.signatures.map((s) => s.signedAt).sort()).toEqual(
      [SIGNED_AT.bennett, SIGNED_AT.poole, SIGNED_AT.ellison, SIGNED_AT.okafor].sort(),
    );
  });

  it('the person PDF holds each signature with the text signed and its approval', async () => {
    const files = readdirSync(join(pack, 'people'));
    expect(files).toEqual([`${demo.people.bennett.userPrincipalName}.pdf`]);
    const pages = await pdfText(readFileSync(join(pack, 'people', files[0] ?? '')));
    const text = pages.join(' ').replace(/\s+/g, ' ');
    expect(text).toContain('Sarah Bennett');
    expect(text).toContain('Signature 1: 2026-27, 10 September 2026, 09:30 BST');
    expect(text).toContain('Approved by Helen Whitfield');
    expect(text).toContain('Remote access to the MIS');
    // The clauses of the version she signed.
    expect(text).toContain(DEMO_SCHOOL.aup.declaration.slice(0, 40));
  });

  it('keeps the version text as stored, its hash the one the published version signed', () => {
    const stored = read('texts/v1.document.json');
    expect(contentHash(policyDocumentSchema.parse(JSON.parse(stored)))).toBe(
      contentHash(DEMO_SCHOOL.aup),
    );
    const versions = JSON.parse(read('records/versions.json')) as { rows: { Record: string }[] };
    const record = JSON.parse(versions.rows[0]?.Record ?? '{}') as { contentHash: string };
    expect(record.contentHash).toBe(contentHash(DEMO_SCHOOL.aup));
    expect(read('texts/v1.txt')).toContain(DEMO_SCHOOL.aup.title);
  });

  it('packs one version on request, and never writes into a folder that holds something', async () => {
    const one = await demo.cli(
      'evidence',
      '--policy',
      'staff-aup',
      '--version',
      '1',
      '--keys',
      demo.keysFile,
      '--out',
      join(demo.dir, 'pack-v1'),
      '--json',
    );
    expect(one.code).toBe(0);
    const summary = JSON.parse(one.out) as { ok: boolean; files: string[] };
    expect(summary.ok).toBe(true);
    expect(summary.files).toContain('register-v1.pdf');
    expect(summary.files.some((f) => f.startsWith('people/'))).toBe(false);
    const missing = await demo.cli(
      'evidence',
      '--policy',
      'staff-aup',
      '--version',
      '9',
      '--keys',
      demo.keysFile,
      '--out',
      join(demo.dir, 'pack-v9'),
    );
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('Version 9 of staff-aup has no signed published record');
    const again = await demo.cli(
      'evidence',
      '--policy',
      'staff-aup',
      '--keys',
      demo.keysFile,
      '--out',
      pack,
    );
    expect(again.code).toBe(2);
    expect(again.err).toContain('is not empty');
  });

  it('verifies offline with the pack alone: no environment, no Graph', async () => {
    // Graph is gone: nothing is listening, and the environment names no site either.
    await demo.close();
    const out: string[] = [];
    const code = await (
      await import('../../src/cli/run-cli.ts')
    ).runCli(['verify', '--pack', pack], {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      env: {},
    });
    expect(out.join('')).toContain('All signed records in the pack hold (0 warning(s)).');
    // The latest checkpoint travels with the pack, signed: its signature holds offline.
    expect(out.join('')).toContain(
      'Latest checkpoint: checkpoint:1, taken 2026-11-05T09:00:00.000Z',
    );
    expect(out.join('')).toContain(
      '4 acknowledgement row(s) (0 legacy), 2 decision(s), 1 published version(s)',
    );
    expect(code).toBe(0);
  });

  it('carries the latest signed checkpoint, named in the manifest and HOW-TO-VERIFY', () => {
    const manifest = JSON.parse(read('manifest.json')) as { checkpoint: string | null };
    expect(manifest.checkpoint).toBe('checkpoint:1');
    const row = JSON.parse(read('checkpoint.json')) as { Record: string; Signature: string };
    const record = JSON.parse(row.Record) as { kind: string; number: number; heads: unknown[] };
    expect(record).toMatchObject({ kind: 'checkpoint', number: 1 });
    expect(record.heads.length).toBeGreaterThan(0);
    expect(read('HOW-TO-VERIFY.txt')).toContain(
      'the latest signed checkpoint (checkpoint:1 of 5 November 2026, 09:00 GMT)',
    );
  });

  it('a record edited in the pack fails verification, named as an edited field', async () => {
    const tampered = join(demo.dir, 'tampered');
    const { cpSync } = await import('node:fs');
    cpSync(pack, tampered, { recursive: true });
    const file = join(tampered, 'records', 'acknowledgements.json');
    const rows = JSON.parse(readFileSync(file, 'utf8')) as { rows: { Record: string }[] };
    const row = rows.rows.find((r) => r.Record.includes('Karen Poole'));
    if (row === undefined) throw new Error('no row for Karen Poole');
    row.Record = row.Record.replace(
      '"statedRole":"School Business Manager"',
      '"statedRole":"Headteacher"',
    );
    writeFileSync(file, JSON.stringify(rows));
    const out: string[] = [];
    const { runCli } = await import('../../src/cli/run-cli.ts');
    const code = await runCli(['verify', '--pack', tampered, '--json'], {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      env: {},
    });
    const report = JSON.parse(out.join('')) as {
      ok: boolean;
      evidence: { findings: { code: string; subject: { list: string; id?: string } }[] };
    };
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.evidence.findings.map((f) => [f.code, f.subject.list, f.subject.id])).toEqual([
      ['field-edited', 'acknowledgements', `staff-aup:v1:${demo.people.poole.id}`],
    ]);
  });

  it('an edited version text fails verification', async () => {
    const tampered = join(demo.dir, 'tampered-text');
    const { cpSync } = await import('node:fs');
    cpSync(pack, tampered, { recursive: true });
    const file = join(tampered, 'texts', 'v1.document.json');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('Designated Safeguarding Lead', 'office'),
    );
    const out: string[] = [];
    const { runCli } = await import('../../src/cli/run-cli.ts');
    const code = await runCli(['verify', '--pack', tampered], {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      env: {},
    });
    expect(code).toBe(1);
    expect(out.join('')).toMatch(/FAILS {2}version-text-edited {2}versions staff-aup:v1/);
  });

  it('a signature taken out of the pack is named by the decision that remains', async () => {
    const tampered = join(demo.dir, 'tampered-deleted');
    const { cpSync } = await import('node:fs');
    cpSync(pack, tampered, { recursive: true });
    const file = join(tampered, 'records', 'acknowledgements.json');
    const rows = JSON.parse(readFileSync(file, 'utf8')) as { rows: { Record: string }[] };
    rows.rows = rows.rows.filter((r) => !r.Record.includes('Sarah J. Bennett'));
    writeFileSync(file, JSON.stringify(rows));
    const out: string[] = [];
    const { runCli } = await import('../../src/cli/run-cli.ts');
    const code = await runCli(['verify', '--pack', tampered, '--json'], {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      env: {},
    });
    const report = JSON.parse(out.join('')) as {
      evidence: { findings: { code: string; subject: { list: string; id?: string } }[] };
    };
    expect(code).toBe(1);
    expect(report.evidence.findings.map((f) => [f.code, f.subject.list, f.subject.id])).toEqual([
      ['row-deleted', 'acknowledgements', `staff-aup:v1:${demo.people.bennett.id}`],
    ]);
  });
});
