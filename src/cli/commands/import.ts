import { CountersignError } from '../../domain/errors.ts';
import type { PolicyDocument } from '../../domain/policy-document.ts';
import type { ImportReport } from '../../importer/import-report.ts';
import { countDebris } from '../../importer/import-report.ts';
import { readPolicyFile } from '../../importer/read-policy-file.ts';
import type { CliCommand } from '../run-cli.ts';

const USAGE = 'usage: countersign import FILE [--json]   (FILE: a .docx, .txt or .md AUP)\n';
const PREVIEW = 80;

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW ? `${flat.slice(0, PREVIEW - 1)}…` : flat;
}

/** The readable outline an admin checks before publishing. */
export function formatOutline(document: PolicyDocument, report: ImportReport): string {
  const out: string[] = [`Title: ${document.title}`, ''];
  for (const section of document.sections) {
    out.push(section.heading === '' ? '(untitled opening section)' : `## ${section.heading}`);
    for (const clause of section.clauses) {
      const { number } = clause;
      const label = number === undefined ? '-' : number.includes('.') ? number : `${number}.`;
      const audience = clause.audience ? ` [${clause.audience.join(', ')} only]` : '';
      out.push(`  ${label} ${preview(clause.text)}${audience}`);
      for (const item of clause.items) out.push(`      · ${preview(item)}`);
    }
    out.push('');
  }
  out.push(
    `Declaration: ${document.declaration === '' ? '(none found)' : preview(document.declaration)}`,
  );
  out.push(
    `Consents: ${
      document.consents.length === 0
        ? '(none)'
        : document.consents.map((c) => `${c.key}: ${preview(c.text)}`).join('; ')
    }`,
  );
  const { approval } = document;
  if (approval === null) out.push('Approval: (none)');
  else {
    const who = [approval.approverName, approval.approverRole].filter(Boolean).join(', ');
    out.push(`Approval: ${preview(approval.statement)}${who === '' ? '' : ` — ${who}`}`);
  }
  const clauses = document.sections.reduce((n, s) => n + s.clauses.length, 0);
  out.push('', `${document.sections.length} sections, ${clauses} clauses`);
  const counts = Object.entries(countDebris(report))
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  out.push(`Removed on purpose: ${counts === '' ? 'nothing' : counts}`);
  if (report.repairs.length > 0) {
    out.push(`Mended: ${report.repairs.length} word(s) split by scanning`);
  }
  for (const warning of report.warnings) {
    out.push(
      `Check: ${warning.line === undefined ? '' : `line ${warning.line}: `}${warning.message}`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** `countersign import FILE [--json]`: a school's AUP as a PolicyDocument. */
export const importCommand: CliCommand = async (args, io) => {
  const json = args.includes('--json');
  const rest = args.filter((arg) => arg !== '--json');
  const unknown = rest.find((arg) => arg.startsWith('-'));
  if (unknown !== undefined || rest.length !== 1 || rest[0] === undefined) {
    io.stderr(
      unknown === undefined ? USAGE : `countersign import: unknown option ${unknown}\n${USAGE}`,
    );
    return 2;
  }
  try {
    const { document, report } = await readPolicyFile(rest[0]);
    io.stdout(json ? `${JSON.stringify(document, null, 2)}\n` : formatOutline(document, report));
    return 0;
  } catch (error) {
    // One clear line, never a stack trace: the message is written for the person at the keyboard.
    const message =
      error instanceof CountersignError
        ? error.message
        : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
    io.stderr(`countersign import: ${message.split('\n')[0] ?? ''}\n`);
    return 1;
  }
};
