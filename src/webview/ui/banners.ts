import type { ConnectionView } from '../../protocol/view';
import { h, icon } from './dom';

type BannerCommand = 'hostingStatus' | 'reconnect' | 'signOut' | 'unarchiveRoom';

function linkButton(text: string, onClick: () => void): HTMLButtonElement {
  return h('button', { class: 'link-button', text, attrs: { type: 'button' }, on: { click: onClick } });
}

function banner(cls: string, role: 'status' | 'alert', iconName: string, text: string, actions: HTMLElement[]): HTMLElement {
  return h(
    'div',
    { class: `banner ${cls}`, attrs: { role } },
    icon(iconName),
    h('div', { class: 'banner-body' }, h('span', { text }), h('div', { class: 'banner-actions' }, ...actions)),
  );
}

/**
 * The line above the messages about the connection: refused, offline (what is sent is queued),
 * or hosting on the network unencrypted; nothing while connected.
 */
export function connectionBanner(c: ConnectionView | undefined, command: (c: BannerCommand) => void): HTMLElement | undefined {
  if (c?.state === 'connected' && c.hosting?.shared && !c.hosting.secure) {
    // Hosting on the network over plain ws:// was chosen explicitly; it stays in sight while it lasts.
    const text =
      'You host this team on the network without encryption (ws://): anyone on the network can read the team secret and every message. Stop hosting and share again with TLS ("Share on this network").';
    return banner('warn plain-hosting', 'status', 'warning', text, [linkButton('Hosting status', () => command('hostingStatus'))]);
  }
  if (!c || c.state === 'connected') return undefined;
  if (c.state === 'failed') {
    return banner('error', 'alert', 'error', `Cannot connect: ${c.detail ?? 'refused by the relay'}`, [
      linkButton('Reconnect', () => command('reconnect')),
      linkButton('Sign out', () => command('signOut')),
    ]);
  }
  const text = c.state === 'connecting' ? 'Connecting…' : 'Relay offline — reconnecting. What you send is queued and delivered when it is back.';
  return banner('warn', 'status', 'sync', text, [linkButton('Retry now', () => command('reconnect'))]);
}

/** In place of the composer in an archived room: it is read-only, with a way back for those who may. */
export function archivedNote(mayUnarchive: boolean, command: (c: BannerCommand) => void): HTMLElement[] {
  return [
    icon('archive'),
    h(
      'div',
      { class: 'archived-text' },
      h('span', { text: 'This room is archived: its history stays, nobody can post. ' }),
      mayUnarchive ? linkButton('Unarchive', () => command('unarchiveRoom')) : undefined,
    ),
  ];
}
