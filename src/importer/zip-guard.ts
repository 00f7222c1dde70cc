import { inflateRawSync } from 'node:zlib';
import { CountersignError } from '../domain/errors.ts';

/** Limits on what a .docx may unpack to before mammoth (JSZip) is allowed to open it. */
export const ZIP_LIMITS = {
  maxEntries: 5_000,
  maxTotalUncompressed: 64 * 1024 * 1024,
  maxEntryUncompressed: 32 * 1024 * 1024,
  /** Real Word XML compresses about 5–30 : 1; a bomb of zeros about 1000 : 1. */
  maxRatio: 200,
  /** Below this, an entry's ratio is not worth judging. */
  ratioFloor: 1024 * 1024,
} as const;

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

interface Entry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

function damaged(reason: string): CountersignError {
  return new CountersignError('unsupported-input', `the .docx file is damaged: ${reason}`);
}

function findEndOfCentralDirectory(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let at = view.byteLength - 22; at >= lowest; at--) {
    if (view.getUint32(at, true) === EOCD) return at;
  }
  throw damaged('it has no ZIP directory (is it really a .docx?)');
}

function readEntries(bytes: Uint8Array): Entry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 22) throw damaged('it is too short to be a ZIP package');
  const end = findEndOfCentralDirectory(view);
  const count = view.getUint16(end + 10, true);
  const size = view.getUint32(end + 12, true);
  const offset = view.getUint32(end + 16, true);
  if (count === 0xffff || offset === 0xffffffff || size === 0xffffffff) {
    throw new CountersignError(
      'unsupported-input',
      'this .docx uses ZIP64, which real Word documents never need: save it again from Word',
    );
  }
  if (count > ZIP_LIMITS.maxEntries) {
    throw new CountersignError('too-large', `the .docx holds ${count} files: too many to open`);
  }
  if (offset + size > end) throw damaged('its ZIP directory points outside the file');
  const decoder = new TextDecoder();
  const entries: Entry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || view.getUint32(at, true) !== CENTRAL) {
      throw damaged('its ZIP directory is broken');
    }
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    entries.push({
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      uncompressedSize: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
      name: decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function tooLarge(message: string): CountersignError {
  return new CountersignError(
    'too-large',
    `the .docx unpacks to too much data (${message}): refusing to open it`,
  );
}

/** Inflates one entry with its declared size as a hard cap: a lying directory cannot get past. */
function entryData(bytes: Uint8Array, entry: Entry): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localOffset;
  if (at + 30 > bytes.byteLength || view.getUint32(at, true) !== LOCAL) {
    throw damaged(`the entry ${entry.name} is missing`);
  }
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const data = bytes.subarray(start, start + entry.compressedSize);
  if (data.byteLength !== entry.compressedSize)
    throw damaged(`the entry ${entry.name} is cut short`);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.uncompressedSize) {
      throw damaged(`the entry ${entry.name} has inconsistent sizes`);
    }
    return data;
  }
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
  } catch (error) {
    if (error instanceof RangeError) throw tooLarge(`${entry.name} is bigger than it claims`);
    throw damaged(`the entry ${entry.name} cannot be decompressed`);
  }
  if (inflated.byteLength !== entry.uncompressedSize) {
    throw damaged(`the entry ${entry.name} has the wrong size`);
  }
  return inflated;
}

/**
 * Checks a .docx before mammoth opens it: a real ZIP with a Word document inside, no encryption,
 * and nothing that unpacks beyond ZIP_LIMITS (a zip bomb), judged from the central directory and
 * then proved by inflating every entry with its declared size as a cap. So nothing can inflate
 * past the declared total (ZIP_LIMITS.maxTotalUncompressed), one entry at a time.
 */
export function checkDocxPackage(bytes: Uint8Array): void {
  const entries = readEntries(bytes);
  let total = 0;
  for (const entry of entries) {
    if ((entry.flags & 0x1) !== 0) {
      throw new CountersignError(
        'unsupported-input',
        'the .docx is password-protected: remove the password in Word and try again',
      );
    }
    if (entry.method !== 0 && entry.method !== 8) {
      throw damaged(`the entry ${entry.name} uses an unknown compression method`);
    }
    if (entry.uncompressedSize > ZIP_LIMITS.maxEntryUncompressed) {
      throw tooLarge(`${entry.name} alone is ${entry.uncompressedSize} bytes`);
    }
    if (
      entry.uncompressedSize > ZIP_LIMITS.ratioFloor &&
      entry.uncompressedSize > entry.compressedSize * ZIP_LIMITS.maxRatio
    ) {
      throw tooLarge(`${entry.name} is compressed more than ${ZIP_LIMITS.maxRatio} times`);
    }
    total += entry.uncompressedSize;
    if (total > ZIP_LIMITS.maxTotalUncompressed) throw tooLarge(`over ${total} bytes in all`);
  }
  if (!entries.some((e) => e.name === 'word/document.xml')) {
    throw new CountersignError(
      'unsupported-input',
      'this is a ZIP file but not a Word document (it has no word/document.xml)',
    );
  }
  // Every entry, whatever its name: mammoth follows _rels/.rels and the document's relationships
  // to any part name (word/main.dat, even word/media/x.png), so no name is safe to skip. Images
  // are inflated too; they are bounded by the declared total like everything else.
  for (const entry of entries) entryData(bytes, entry);
}

/**
 * The text of one part of a .docx that checkDocxPackage has accepted (e.g. "word/numbering.xml"),
 * or null when the package has no such part. Inflated with its declared size as a cap, as there.
 */
export function readDocxPart(bytes: Uint8Array, name: string): string | null {
  const entry = readEntries(bytes).find((e) => e.name === name);
  if (!entry) return null;
  const data = entryData(bytes, entry);
  return new TextDecoder().decode(data);
}

/** Names of the package's parts, in directory order. */
export function docxPartNames(bytes: Uint8Array): string[] {
  return readEntries(bytes).map((e) => e.name);
}
