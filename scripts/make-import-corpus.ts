import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusSpecs } from '../tests/fixtures/import-corpus/corpus-spec.ts';
import { expectedStructure } from '../tests/fixtures/import-corpus/expected.ts';
import { renderDocx } from '../tests/fixtures/import-corpus/render-docx.ts';
import { renderText } from '../tests/fixtures/import-corpus/render-text.ts';

/**
 * Writes the import corpus (tests/fixtures/import-corpus/documents): each document of
 * corpus-spec.ts rendered in its layout, and `<name>.expected.json` beside it. Run it after
 * changing a spec or a renderer:  node scripts/make-import-corpus.ts
 */
const dir = join(import.meta.dirname, '../tests/fixtures/import-corpus/documents');
mkdirSync(dir, { recursive: true });
for (const file of readdirSync(dir)) rmSync(join(dir, file));
for (const spec of corpusSpecs()) {
  const { layout } = spec;
  const file = layout.kind === 'docx' ? `${spec.name}.docx` : `${spec.name}.${layout.extension}`;
  const bytes = layout.kind === 'docx' ? await renderDocx(spec, layout) : renderText(spec, layout);
  writeFileSync(join(dir, file), bytes);
  writeFileSync(
    join(dir, `${spec.name}.expected.json`),
    `${JSON.stringify({ file, ...expectedStructure(spec) }, null, 2)}\n`,
  );
  console.log(file);
}
