// Author colours come from the theme's chart and terminal colours, so they stay readable in
// light, dark and high-contrast themes (media/chat.css mixes them towards the text colour).
// Seven hues that themes keep apart (magenta was dropped: next to charts-purple two people looked
// alike).
export const PALETTE = [
  '--vscode-charts-blue',
  '--vscode-charts-green',
  '--vscode-charts-orange',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-terminal-ansiCyan',
  '--vscode-charts-yellow',
];

/** The hue a user prefers: the same everywhere, from their id. */
export function authorColorVar(userId: string): string {
  return PALETTE[preferred(userId)];
}

function preferred(userId: string): number {
  let h = 2166136261;
  for (let i = 0; i < userId.length; i++) {
    h ^= userId.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % PALETTE.length;
}

let memo: { key: string; colours: Map<string, string> } | undefined;

/**
 * The colours of a conversation's members, all different while there are no more members than
 * hues: in the order they are listed (the order they joined), each takes the hue it prefers, or
 * the next one nobody before it took. So a member keeps their colour when others join after
 * them. Anyone not listed (a removed member's old messages) gets the hue they prefer.
 */
export function authorColors(members: readonly string[]): (user: string) => string {
  const key = members.join('\u0000');
  if (memo?.key !== key) {
    const colours = new Map<string, string>();
    const taken = new Set<number>();
    for (const user of members) {
      if (colours.has(user)) continue;
      let hue = preferred(user);
      for (let step = 0; step < PALETTE.length && taken.has(hue); step++) hue = (hue + 1) % PALETTE.length;
      if (taken.size < PALETTE.length) taken.add(hue);
      colours.set(user, PALETTE[hue]);
    }
    memo = { key, colours };
  }
  const { colours } = memo;
  return (user) => colours.get(user) ?? authorColorVar(user);
}
