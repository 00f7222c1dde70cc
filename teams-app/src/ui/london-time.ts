/**
 * The instant at which a school day ends (23:59:59 in Europe/London) for a date picked as
 * "YYYY-MM-DD": a deadline means the end of that day in school time, GMT or BST.
 */
export function endOfLondonDay(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) throw new RangeError(`Not a date: ${date}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const wanted = Date.UTC(year, month - 1, day, 23, 59, 59);
  // London is UTC+0 or UTC+1: find the offset at that moment and take it off.
  const offsetMinutes = londonOffsetMinutes(new Date(wanted));
  return new Date(wanted - offsetMinutes * 60_000).toISOString();
}

function londonOffsetMinutes(instant: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - instant.getTime()) / 60_000);
}

/** Today's date in London as "YYYY-MM-DD", plus some days: the default campaign deadline. */
export function londonDatePlusDays(now: Date, days: number): string {
  const later = new Date(now.getTime() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(later);
}
