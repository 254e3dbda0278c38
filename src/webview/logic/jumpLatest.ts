import type { Row } from './timeline';

// The "3 new messages ↓" button over the bottom of a message list: how many messages arrived
// below what the user has seen since scrolling up, and what the button says.

/** The last row whose top edge is above the viewport's bottom (-1 when there are no rows). */
export function lastVisibleIndex(offsets: readonly number[], scrollTop: number, viewport: number): number {
  const bottom = scrollTop + viewport;
  let i = offsets.length - 2;
  while (i >= 0 && offsets[i] >= bottom) i--;
  return i;
}

/**
 * Messages after row `seenIndex` (the furthest row the user has had on screen), not counting
 * the user's own (sent while scrolled up, they are not news) and separators.
 */
export function newBelow(rows: readonly Row[], seenIndex: number, own: (row: Row) => boolean): number {
  let n = 0;
  for (let i = Math.max(0, seenIndex + 1); i < rows.length; i++) {
    const r = rows[i];
    if (r.kind === 'msg' && !own(r)) n++;
  }
  return n;
}

export interface JumpLabel {
  /** Shown on the button. */
  text: string;
  /** Its accessible name. */
  label: string;
}

/**
 * What the button says, or undefined when it is hidden: shown while the list does not follow
 * the bottom and either messages arrived below or the user is more than a screen away from it.
 */
export function jumpLabel(following: boolean, fresh: number, distanceFromBottom: number, viewport: number): JumpLabel | undefined {
  if (following) return undefined;
  if (fresh > 0) {
    const text = `${fresh > 99 ? '99+' : fresh} new message${fresh === 1 ? '' : 's'}`;
    return { text, label: `${text}: jump to the latest` };
  }
  if (distanceFromBottom > Math.max(viewport, 200)) return { text: 'Jump to latest', label: 'Jump to the latest message' };
  return undefined;
}
