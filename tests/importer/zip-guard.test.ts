import { randomBytes } from 'node:crypto';
import type * as Zlib from 'node:zlib';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';
import mammoth from 'mammoth';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CountersignError } from '../../src/domain/errors.ts';
import { importPolicyFile, MAX_POLICY_FILE_BYTES } from '../../src/importer/read-policy-file.ts';
import { checkDocxPackage, ZIP_LIMITS } from '../../src/importer/zip-guard.ts';

// Spies on the real functions: every inflate the guard does, and whether mammoth is reached.
const spies = vi.hoisted(() => ({
  inflates: [] as { maxOutputLength: number | undefined; inflated: number }[],
  convertToHtml: { calls: 0 },
}));

vi.mock('node:zlib', async (importOriginal) => {
  const zlib = await importOriginal<typeof Zlib>();
  return {
    ...zlib,
    inflateRawSync: (data: Uint8Array, options?: { maxOutputLength?: number }) => {
      const record = { maxOutputLength: options?.maxOutputLength, inflated: -1 };
      spies.inflates.push(record);
      const out = zlib.inflateRawSync(data, options);
      record.inflated = out.byteLength;
      return out;
    },
  };
});

vi.mock('mammoth', async (importOriginal) => {
  const real = (await importOriginal<{ default: typeof mammoth }>()).default;
  return {
    default: {
      ...real,
      convertToHtml: (...args: Parameters<typeof real.convertToHtml>) => {
        spies.convertToHtml.calls += 1;
        return real.convertToHtml(...args);
      },
    },
  };
});

beforeEach(() => {
  spies.inflates.length = 0;
  spies.convertToHtml.calls = 0;
});

interface Part {
  name: string;
  /** Deflated bytes, or the plain bytes to deflate. */
  body: Buffer;
  crc: number;
  size: number;
  /** What the directory claims the part unpacks to; its real size unless lying. */
  declaredSize?: number;
}

function part(name: string, text: string): Part {
  const data = Buffer.from(text, 'utf8');
  return { name, body: deflateRawSync(data), crc: crc32(data), size: data.byteLength };
}

/** A part of `megabytes` MB of spaces, deflated as a stream so the test never holds it whole. */
async function whitespacePart(name: string, megabytes: number, declaredSize: number) {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const deflate = createDeflateRaw();
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  let crc = 0;
  for (let i = 0; i < megabytes; i++) {
    crc = crc32(chunk, crc);
    if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await ended;
  return { name, body: Buffer.concat(out), crc, size: megabytes * chunk.byteLength, declaredSize };
}

/** A ZIP written byte by byte (deflate, sizes from each part, or the lie it carries). */
function zip(parts: readonly Part[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name, 'utf8');
    const size = p.declaredSize ?? p.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(p.crc, 14);
    local.writeUInt32LE(p.body.byteLength, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.byteLength, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(p.crc, 16);
    central.writeUInt32LE(p.body.byteLength, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.byteLength, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, p.body);
    centrals.push(central, name);
    offset += local.byteLength + name.byteLength + p.body.byteLength;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const OFFICE_DOCUMENT =
  'http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument';

function documentXml(text: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="${W}"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`;
}

/** A package whose _rels/.rels sends mammoth to `main` instead of word/document.xml. */
function packageWithMainPart(main: Part): Part[] {
  return [
    part('[Content_Types].xml', '<Types/>'),
    part(
      '_rels/.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${OFFICE_DOCUMENT}" Target="${main.name}"/></Relationships>`,
    ),
    // A decoy, only so the package looks like Word to a check by name.
    part('word/document.xml', documentXml('Decoy')),
    main,
  ];
}

async function refusal(run: Promise<unknown>): Promise<CountersignError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof CountersignError) return error;
    throw error;
  }
  throw new Error('expected the import to be refused');
}

describe('checkDocxPackage', () => {
  it('mammoth reads whatever part _rels/.rels names, so that part must be checked too', async () => {
    const bytes = zip(packageWithMainPart(part('word/main.dat', documentXml('The real text'))));
    expect(() => {
      checkDocxPackage(bytes);
    }).not.toThrow();
    const { value } = await mammoth.extractRawText({ buffer: bytes });
    expect(value.trim()).toBe('The real text');
    // Every entry was inflated, the non-XML one included.
    expect(spies.inflates).toHaveLength(4);
  });

  it('refuses a main part of 300 MB of white space whose directory claims 100 bytes', async () => {
    const bomb = await whitespacePart('word/main.dat', 300, 100);
    const bytes = zip(packageWithMainPart(bomb));
    expect(bytes.byteLength).toBeLessThan(MAX_POLICY_FILE_BYTES);
    expect(bytes.byteLength).toBeLessThan(400 * 1024);

    const error = await refusal(importPolicyFile(bytes, 'aup.docx'));
    expect(error.code).toBe('too-large');
    expect(error.message).toBe(
      'the .docx unpacks to too much data (word/main.dat is bigger than it claims): refusing to open it',
    );
    expect(spies.convertToHtml.calls).toBe(0);
    // Nothing was inflated past what its entry declared: the bomb's cap was its 100 bytes, and
    // no part of this package declares more than a few hundred.
    expect(spies.inflates.length).toBeGreaterThan(0);
    expect(spies.inflates.some((call) => call.maxOutputLength === 100)).toBe(true);
    for (const call of spies.inflates) {
      expect(call.maxOutputLength).toBeLessThanOrEqual(1024);
      expect(call.inflated).toBeLessThanOrEqual(call.maxOutputLength ?? 0);
    }
  });

  it('checks images as well: a lying word/media entry is refused, not skipped', async () => {
    const image = await whitespacePart('word/media/image1.png', 40, 2048);
    const bytes = zip([...packageWithMainPart(part('word/main.xml', documentXml('Text'))), image]);
    const error = await refusal(importPolicyFile(bytes, 'aup.docx'));
    expect(error.code).toBe('too-large');
    expect(error.message).toContain('word/media/image1.png is bigger than it claims');
    expect(spies.convertToHtml.calls).toBe(0);
    expect(Math.max(...spies.inflates.map((c) => c.maxOutputLength ?? Infinity))).toBe(2048);
  });

  it('bounds honest images by the total: declared sizes over the limit are refused unopened', async () => {
    // Photographs barely compress: each under the per-entry and ratio limits, together too much.
    const images = Array.from({ length: 3 }, (_, i) => ({
      name: `word/media/image${i}.jpeg`,
      body: randomBytes(200 * 1024),
      crc: 0,
      size: 0,
      declaredSize: ZIP_LIMITS.maxEntryUncompressed - 1,
    }));
    const bytes = zip([...packageWithMainPart(part('word/main.xml', documentXml('T'))), ...images]);
    const error = await refusal(importPolicyFile(bytes, 'aup.docx'));
    expect(error.code).toBe('too-large');
    expect(error.message).toMatch(/in all/);
    expect(spies.inflates).toHaveLength(0);
  });
});
