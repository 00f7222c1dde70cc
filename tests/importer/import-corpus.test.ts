import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyDocumentSchema } from '../../src/domain/policy-document.ts';
import { readPolicyFile } from '../../src/importer/read-policy-file.ts';
import { corpusSpecs } from '../fixtures/import-corpus/corpus-spec.ts';
import { expectedStructure } from '../fixtures/import-corpus/expected.ts';
import { renderText } from '../fixtures/import-corpus/render-text.ts';
import { corpusEntries, scoreDocument } from '../fixtures/import-corpus/score.ts';
import { missingWords, sourceLines } from './word-coverage.ts';

// The import corpus (tests/fixtures/import-corpus): documents written for this project in the
// layouts of issue 11, each with the structure a reader sees beside it. `npm run bench:import`
// prints the same scores as figures; here each document must come out right.

describe('the import corpus', () => {
  const entries = corpusEntries();

  it('has at least 12 documents, text exports and Word documents, as the script writes them', () => {
    expect(entries.length).toBeGreaterThanOrEqual(12);
    const kinds = new Set(entries.map((e) => e.expected.file.replace(/^.*\./, '')));
    expect([...kinds].sort()).toEqual(['docx', 'md', 'txt']);
    for (const spec of corpusSpecs()) {
      const entry = entries.find((e) => e.name === spec.name);
      expect(entry?.expected).toEqual({ file: entry?.expected.file, ...expectedStructure(spec) });
      if (spec.layout.kind === 'text') {
        expect(readFileSync(entry?.path ?? '', 'utf8')).toBe(renderText(spec, spec.layout));
      }
    }
  });

  for (const entry of entries) {
    it(`${entry.expected.file}: every clause, heading, the title and the approver`, async () => {
      const { document } = await readPolicyFile(entry.path);
      expect(policyDocumentSchema.safeParse(document).success).toBe(true);
      const score = scoreDocument(document, entry.expected);
      expect(score.missed).toEqual([]);
      expect(score).toMatchObject({
        recall: 1,
        precision: 1,
        title: true,
        headings: true,
        approver: true,
      });
    });
  }

  for (const entry of entries.filter((e) => !e.path.endsWith('.docx'))) {
    it(`${entry.expected.file}: every word is in the document or the report`, async () => {
      const result = await readPolicyFile(entry.path);
      const lines = sourceLines(readFileSync(entry.path, 'utf8'));
      expect(missingWords(lines, result)).toEqual([]);
      const text = JSON.stringify(result.document);
      expect(text).not.toMatch(/<https?:|_{2,}|\t/);
    });
  }
});
