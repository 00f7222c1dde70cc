import { CountersignError } from '../domain/errors.ts';
import type { ReportCollector } from './import-report.ts';

/** Share of C0 control bytes (other than tab, line feed, carriage return, form feed) that text may hold. */
const MAX_CONTROL_SHARE = 0.001;
/** How much of the file is sampled to judge it binary. */
const SAMPLE = 64 * 1024;

function notText(reason: string): CountersignError {
  return new CountersignError(
    'unsupported-input',
    `this is not a text file (${reason}): use a .docx, .txt or .md file`,
  );
}

function controlShare(bytes: Uint8Array): number {
  const sample = bytes.subarray(0, SAMPLE);
  let controls = 0;
  for (const byte of sample) {
    if (
      (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) ||
      byte === 0x7f
    ) {
      controls++;
    }
  }
  return sample.byteLength === 0 ? 0 : controls / sample.byteLength;
}

/**
 * Decodes a text file: UTF-8 (with or without BOM), UTF-16 with a BOM (Word's "Unicode text"),
 * and, failing UTF-8, Windows-1252 for text that is otherwise clean (older Windows exports).
 * Binary data (NUL bytes, control characters) is refused.
 */
export function decodeText(bytes: Uint8Array, report: ReportCollector): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeStrict(bytes.subarray(2), 'utf-16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeStrict(bytes.subarray(2), 'utf-16be');
  if (bytes.subarray(0, SAMPLE).includes(0)) throw notText('it contains NUL bytes');
  if (controlShare(bytes) > MAX_CONTROL_SHARE) throw notText('it contains control characters');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    report.warn('the file is not UTF-8: it was read as Windows-1252, check the accented letters');
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function decodeStrict(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (error) {
    throw new CountersignError(
      'unsupported-input',
      `the file is not valid ${encoding.toUpperCase()} text`,
      {},
      { cause: error },
    );
  }
}
