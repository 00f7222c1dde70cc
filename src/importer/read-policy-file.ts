import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import mammoth from 'mammoth';
import { CountersignError } from '../domain/errors.ts';
import { decodeText } from './decode-text.ts';
import { ReportCollector } from './import-report.ts';
import { htmlToLines } from './parse-policy-html.ts';
import type { ImportResult } from './parse-policy-text.ts';
import { parsePolicyLines } from './parse-policy-text.ts';
import { checkDocxPackage } from './zip-guard.ts';
import { docxWordNumbers, labelNumberedParagraphs, reportHeadersAndFooters } from './docx-parts.ts';

export type { ImportResult } from './parse-policy-text.ts';

/** An AUP is a few pages: 10 MB leaves room for embedded pictures in a .docx. */
export const MAX_POLICY_FILE_BYTES = 10 * 1024 * 1024;

const TEXT_EXTENSIONS = new Set(['.txt', '.text', '.md', '.markdown']);
const KNOWN_OTHERS: Record<string, string> = {
  '.doc': 'old Word .doc files are not supported: open it in Word and save it as .docx',
  '.pdf': 'PDF files are not supported: open the policy in Word and save it as .docx',
  '.odt': 'OpenDocument files are not supported: save it as .docx',
  '.rtf': 'RTF files are not supported: save it as .docx',
  '.pages': 'Pages files are not supported: export it as .docx',
};

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((byte, i) => bytes[i] === byte);
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0];
const PDF = [0x25, 0x50, 0x44, 0x46];

function tooLarge(size: number): CountersignError {
  return new CountersignError(
    'too-large',
    `the file is ${(size / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_POLICY_FILE_BYTES / 1024 / 1024} MB`,
    { size, limit: MAX_POLICY_FILE_BYTES },
  );
}

function whatItIs(bytes: Uint8Array): string | null {
  if (startsWith(bytes, ZIP)) return 'a ZIP package (a .docx?)';
  if (startsWith(bytes, OLE)) return 'an old-format Word .doc or an encrypted Office file';
  if (startsWith(bytes, PDF)) return 'a PDF';
  return null;
}

async function importDocx(bytes: Uint8Array): Promise<ImportResult> {
  if (!startsWith(bytes, ZIP)) {
    const actual = whatItIs(bytes);
    throw new CountersignError(
      'unsupported-input',
      actual
        ? `this file is named .docx but is ${actual}: save it from Word as .docx`
        : 'this file is named .docx but is not a Word document (not a ZIP package)',
    );
  }
  checkDocxPackage(bytes);
  const report = new ReportCollector();
  const numbers = docxWordNumbers(bytes);
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      {
        // Pictures are not part of a policy's wording: do not read them at all.
        convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })),
        transformDocument: (document: unknown) =>
          labelNumberedParagraphs(document, numbers, report),
      },
    );
    html = result.value;
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new CountersignError(
      'unsupported-input',
      `the Word document could not be read: ${reason.slice(0, 200)}`,
      {},
      { cause: error },
    );
  }
  const lines = htmlToLines(html, report);
  if (lines.length === 0) throw new CountersignError('validation', 'the Word document has no text');
  reportHeadersAndFooters(bytes, report);
  return parsePolicyLines(lines, 'docx', report);
}

/**
 * Imports a school's AUP from the bytes of an uploaded file (.docx, .txt or .md): checks size and
 * type, converts Word documents with mammoth after zip-bomb checks, and parses the result.
 * Bad input fails with a CountersignError ('too-large', 'unsupported-input' or 'validation')
 * whose message is one line a person can act on.
 */
export async function importPolicyFile(bytes: Uint8Array, fileName: string): Promise<ImportResult> {
  if (bytes.byteLength > MAX_POLICY_FILE_BYTES) throw tooLarge(bytes.byteLength);
  const extension = extname(fileName).toLowerCase();
  if (extension !== '.docx' && !TEXT_EXTENSIONS.has(extension)) {
    throw new CountersignError(
      'unsupported-input',
      KNOWN_OTHERS[extension] ??
        `"${basename(fileName)}" is not a supported kind of file: use a .docx, .txt or .md file`,
      { extension },
    );
  }
  if (bytes.byteLength === 0) throw new CountersignError('validation', 'the file is empty');
  if (extension === '.docx') return importDocx(bytes);
  const actual = whatItIs(bytes);
  if (actual) {
    throw new CountersignError(
      'unsupported-input',
      `this file is named ${extension} but is ${actual}: give it its proper extension`,
    );
  }
  const report = new ReportCollector();
  const text = decodeText(bytes, report);
  if (text.trim() === '') throw new CountersignError('validation', 'the file has no text in it');
  const lines = text
    .split(/\r\n|[\r\n\f\v\u2028\u2029\u0085]/)
    .map((line, index) => ({ text: line, lineNo: index + 1 }));
  return parsePolicyLines(lines, 'text', report);
}

/**
 * Reads a policy file from disk for the CLI: the size is checked before any of it is read, and
 * no more than the limit is ever read (the file may grow in between).
 */
export async function readPolicyFile(path: string): Promise<ImportResult> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CountersignError('not-found', `no such file: ${path}`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new CountersignError('forbidden', `not allowed to read ${path}`);
    }
    throw new CountersignError(
      'unsupported-input',
      `cannot open ${path} (${code ?? 'error'})`,
      {},
      { cause: error },
    );
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new CountersignError('unsupported-input', `${path} is not a file`);
    if (stat.size > MAX_POLICY_FILE_BYTES) throw tooLarge(stat.size);
    const buffer = Buffer.alloc(MAX_POLICY_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.byteLength) {
      const { bytesRead } = await handle.read(buffer, length, buffer.byteLength - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return await importPolicyFile(buffer.subarray(0, length), path);
  } finally {
    await handle.close();
  }
}
