import type { ParleyClient } from '../client/client';
import { canManageRoom } from '../protocol/roles';
import type { ChatViewProvider } from './chatViewProvider';
import { needClient, type Register } from './commandSupport';
import { ask, showInfo } from './messages';
import { askText, pickOne } from './picks';
import { plainLabel } from './plainText';
import type { Session } from './session';

type Chat = Pick<ChatViewProvider, 'reveal' | 'active'>;

/** Rooms: create, join, leave; and for those who manage one, its topic and archiving. */
export function registerRoomCommands(reg: Register, session: Session, chat: Chat): void {
  reg('parley.createRoom', async () => {
    const c = needClient(session);
    const name = await askText({
      title: 'Create a room',
      prompt: 'Room name: lower-case letters, digits, - and _',
      validateInput: (v) => (/^[a-z0-9][a-z0-9_-]{0,39}$/.test(v.replace(/^#/, '')) ? undefined : 'lower-case letters, digits, - and _, up to 40'),
    });
    if (!name) return;
    const conv = await c.createRoom(name.replace(/^#/, ''));
    await chat.reveal(conv.id, true);
  });
  reg('parley.joinRoom', () => joinRoom(needClient(session), chat));
  reg('parley.setTopic', () => setTopic(needClient(session), chat));
  reg('parley.archiveRoom', async () => {
    const c = needClient(session);
    const room = await pickRoom(c, chat, 'Archive which room?', (archived) => !archived, 'archive');
    if (!room) return;
    const ok = await ask(
      'warning',
      `Archive #${plainLabel(room.name)}?`,
      { modal: true, detail: 'It becomes read-only for everyone, with its history kept, until someone unarchives it.' },
      'Archive',
    );
    if (ok === 'Archive') c.send(room.id, { kind: 'archive', on: true });
  });
  reg('parley.unarchiveRoom', async () => {
    const c = needClient(session);
    const room = await pickRoom(c, chat, 'Unarchive which room?', (archived) => archived, 'archive');
    if (room) c.send(room.id, { kind: 'archive', on: false });
  });
  reg('parley.leaveRoom', () => leaveRoom(needClient(session), chat));
}

async function joinRoom(c: ParleyClient, chat: Chat): Promise<void> {
  const rooms = (await c.listRooms()).filter((r) => !r.joined);
  if (rooms.length === 0) {
    void showInfo('You are in every room already. Create one with "Parley: Create Room…".');
    return;
  }
  const id = await pickOne(
    rooms.map((r) => ({
      label: `#${r.name}`,
      description: `${r.memberCount} member${r.memberCount === 1 ? '' : 's'}${r.archived ? ' · archived' : ''}`,
      detail: r.topic,
      value: r.id,
    })),
    { title: 'Join a room' },
  );
  if (!id) return;
  const conv = await c.joinRoom(id);
  await chat.reveal(conv.id, true);
}

async function setTopic(c: ParleyClient, chat: Chat): Promise<void> {
  const room = await pickRoom(c, chat, 'Set the topic of which room?', (archived) => !archived, 'topic');
  if (!room) return;
  const text = await askText({
    title: `Topic of #${room.name}`,
    value: room.topic ?? '',
    prompt: 'What the room is about; everyone sees it under the room name. Empty clears it.',
    validateInput: (v) => (v.trim().length > 250 ? `At most 250 characters (${v.trim().length})` : undefined),
  });
  if (text === undefined || text.trim() === (room.topic ?? '')) return;
  c.send(room.id, { kind: 'topic', text: text.trim() });
}

async function leaveRoom(c: ParleyClient, chat: Chat): Promise<void> {
  const active = chat.active ? c.conversation(chat.active) : undefined;
  const rooms = c.conversations().filter((x) => x.kind === 'room');
  const target =
    active?.kind === 'room'
      ? active
      : await pickOne(
          rooms.map((r) => ({ label: `#${r.name}`, value: r.id })),
          { title: 'Leave which room?' },
        ).then((id) => (id ? c.conversation(id) : undefined));
  if (!target) return;
  const ok = await ask('warning', `Leave #${plainLabel(target.name)}?`, { modal: true }, 'Leave');
  if (ok === 'Leave') await c.leaveRoom(target.id);
}

/** The active room, or one the user picks, among those I may `act` on (the relay's rules, protocol/roles.ts). */
async function pickRoom(c: ParleyClient, chat: Chat, title: string, filter: (archived: boolean) => boolean, act: 'topic' | 'archive') {
  const me = { id: c.self?.id ?? '', role: c.roleOf(c.self?.id ?? '') };
  const refusal = (r: { kind: 'room' | 'dm'; name: string; creator?: string }) => canManageRoom(me, r, act);
  const active = chat.active ? c.conversation(chat.active) : undefined;
  if (active?.kind === 'room' && filter(active.archived === true) && !refusal(active)) return active;
  const rooms = c.conversations().filter((x) => x.kind === 'room' && filter(x.archived === true) && !refusal(x));
  if (rooms.length === 0) throw new Error(active?.kind === 'room' ? (refusal(active) ?? 'no room to do that to') : 'there is no room you manage for that');
  const id = await pickOne(
    rooms.map((r) => ({ label: `#${r.name}`, value: r.id })),
    { title },
  );
  return id ? c.conversation(id) : undefined;
}
