import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CountersignError } from '../../src/domain/errors.ts';
import type { ErrorCode } from '../../src/domain/errors.ts';
import {
  importPolicyFile,
  MAX_POLICY_FILE_BYTES,
  readPolicyFile,
} from '../../src/importer/read-policy-file.ts';
import { makeAupDocx } from './make-docx.ts';
import { makeZip } from './make-zip.ts';

const dir = mkdtempSync(join(tmpdir(), 'countersign-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(run: Promise<unknown>): Promise<CountersignError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof CountersignError) return error;
    throw error;
  }
  throw new Error('expected the import to fail');
}

async function expectRefused(
  bytes: Uint8Array,
  name: string,
  code: ErrorCode,
  message: RegExp,
): Promise<void> {
  const error = await failure(importPolicyFile(bytes, name));
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  expect(error.message).not.toContain('\n');
}

const text = (s: string) => new TextEncoder().encode(s);
const CONTENT_TYPES = { name: '[Content_Types].xml', data: text('<Types/>') };

describe('importPolicyFile refuses bad input with a typed, one-line error', () => {
  it('an empty file', async () => {
    await expectRefused(new Uint8Array(0), 'aup.txt', 'validation', /empty/);
    await expectRefused(new Uint8Array(0), 'aup.docx', 'validation', /empty/);
    await expectRefused(text(' \n\t\n'), 'aup.md', 'validation', /no text/);
  });

  it('a file over the size cap, before looking inside it', async () => {
    const big = new Uint8Array(MAX_POLICY_FILE_BYTES + 1);
    await expectRefused(big, 'aup.txt', 'too-large', /limit is 10 MB/);
    await expectRefused(big, 'aup.docx', 'too-large', /limit is 10 MB/);
  });

  it('an unknown or unsupported extension', async () => {
    await expectRefused(
      text('hello'),
      'aup.xlsx',
      'unsupported-input',
      /use a \.docx, \.txt or \.md/,
    );
    await expectRefused(text('hello'), 'aup', 'unsupported-input', /not a supported kind of file/);
    await expectRefused(
      text('%PDF-1.7'),
      'aup.pdf',
      'unsupported-input',
      /PDF files are not supported/,
    );
    await expectRefused(text('x'), 'aup.doc', 'unsupported-input', /save it as \.docx/);
  });

  it('binary junk or another format named .txt', async () => {
    const junk = randomBytes(4096);
    junk[100] = 0;
    await expectRefused(junk, 'aup.txt', 'unsupported-input', /not a text file.*NUL/);
    const controls = Buffer.from('Policy\n' + '\x01\x02\x03\x04'.repeat(50), 'latin1');
    await expectRefused(controls, 'aup.txt', 'unsupported-input', /control characters/);
    await expectRefused(await makeAupDocx(), 'aup.txt', 'unsupported-input', /ZIP package/);
  });

  it('reads non-UTF-8 text that is otherwise clean as Windows-1252, with a warning', async () => {
    const bytes = Buffer.from(
      'Caf\xe9 Acceptable Use Policy\nI will be careful online.\n',
      'latin1',
    );
    const { document, report } = await importPolicyFile(bytes, 'aup.txt');
    expect(document.title).toBe('Café Acceptable Use Policy');
    expect(report.warnings.map((w) => w.message).join()).toMatch(/Windows-1252/);
  });

  it('reads UTF-16 text with a byte-order mark (Word "Unicode text")', async () => {
    const body = Buffer.from('Staff AUP Agreement\r\nI will log off.\r\n', 'utf16le');
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), body]);
    const { document } = await importPolicyFile(bytes, 'aup.txt');
    expect(document.title).toBe('Staff AUP Agreement');
  });

  it('text, a PDF or an old .doc named .docx', async () => {
    await expectRefused(
      text('I will be safe.'),
      'aup.docx',
      'unsupported-input',
      /not a Word document/,
    );
    await expectRefused(text('%PDF-1.4 …'), 'aup.docx', 'unsupported-input', /is a PDF/);
    const ole = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    await expectRefused(ole, 'aup.docx', 'unsupported-input', /old-format Word \.doc/);
  });

  it('a corrupt .docx: cut short, no directory, or a ZIP that is not a Word document', async () => {
    const real = await makeAupDocx();
    await expectRefused(
      real.subarray(0, real.byteLength / 2),
      'aup.docx',
      'unsupported-input',
      /damaged/,
    );
    const garbage = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(2000)]);
    await expectRefused(garbage, 'aup.docx', 'unsupported-input', /damaged/);
    const notWord = makeZip([CONTENT_TYPES, { name: 'xl/workbook.xml', data: text('<x/>') }]);
    await expectRefused(notWord, 'aup.docx', 'unsupported-input', /not a Word document/);
  });

  it('a .docx whose XML mammoth cannot read', async () => {
    const broken = makeZip([
      CONTENT_TYPES,
      { name: 'word/document.xml', data: text('<w:document><w:body><w:p>') },
    ]);
    await expectRefused(broken, 'aup.docx', 'unsupported-input', /could not be read/);
  });

  it('a zip bomb: honest sizes that unpack too far, a huge declared size, a lying directory', async () => {
    const zeros = new Uint8Array(20 * 1024 * 1024);
    const dense = makeZip([CONTENT_TYPES, { name: 'word/document.xml', data: zeros }]);
    expect(dense.byteLength).toBeLessThan(MAX_POLICY_FILE_BYTES);
    await expectRefused(dense, 'aup.docx', 'too-large', /compressed more than 200 times/);

    const huge = makeZip([
      CONTENT_TYPES,
      { name: 'word/document.xml', data: text('<w:document/>'), declaredSize: 0xfffffff0 },
    ]);
    await expectRefused(huge, 'aup.docx', 'too-large', /unpacks to too much/);

    const lying = makeZip([
      CONTENT_TYPES,
      { name: 'word/document.xml', data: new Uint8Array(5 * 1024 * 1024), declaredSize: 1000 },
    ]);
    await expectRefused(lying, 'aup.docx', 'too-large', /bigger than it claims/);

    const many = makeZip([
      CONTENT_TYPES,
      { name: 'word/document.xml', data: text('<w:document/>') },
      ...Array.from({ length: 30 }, (_, i) => ({
        name: `word/media/part${i}.bin`,
        data: new Uint8Array(3 * 1024 * 1024),
      })),
    ]);
    await expectRefused(many, 'aup.docx', 'too-large', /too much data/);
  });
});

describe('readPolicyFile', () => {
  it('checks the size on disk before reading (a 50 MB file)', async () => {
    const path = join(dir, 'huge.txt');
    writeFileSync(path, '');
    truncateSync(path, 50 * 1024 * 1024);
    const error = await failure(readPolicyFile(path));
    expect(error.code).toBe('too-large');
    expect(error.message).toBe('the file is 50.0 MB; the limit is 10 MB');
  });

  it('reports a missing file and a directory plainly', async () => {
    expect((await failure(readPolicyFile(join(dir, 'absent.docx')))).code).toBe('not-found');
    expect((await failure(readPolicyFile(dir))).message).toMatch(/is not a file/);
  });

  it('reads a .docx from disk', async () => {
    const path = join(dir, 'aup.docx');
    writeFileSync(path, await makeAupDocx());
    const { document } = await readPolicyFile(path);
    expect(document.sections.flatMap((s) => s.clauses)).toHaveLength(6);
  });
});
