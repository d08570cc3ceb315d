// Date-time strings as credentials carry them.

/** ISO 8601 in UTC, without a zero millisecond part (`2026-11-01T10:00:00Z`). */
export function toDateTime(date: Date | string): string {
  const parsed = typeof date === 'string' ? new Date(date) : date;
  if (Number.isNaN(parsed.getTime())) throw new RangeError(`not a date: ${String(date)}`);
  return parsed.toISOString().replace('.000Z', 'Z');
}

/** Whole seconds since the epoch (JWT NumericDate), rounded down. */
export function toNumericDate(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Truncates to the second, so JWT (seconds) and JSON-LD (date-time) forms of one credential agree. */
export function wholeSeconds(date: Date): Date {
  return new Date(toNumericDate(date) * 1000);
}
