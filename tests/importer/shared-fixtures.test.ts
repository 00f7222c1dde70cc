import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyDocumentSchema } from '../../src/domain/policy-document.ts';
import { readPolicyFile } from '../../src/importer/read-policy-file.ts';
import { missingWords, sourceLines } from './word-coverage.ts';

// Text extracted from three real schools' AUPs, kept in the shared folder beside the repository.
const dir = join(import.meta.dirname, '../../../shared/fixtures/aup');
const present = existsSync(dir);
if (!present) console.warn(`tests/importer/shared-fixtures: skipped, ${dir} is absent`);

function fixture(name: string): string {
  return join(dir, name);
}

const title = present
  ? 'importing the real AUPs in ../shared/fixtures/aup'
  : 'importing the real AUPs (skipped: ../shared/fixtures/aup is absent)';

describe.skipIf(!present)(title, () => {
  for (const name of [
    '000_5d9cecdc03804336.txt',
    '001_c9bd197066fc435e.txt',
    '002_a98834d4da830fbc.txt',
  ]) {
    it(`${name}: a valid PolicyDocument that drops no word silently`, async () => {
      const result = await readPolicyFile(fixture(name));
      expect(policyDocumentSchema.safeParse(result.document).success).toBe(true);
      const lines = sourceLines(readFileSync(fixture(name), 'utf8'));
      expect(missingWords(lines, result)).toEqual([]);
      const text = JSON.stringify(result.document);
      expect(text).not.toMatch(/\[bookmark:|_{3,}|\t/);
    });
  }

  it('000: every clause, the declaration and the approval with its named approver', async () => {
    const { document, report } = await readPolicyFile(fixture('000_5d9cecdc03804336.txt'));
    expect(document.sections.map((s) => [s.heading, s.clauses.length])).toEqual([
      ['Introduction', 3],
      ['Agreement', 28],
    ]);
    const agreement = document.sections[1]?.clauses ?? [];
    expect(agreement[0]?.text).toMatch(/^I have read and understood the Federation Online Safety/);
    expect(agreement.at(-1)?.text).toMatch(/^I will only use AI platforms/);
    expect(agreement.map((c) => c.text)).toContain(
      'I will not use any new technology or download any apps without agreement from Connetix',
    );
    expect(document.declaration).toMatch(/^I have read, understood and agreed to this policy\./);
    expect(document.declaration).toMatch(/could lead to disciplinary action\.$/);
    expect(document.approval).toEqual({
      statement:
        'I approve this user to be allocated credentials for school systems as relevant to their role.',
      approverName: 'Darren Rubin',
      approverRole: 'Executive Headteacher',
    });
    expect(document.consents).toEqual([]);
    const kinds = report.removed.map((r) => r.kind);
    expect(kinds.filter((k) => k === 'bookmark')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'signature-line').length).toBeGreaterThanOrEqual(6);
  });

  it('001: OCR noise removed, split words mended, sub-bullets, photo consent', async () => {
    const { document, report } = await readPolicyFile(fixture('001_c9bd197066fc435e.txt'));
    expect(document.title).toBe('Online Safety Acceptable Use Agreement for Staff and Governors');
    const clauses = document.sections.flatMap((s) => s.clauses);
    expect(clauses.length).toBeGreaterThanOrEqual(30);
    expect(clauses[1]?.text).toBe(
      'I have read the online safety policy and am in agreement with my designated resnonsihilities',
    );
    const roleModel = clauses.find((c) => c.text.includes('I am a role model'));
    expect(roleModel?.items).toEqual([
      "not sharing other's images or details without permission",
      'refraining from posting negative, threatening or violent comments about others, regardless of whether they are members of the school community or not.',
    ]);
    // Wrapped lines are joined into their clause, not left as clauses of their own.
    expect(clauses.some((c) => /^(member|should|sessions|safety)\b/.test(c.text))).toBe(false);
    expect(clauses.find((c) => c.text.startsWith('I will book'))?.text).toMatch(
      /inform a member of the Senior Leadership Team\. .* pass onto a member\.$/,
    );
    expect(report.removed).toContainEqual({
      kind: 'ocr-noise',
      line: 10,
      text: '162\tphoneigning',
    });
    expect(report.repairs.map((r) => r.to)).toEqual(
      expect.arrayContaining(['and', 'designated', 'Using', 'the']),
    );
    // A page header fused onto the end of a clause.
    expect(clauses.find((c) => c.text.includes('school-monitored ways'))?.text).toMatch(
      /school's Online Safety Policy\.$/,
    );
    expect(document.sections.map((s) => s.heading)).toContain(
      'Using zoom, teams, skype or other virtual meeting system',
    );
    expect(document.declaration).toMatch(/^I have read, understood and agreed to this policy\./);
    expect(document.consents).toHaveLength(1);
    expect(document.consents[0]?.key).toBe('photo');
    expect(document.consents[0]?.text).toMatch(/Permission for the school to use images of myself/);
    expect(document.approval).toBeNull();
    expect(report.warnings.map((w) => w.message).join('\n')).toMatch(/\[school network manager\]/);
  });

  it('002: question headings, the audience note, bullets and an approver named in the label', async () => {
    const { document } = await readPolicyFile(fixture('002_a98834d4da830fbc.txt'));
    expect(document.sections.map((s) => [s.heading, s.clauses.length])).toEqual([
      ['What is an AUP?', 2],
      ['Why do we need an AUP?', 1],
      ['Where can I find out more?', 2],
      ['What am I agreeing to?', 14],
    ]);
    const agreeing = document.sections[3]?.clauses ?? [];
    expect(agreeing[0]?.audience).toEqual(['staff', 'governor']);
    expect(agreeing[0]?.text).toMatch(/^I have read and understood St Anne’s Online Safety policy/);
    expect(agreeing.filter((c) => c.audience !== undefined)).toHaveLength(1);
    expect(agreeing[4]?.items).toHaveLength(2);
    expect(document.declaration).toMatch(/^I have read, understood and agreed/);
    expect(document.approval).toEqual({
      statement:
        'I approve this user to be allocated credentials for school systems as relevant to their role.',
      approverName: 'Mrs Simons',
    });
  });
});
