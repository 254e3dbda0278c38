import { SNOOZE_CHOICES, snoozeEnd, snoozeMinutes } from '../client/snoozeTimes';
import type { Register } from './commandSupport';
import { needClient } from './commandSupport';
import { flashStatus } from './messages';
import type { NotificationPrefs } from './notificationPrefs';
import { pickOne } from './picks';
import type { Session } from './session';

type Prefs = Pick<NotificationPrefs, 'muted' | 'setMuted' | 'snoozedUntil' | 'snooze'>;

/**
 * Muting the open conversation, and snoozing every Parley notification for a time (the status bar
 * shows a snooze while it lasts: statusBar.ts SnoozeIndicator).
 */
export function registerNotifyCommands(reg: Register, session: Pick<Session, 'client'>, active: () => string | undefined, prefs: Prefs): void {
  reg('parley.toggleMute', (args?: { conv?: unknown }) => {
    const client = needClient(session);
    const id = typeof args?.conv === 'string' ? args.conv : active();
    const conv = id !== undefined ? client.conversation(id) : undefined;
    if (!conv) throw new Error(typeof args?.conv === 'string' ? 'that conversation is not in this team' : 'open a conversation first');
    const on = !prefs.muted(conv.id);
    prefs.setMuted(conv.id, on);
    const name = conv.kind === 'room' ? `#${conv.name}` : 'this direct message';
    flashStatus(on ? 'bell-slash' : 'bell', on ? `Parley: ${name} muted` : `Parley: ${name} unmuted`, 4000);
    return on;
  });
  // A number of minutes from a keybinding or another extension; none: the user picks.
  reg('parley.snoozeNotifications', (minutes?: unknown) =>
    minutes === undefined ? pickSnooze(prefs) : snooze(prefs, Date.now() + snoozeMinutes(minutes) * 60_000),
  );
  reg('parley.resumeNotifications', () => resume(prefs));
}

async function pickSnooze(prefs: Prefs): Promise<void> {
  const now = new Date();
  const until = prefs.snoozedUntil();
  const end = until !== undefined ? snoozeEnd(until, now) : undefined;
  const choices = [
    ...(until !== undefined ? [{ icon: 'bell', label: 'Resume notifications now', value: -1 }] : []),
    ...SNOOZE_CHOICES.map((c, i) => {
      const ends = snoozeEnd(c.until(now), now);
      return { label: c.label, ...(ends && !c.label.includes(ends) ? { description: `until ${ends}` } : {}), value: i };
    }),
  ];
  const title = until === undefined ? 'Snooze Parley notifications' : `Parley notifications are snoozed ${end ? `until ${end}` : 'until you resume them'}`;
  const i = await pickOne(choices, { title });
  if (i === undefined) return;
  if (i === -1) resume(prefs);
  else snooze(prefs, SNOOZE_CHOICES[i].until(new Date()));
}

function snooze(prefs: Prefs, until: number): void {
  prefs.snooze(until);
  const end = snoozeEnd(until, new Date());
  flashStatus('bell-slash', `Parley: notifications snoozed ${end ? `until ${end}` : 'until you resume them'}`, 4000);
}

function resume(prefs: Prefs): void {
  const was = prefs.snoozedUntil() !== undefined;
  prefs.snooze(undefined);
  flashStatus('bell', was ? 'Parley: notifications resumed' : 'Parley: notifications were not snoozed', 4000);
}
