// Long messages are shown collapsed (with "Show more") so one message cannot fill the side bar.

/** The height a collapsed message keeps, in pixels (media/chat.css: .body.clamped). */
export const CLAMP_PX = 260;
/** A message is collapsed only when that saves at least this much more. */
export const CLAMP_SLACK_PX = 40;

/**
 * Whether a text may be taller than the clamp in a narrow side bar (about `charsPerLine`
 * characters a line): only such messages are measured once rendered.
 */
export function mayBeTall(text: string, maxLines = 12, charsPerLine = 32): boolean {
  let lines = 0;
  for (const line of text.split('\n')) {
    lines += Math.max(1, Math.ceil(line.length / charsPerLine));
    if (lines > maxLines) return true;
  }
  return false;
}

/** Whether content of this (full, unclamped) height is worth collapsing. */
export function isTall(contentHeight: number): boolean {
  return contentHeight > CLAMP_PX + CLAMP_SLACK_PX;
}
