// Sizes and ages the way Docker prints them ("3.62MB", "2 hours ago").

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Decimal units with three significant digits, as `docker images` shows sizes. */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)}${UNITS[unit]}`;
}

const PERIODS: Array<[string, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** "2 hours ago", "About a minute ago", "Less than a second ago" (Docker's wording). */
export function formatAge(date: Date, now: Date = new Date()): string {
  const seconds = Math.floor((now.getTime() - date.getTime()) / 1000);
  if (Number.isNaN(seconds)) return 'N/A';
  if (seconds < 1) return 'Less than a second ago';
  if (seconds >= 60 && seconds < 120) return 'About a minute ago';
  if (seconds >= 3600 && seconds < 7200) return 'About an hour ago';
  const [unit, length] = PERIODS.find(([, size]) => seconds >= size)!;
  const count = Math.floor(seconds / length);
  return `${count} ${unit}${count === 1 ? '' : 's'} ago`;
}
