/**
 * CSV that is safe to open in Excel: cells a spreadsheet would run as a formula (starting with
 * = + - @, tab or carriage return; OWASP "CSV injection") get a leading apostrophe, and cells are
 * quoted per RFC 4180. Names, roles and comments in the export are typed by staff, so this
 * matters.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return (
    rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + (rows.length > 0 ? '\r\n' : '')
  );
}

/**
 * Parses RFC 4180 CSV (quoted fields, doubled quotes, CR/LF/CRLF line ends). Lenient about a
 * quote inside an unquoted field (kept as text) so any service output round-trips.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const endRow = (): void => {
    row.push(cell);
    rows.push(row);
    row = [];
    cell = '';
  };
  while (i < input.length) {
    const ch = input[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (input[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        cell += ch;
      }
      i += 1;
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' || ch === '\n') {
      endRow();
      if (ch === '\r' && input[i + 1] === '\n') i += 1;
    } else {
      cell += ch;
    }
    i += 1;
  }
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}

/**
 * Re-serialises CSV from the service with formula escaping, whatever the service did: already
 * escaped cells start with an apostrophe and are left alone, so this is idempotent.
 */
export function sanitiseCsv(text: string): string {
  return toCsv(parseCsv(text));
}
