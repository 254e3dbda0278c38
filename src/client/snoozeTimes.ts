import { SNOOZE_UNTIL_RESUMED } from './notifyPrefs';

/** A snooze the user may pick: how long, and what the picker says. */
export interface SnoozeChoice {
  label: string;
  /** When it ends, from `now` (ms since the epoch); SNOOZE_UNTIL_RESUMED: when the user resumes. */
  until(now: Date): number;
}

const minutes = (n: number) => (now: Date) => now.getTime() + n * 60_000;

/** The next 9:00 in local time after `now` (tomorrow's, or today's before 9). */
export function nextMorning(now: Date): number {
  const d = new Date(now.getTime());
  if (d.getHours() >= 9) d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d.getTime();
}

export const SNOOZE_CHOICES: readonly SnoozeChoice[] = [
  { label: 'For 30 minutes', until: minutes(30) },
  { label: 'For 1 hour', until: minutes(60) },
  { label: 'For 2 hours', until: minutes(120) },
  { label: 'For 4 hours', until: minutes(240) },
  { label: 'Until 9:00', until: nextMorning },
  { label: 'Until I resume them', until: () => SNOOZE_UNTIL_RESUMED },
];

/** How the end of a snooze reads: "14:30", "tomorrow 9:00", "Mon 9:00", or undefined for one with no end. */
export function snoozeEnd(until: number, now: Date): string | undefined {
  if (until >= SNOOZE_UNTIL_RESUMED) return undefined;
  const end = new Date(until);
  const time = `${end.getHours()}:${String(end.getMinutes()).padStart(2, '0')}`;
  const day = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(end) - day(now)) / 86_400_000);
  if (days <= 0) return time;
  if (days === 1) return `tomorrow ${time}`;
  return `${end.toLocaleDateString('en', { weekday: 'short', month: 'short', day: 'numeric' })} ${time}`;
}

/** Minutes a command's argument may snooze for (up to a week): anything else is refused. */
export function snoozeMinutes(arg: unknown): number {
  if (typeof arg !== 'number' || !Number.isInteger(arg) || arg < 1 || arg > 7 * 24 * 60)
    throw new Error('snooze for a whole number of minutes from 1 to 10080');
  return arg;
}
