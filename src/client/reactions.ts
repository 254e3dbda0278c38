/** One emoji on a message and who put it there, in the order they did. */
export interface Reaction {
  emoji: string;
  users: string[];
}

/** What reactions apply to: a cached message or a message view. */
interface Reactable {
  deleted?: boolean;
  reactions?: Reaction[];
}

/** Adds or removes `user`'s `emoji` on a message (no-op for a message not at hand or deleted). */
export function applyReaction(m: Reactable | undefined, user: string, emoji: string, on: boolean): void {
  if (!m || m.deleted) return;
  const list = (m.reactions ??= []);
  const i = list.findIndex((r) => r.emoji === emoji);
  if (on) {
    if (i < 0) list.push({ emoji, users: [user] });
    else if (!list[i].users.includes(user)) list[i].users.push(user);
  } else if (i >= 0) {
    list[i].users = list[i].users.filter((u) => u !== user);
    if (list[i].users.length === 0) list.splice(i, 1);
  }
  if (list.length === 0) delete m.reactions;
}
