// Next and previous unread conversation (Parley: Next Unread Conversation), in the order the
// view lists them (client/viewModel.ts conversationViews: most recent first).

export interface Listed {
  id: string;
  unread: number;
  archived?: boolean;
}

/**
 * The conversation with unread messages after (`step` 1) or before (-1) `active` in `list`,
 * wrapping around; from no conversation, the first (or last). Archived rooms are passed over;
 * undefined when nothing else is unread.
 */
export function unreadAfter(list: readonly Listed[], active: string | undefined, step: 1 | -1): string | undefined {
  const at = list.findIndex((c) => c.id === active);
  const n = list.length;
  const from = at < 0 ? (step === 1 ? -1 : n) : at;
  for (let k = 1; k <= n; k++) {
    const c = list[(((from + k * step) % n) + n) % n];
    if (c.id !== active && c.unread > 0 && !c.archived) return c.id;
  }
  return undefined;
}
