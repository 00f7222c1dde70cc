import { readPolicyFile } from '../src/importer/read-policy-file.ts';
import { corpusEntries, scoreDocument } from '../tests/fixtures/import-corpus/score.ts';
const flag = (list: string[], name: string): boolean => list.includes(`--${name}`);

/**
 * Clause recall and precision of the importer over the import corpus
 * (tests/fixtures/import-corpus: text exports and Word documents written for this project, each
 * with its expected structure beside it). DESIGN.md §5 budget: ≥ 98 % of each over the corpus.
 *
 *   npm run bench:import -- --json
 */
const args = process.argv.slice(2);
const documents = [];
let expected = 0;
let found = 0;
let matched = 0;
for (const entry of corpusEntries()) {
  const { document, report } = await readPolicyFile(entry.path);
  const score = scoreDocument(document, entry.expected);
  expected += score.expected;
  found += score.found;
  matched += score.matched;
  documents.push({
    document: entry.expected.file,
    ...score,
    runningHeaders: report.removed.filter((r) => r.kind === 'running-header').length,
  });
}
const round = (n: number): number => Math.round(n * 10_000) / 10_000;
const totals = {
  documents: documents.length,
  expected,
  found,
  matched,
  recall: round(expected === 0 ? 1 : matched / expected),
  precision: round(found === 0 ? 1 : matched / found),
  titles: documents.filter((d) => d.title).length,
  headings: documents.filter((d) => d.headings).length,
  approvers: documents.filter((d) => d.approver).length,
  budget: { recall: 0.98, precision: 0.98 },
};
const result = {
  documents: documents.map((d) => ({
    ...d,
    recall: round(d.recall),
    precision: round(d.precision),
  })),
  totals,
  withinBudget: totals.recall >= 0.98 && totals.precision >= 0.98,
};
if (flag(args, 'json')) console.log(JSON.stringify(result, null, 2));
else {
  for (const d of result.documents) {
    console.log(
      `${d.document}: recall ${d.recall} precision ${d.precision} title ${d.title} headings ${d.headings} approver ${d.approver}${d.missed.length > 0 ? `\n  missed: ${d.missed.join(' | ')}` : ''}`,
    );
  }
  console.log(JSON.stringify(totals));
}
