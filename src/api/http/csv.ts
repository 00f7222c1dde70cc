/**
 * CSV that is safe to open in Excel: cells a spreadsheet would run as a formula (starting with
 * = + - @, tab or carriage return; OWASP "CSV injection") get a leading apostrophe, and cells are
 * quoted per RFC 4180. Names, roles and comments in the export are typed by staff, so this
 * matters. The service returns rows of plain values; this is the one place they are escaped.
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
