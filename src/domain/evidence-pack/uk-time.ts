import { CountersignError } from '../errors.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached !== undefined) return cached;
  const formatter = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    calendar: 'gregory',
    numberingSystem: 'latn',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  formatters.set(timeZone, formatter);
  return formatter;
}

function partsOf(iso: string, timeZone: string): Record<string, string> {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) {
    throw new CountersignError('validation', `"${iso}" is not a valid date.`);
  }
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) parts[part.type] = part.value;
  return parts;
}

/**
 * A moment as a UK reader writes it, in the school's zone with the zone's name (GMT or BST in
 * London): "3 December 2026, 17:35 GMT". Built from parts so the ICU version's joining words
 * ("at") never change what the register says. The exact instant stays in the pack's JSON.
 */
export function ukDateTime(iso: string, timeZone: string): string {
  const p = partsOf(iso, timeZone);
  return `${p.day ?? ''} ${p.month ?? ''} ${p.year ?? ''}, ${p.hour ?? ''}:${p.minute ?? ''} ${p.timeZoneName ?? ''}`.trim();
}

/** The date alone, in the school's zone: "3 December 2026". */
export function ukDate(iso: string, timeZone: string): string {
  const p = partsOf(iso, timeZone);
  return `${p.day ?? ''} ${p.month ?? ''} ${p.year ?? ''}`;
}
