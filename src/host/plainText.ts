// Text that reaches VS Code UI (notifications, quick picks, tooltips) from a teammate, a relay or
// an error message goes through neutralize(): VS Code renders `[label](command:…)` in
// notifications as a link that runs a command, and direction marks can disguise what a line says.

/** Bidi controls, zero-width characters and other invisible formatting characters. */
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
/** C0/C1 controls except tab and newline. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Plain text for a VS Code message: no link syntax survives (`](` is split, so neither
 * `[label](command:…)` nor `[label](https://…)` can form), invisible and control characters are
 * dropped. The words stay readable.
 */
export function neutralize(text: string): string {
  return text.replace(INVISIBLE, '').replace(CONTROL, ' ').replace(/\]\s*\(/g, '] (');
}
