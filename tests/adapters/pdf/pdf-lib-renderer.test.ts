import { describe, expect, it } from 'vitest';
import { PdfLibRenderer } from '../../../src/adapters/pdf/pdf-lib-renderer.ts';
import { printableText } from '../../../src/adapters/pdf/printable-text.ts';
import type { PrintDocument } from '../../../src/ports/pdf-renderer.ts';
import { pdfText } from '../../cli/evidence-pack-fixture.ts';

const NAMES = ['Zoë Ní Bhriain', 'Łukasz Wójcik', 'Siobhán Ó Súilleabháin', 'Ørjan Åsheim'];

const register: PrintDocument = {
  title: `Register — ${NAMES[0] ?? ''}`,
  footer: 'Oakfield Primary — Staff AUP 2026-27',
  orientation: 'landscape',
  createdAt: '2026-12-03T22:00:00.000Z',
  blocks: [
    { kind: 'heading', text: 'Who signed', level: 2 },
    { kind: 'fields', rows: [['Signed by', NAMES[1] ?? '']] },
    {
      kind: 'table',
      columns: [
        { header: 'Name', width: 0.5 },
        { header: 'Typed name', width: 0.5 },
      ],
      rows: NAMES.map((name) => [name, name.toUpperCase()]),
    },
    { kind: 'paragraph', text: 'Greek and Cyrillic: Αθήνα, Київ. Not in the font: 日本.' },
  ],
};

describe('PdfLibRenderer (pdf-lib with DejaVu Sans embedded)', () => {
  it('prints names as written, read back by pdf.js', async () => {
    const bytes = await new PdfLibRenderer().render(register);
    const text = (await pdfText(bytes)).join(' ').replace(/\s+/g, ' ');
    for (const name of NAMES) {
      expect(text).toContain(name);
      expect(text).toContain(name.toUpperCase());
    }
    expect(text).toContain(`Register — ${NAMES[0] ?? ''}`);
    expect(text).toContain('Αθήνα, Київ');
    // What the font cannot draw is a question mark, never an empty box.
    expect(text).toContain('Not in the font: ??.');
    expect(text).toContain('Oakfield Primary — Staff AUP 2026-27 - page 1 of 1');
  });

  it('embeds only the glyphs used (subset): a page stays small', async () => {
    const bytes = await new PdfLibRenderer().render(register);
    // The two font files are 1.4 MB together; subset, the whole PDF is a few tens of KB.
    expect(bytes.byteLength).toBeLessThan(80_000);
  });

  it('keeps what the font has, and brings the rest to a base letter or "?"', () => {
    const latinOnly = (cp: number) => cp < 0x250;
    expect(printableText('Zoë\tŁukasz\nSiobhán', latinOnly)).toBe('Zoë Łukasz Siobhán');
    // ẞ has no decomposition; ǅ (U+01C5, Latin) is kept; Ḿ (U+1E3E) decomposes to M.
    expect(printableText('ẞ Ḿ 😀', latinOnly)).toBe('? M ?');
  });
});
