import type { ViewHandlers, ViewHost } from './viewHost';

type NotifyHandlers = Pick<ViewHandlers, 'mute' | 'follow'>;

/** The view's bell buttons: mute a conversation, follow or leave a thread (see notificationPrefs.ts). */
export function notifyHandlers(host: Pick<ViewHost, 'session' | 'prefs'>): NotifyHandlers {
  /** A conversation of the team this window is in (the view may name one that is gone). */
  const known = (conv: string): void => {
    if (!host.session.client?.conversation(conv)) throw new Error('that conversation is not in this team');
  };
  return {
    mute: (msg) => {
      known(msg.conv);
      host.prefs.setMuted(msg.conv, msg.on);
    },
    follow: (msg) => {
      known(msg.conv);
      host.prefs.setFollowing(msg.conv, msg.root, msg.on);
    },
  };
}
