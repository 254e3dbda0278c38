// Author colours come from the theme's chart and terminal colours, so they stay readable in
// light, dark and high-contrast themes; the same user always gets the same one. Seven hues that
// themes keep apart (magenta was dropped: next to charts-purple two people looked alike).
export const PALETTE = [
  '--vscode-charts-blue',
  '--vscode-charts-green',
  '--vscode-charts-orange',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-terminal-ansiCyan',
  '--vscode-charts-yellow',
];

export function authorColorVar(userId: string): string {
  let h = 2166136261;
  for (let i = 0; i < userId.length; i++) {
    h ^= userId.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return PALETTE[(h >>> 0) % PALETTE.length];
}
