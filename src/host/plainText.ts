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
  return text
    .replace(INVISIBLE, '')
    .replace(CONTROL, ' ')
    .replace(/\]\s*\(/g, '] (');
}

/** Line breaks and the other characters that would end a line of a label (tab too: it aligns nothing there). */
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;

/**
 * One line of plain text for a label that renders `$(icon)` syntax: quick pick labels,
 * descriptions and details, input box titles and prompts, the status bar. Neutralized, on one
 * line (a name cannot fake a second line of a tooltip or a dialog), and `$(` is broken by a
 * zero-width space so a teammate's name cannot show as VS Code's own icons (a spinning sync, a
 * shield). neutralize() drops zero-width spaces, so the break is added after it.
 */
export function plainLabel(text: string): string {
  return neutralize(text.replace(BREAKS, ' ')).replace(/\$\(/g, '$\u200b(');
}
