import type { ConversationView, ViewSnapshot } from '../../protocol/view';
import type { Member } from '../../protocol/wire';
import { bdi, h, icon } from './dom';
import { rovingList } from './roving';

export interface SidebarHooks {
  select(conv: string): void;
  openDm(user: string): void;
  showMentions(): void;
  command(c: 'startDm' | 'createRoom' | 'joinRoom' | 'copyInvite' | 'hostingStatus'): void;
  /** Set for admins and owners: team administration of a member (the relay checks each act). */
  manage?(user: string): void;
}

/** Conversations (most recent first, unread bold with a count) and the team's members. */
export function renderSidebar(snap: ViewSnapshot, active: string | undefined, hooks: SidebarHooks): HTMLElement {
  const members = new Map(snap.members.map((m) => [m.id, m]));
  const list = h('ul', { class: 'conv-list', attrs: { role: 'listbox', 'aria-label': 'Conversations' } });
  for (const c of snap.conversations) if (!c.archived) list.append(convItem(c, c.id === active, members, hooks));
  const archived = snap.conversations.filter((c) => c.archived);
  const archivedList = h('ul', { class: 'conv-list archived', attrs: { role: 'listbox', 'aria-label': 'Archived rooms' } });
  for (const c of archived) archivedList.append(convItem(c, c.id === active, members, hooks));
  rovingList(list, 'li.conv');
  rovingList(archivedList, 'li.conv');
  // Icon and short label; the labels give way (media/chat.css) so the row fits down to 220 px.
  const tool = (codicon: string, label: string, full: string, command: Parameters<SidebarHooks['command']>[0]) =>
    h(
      'button',
      { class: 'secondary small side-tool', attrs: { type: 'button', title: full, 'aria-label': full }, on: { click: () => hooks.command(command) } },
      icon(codicon),
      h('span', { class: 'side-tool-label', text: label }),
    );
  const toolbar = h(
    'div',
    { class: 'side-toolbar' },
    tool('add', 'Room', 'Create a room', 'createRoom'),
    tool('sign-in', 'Join', 'Join a room', 'joinRoom'),
    tool('person-add', 'DM', 'Start a DM (direct message)', 'startDm'),
    tool('link', 'Invite', 'Copy an invite to this team', 'copyInvite'),
  );
  const hostLine = hostingLine(snap, hooks);
  const people = h('ul', { class: 'people', attrs: { 'aria-label': 'Members' } });
  const order = { online: 0, away: 1, offline: 2 };
  // Removed members are no longer people of the team (their messages stay, marked).
  const others = snap.members
    .filter((m) => m.id !== snap.me?.id && !m.removed)
    .sort((a, b) => order[a.presence] - order[b.presence] || a.name.localeCompare(b.name));
  for (const m of others) people.append(personItem(m, hooks));
  rovingList(people, 'li.person');
  // The count is of the people listed (everyone but me), so "1 online" never shows over nobody.
  const online = others.filter((m) => m.presence !== 'offline').length;
  return h(
    'nav',
    { class: 'sidebar', attrs: { 'aria-label': 'Conversations and people' } },
    toolbar,
    hostLine,
    mentionsItem(snap, hooks),
    h('div', { class: 'section-title', text: 'Conversations' }),
    list,
    archived.length ? h('div', { class: 'section-title', text: 'Archived' }) : undefined,
    archived.length ? archivedList : undefined,
    h('div', { class: 'section-title', text: `People · ${online} online` }),
    others.length ? people : h('div', { class: 'empty muted', text: 'Nobody else has joined yet. Send your team an invite (Invite above).' }),
  );
}

/** "Hosting on this network · 3 online" while this window hosts the relay (a click: details). */
function hostingLine(snap: ViewSnapshot, hooks: SidebarHooks): HTMLElement | undefined {
  const hosting = snap.connection.hosting;
  return hosting
    ? h(
        'button',
        {
          class: 'hosting-line',
          attrs: { type: 'button', title: `Hosting on ${hosting.addresses.join(', ')} — click for details` },
          on: { click: () => hooks.command('hostingStatus') },
        },
        icon(hosting.secure ? 'shield' : hosting.shared ? 'warning' : 'broadcast'),
        h('span', {
          text: `Hosting${hosting.shared ? ` on this network${hosting.secure ? '' : ', unencrypted'}` : ' (this machine only)'} · ${hosting.online} online`,
        }),
      )
    : undefined;
}

function convItem(c: ConversationView, selected: boolean, members: Map<string, Member>, hooks: SidebarHooks): HTMLElement {
  const lead =
    c.kind === 'room'
      ? icon('symbol-numeric', 'room')
      : h('span', {
          class: `presence ${members.get(c.peer ?? '')?.presence ?? 'offline'}`,
          attrs: { role: 'img', 'aria-label': members.get(c.peer ?? '')?.presence ?? 'offline' },
        });
  const label = c.kind === 'room' ? c.title.replace(/^#/, '') : c.title;
  const item = h(
    'li',
    {
      class: `conv${selected ? ' selected' : ''}${c.unread ? ' unread' : ''}${c.muted ? ' muted-conv' : ''}`,
      attrs: {
        role: 'option',
        tabindex: '-1',
        'aria-selected': String(selected),
        'aria-label': `${c.title}${c.muted ? ', muted' : ''}${c.unread ? `, ${c.unread} unread` : ''}${c.mentions ? `, ${c.mentions} mentioning you` : ''}`,
        'data-conv': c.id,
      },
    },
    lead,
    h('span', { class: 'conv-title' }, bdi(label)),
    c.muted ? icon('bell-slash') : undefined,
    c.mentions
      ? h('span', { class: 'badge mention-badge', text: '@', attrs: { title: `${c.mentions} unread mention${c.mentions === 1 ? '' : 's'} of you` } })
      : undefined,
    c.unread ? h('span', { class: 'badge', text: c.unread > 99 ? '99+' : String(c.unread) }) : undefined,
  );
  item.addEventListener('click', () => hooks.select(c.id));
  item.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      hooks.select(c.id);
    }
  });
  return item;
}

/** "Mentions": every message that mentions me, with how many are unread. */
function mentionsItem(snap: ViewSnapshot, hooks: SidebarHooks): HTMLElement {
  const unread = snap.conversations.reduce((n, c) => n + c.mentions, 0);
  const item = h(
    'div',
    {
      class: `conv mentions-item${unread ? ' unread' : ''}`,
      attrs: { role: 'button', tabindex: '0', 'aria-label': `Mentions of you${unread ? `, ${unread} unread` : ''}` },
    },
    icon('mention'),
    h('span', { class: 'conv-title', text: 'Mentions' }),
    unread ? h('span', { class: 'badge', text: unread > 99 ? '99+' : String(unread) }) : undefined,
  );
  item.addEventListener('click', () => hooks.showMentions());
  item.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), hooks.showMentions()));
  return item;
}

function personItem(m: Member, hooks: SidebarHooks): HTMLElement {
  const item = h(
    'li',
    { class: 'person', attrs: { tabindex: '-1', role: 'button', 'aria-label': `${m.name}, ${m.presence}. Send a direct message`, 'data-user': m.id } },
    h('span', { class: `presence ${m.presence}`, attrs: { 'aria-hidden': 'true' } }),
    h('span', { class: 'person-name' }, bdi(m.name)),
    m.role
      ? h('span', {
          class: 'role-tag muted',
          text: m.role,
          attrs: { title: m.role === 'owner' ? 'Owns the team: makes admins' : 'Admin: removes members, rotates the team secret, manages every room' },
        })
      : undefined,
    h('span', { class: 'muted small', text: m.presence }),
  );
  const manage = hooks.manage;
  if (manage) {
    const button = h(
      'button',
      { class: 'icon-button person-manage', attrs: { type: 'button', title: `Manage ${m.name}…`, 'aria-label': `Manage ${m.name}` } },
      icon('ellipsis'),
    );
    button.addEventListener('click', (e) => {
      e.stopPropagation();
      manage(m.id);
    });
    button.addEventListener('keydown', (e) => e.stopPropagation());
    item.append(button);
  }
  item.addEventListener('click', () => hooks.openDm(m.id));
  item.addEventListener('keydown', (e) => e.key === 'Enter' && hooks.openDm(m.id));
  return item;
}
