import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../src/api/http/csv.ts';
import { parseCsv } from './support/parse-csv.ts';

describe('CSV', () => {
  it.each([
    ['plain', 'plain'],
    ['=1+1', "'=1+1"],
    ['+447700900123', "'+447700900123"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [' padded ', '" padded "'],
    ['=A1,"x"', `"'=A1,""x"""`],
    ['', ''],
  ])('writes %j as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('round-trips quoted cells, embedded line breaks and empty cells', () => {
    const rows = [
      ['Name', 'Comment', ''],
      ['Jo, Smith', 'line one\r\nline two', 'said "ok"'],
      ['', '', 'end'],
    ];
    expect(parseCsv(toCsv(rows))).toEqual(rows);
    expect(parseCsv('a,b\nc,d')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(parseCsv('\uFEFFa,\r\n')).toEqual([['a', '']]);
  });

  it('escapes each value once, when the rows are written', () => {
    const rows = [
      ["=cmd|' /C calc'!A0", 'x'],
      ['already "quoted"', '-2'],
    ];
    expect(parseCsv(toCsv(rows))).toEqual([
      ["'=cmd|' /C calc'!A0", 'x'],
      ['already "quoted"', "'-2"],
    ]);
  });
});
