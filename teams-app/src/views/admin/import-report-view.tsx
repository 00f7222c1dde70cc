import { Link, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import type { ImportReport } from '../../api/api-types.ts';

function isReport(value: unknown): value is ImportReport {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { warnings?: unknown }).warnings) &&
    Array.isArray((value as { removed?: unknown }).removed)
  );
}

/**
 * What the importer removed on purpose and what it wants the admin to check. A finding that
 * cites a line is a link to the clause that line belongs to (`onLine` opens and focuses it).
 */
export function ImportReportView({
  report,
  onLine,
}: {
  report: unknown;
  onLine?: (line: number) => void;
}) {
  if (!isReport(report)) return null;
  const removedByKind = new Map<string, number>();
  for (const item of report.removed) {
    removedByKind.set(item.kind, (removedByKind.get(item.kind) ?? 0) + 1);
  }
  return (
    <MessageBar intent={report.warnings.length > 0 ? 'warning' : 'info'}>
      <MessageBarBody>
        <MessageBarTitle>What the importer did</MessageBarTitle>
        {removedByKind.size > 0 && (
          <p>
            Removed: {[...removedByKind].map(([kind, count]) => `${count} × ${kind}`).join(', ')}.
          </p>
        )}
        {report.repairs.length > 0 && <p>Mended {report.repairs.length} broken words.</p>}
        {report.warnings.length > 0 && (
          <ul>
            {report.warnings.map((warning, index) => (
              <li key={index}>
                {warning.line !== undefined && onLine !== undefined && (
                  <>
                    <Link
                      as="button"
                      aria-label={`Line ${String(warning.line)}: go to that clause`}
                      onClick={() => onLine(warning.line ?? 1)}
                    >
                      Line {warning.line}
                    </Link>
                    {': '}
                  </>
                )}
                {warning.line !== undefined &&
                  onLine === undefined &&
                  `Line ${String(warning.line)}: `}
                {warning.message}
              </li>
            ))}
          </ul>
        )}
      </MessageBarBody>
    </MessageBar>
  );
}
