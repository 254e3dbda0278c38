import { h, iconButton } from './dom';
import { closePopup, showPopup } from './popup';

// The composer's "?" button: how to format a message and the keys of the chat, in a small dialog
// next to it. Only what the view really renders and handles is listed (markdown.ts, composer.ts,
// listKeys.ts): a change there belongs here too.

const FORMATTING: [string, string][] = [
  ['**bold**', 'bold'],
  ['_italic_', 'italic'],
  ['~~struck~~', 'struck through'],
  ['`code`', 'code in a line'],
  ['```ts … ```', 'a code block, highlighted'],
  ['> text', 'a quote'],
  ['- item', 'a list'],
  ['@name, @room, @here', 'a mention (Tab or Enter completes it)'],
  ['src/a.ts:12', 'a file reference: opens the file at the line'],
];

const KEYS: [string, string][] = [
  ['Enter', 'send'],
  ['Shift+Enter', 'a new line'],
  ['Up', 'edit your last message (in an empty composer)'],
  ['Escape', 'cancel an edit, close a thread or a menu'],
  ['Up, Down, Home, End', 'in messages: from message to message; Enter goes into one'],
  ['Shift+F10', "a message's actions: react, reply, pin, copy, edit, delete"],
  ['Shift while dragging', "drops a file from VS Code's Explorer or a tab here, to send it"],
];

function table(caption: string, rows: [string, string][], asCode: boolean): HTMLElement {
  return h(
    'table',
    { class: 'help-table' },
    h('caption', { text: caption }),
    h(
      'tbody',
      {},
      ...rows.map(([what, does]) =>
        h('tr', {}, h('th', { attrs: { scope: 'row' } }, asCode ? h('code', { text: what }) : h('kbd', { text: what })), h('td', { text: does })),
      ),
    ),
  );
}

/** Opens (or, when it is open, closes) the help next to `anchor`; Escape closes it and gives the focus back. */
export function toggleFormatHelp(anchor: HTMLElement): void {
  if (anchor.getAttribute('aria-expanded') === 'true') {
    closePopup();
    anchor.setAttribute('aria-expanded', 'false');
    return;
  }
  const close = h('button', { class: 'help-close', text: 'Close', attrs: { type: 'button' } });
  const el = h(
    'div',
    { class: 'format-help', attrs: { role: 'dialog', 'aria-label': 'Formatting and keys', tabindex: '-1' } },
    table('Formatting', FORMATTING, true),
    table('Keys', KEYS, false),
    close,
  );
  close.addEventListener('click', () => {
    closePopup();
    anchor.focus();
  });
  showPopup(el, anchor, (e) => {
    // Tab stays in the dialog: it has one button.
    if (e.key === 'Tab') {
      e.preventDefault();
      close.focus();
    }
  });
  anchor.setAttribute('aria-expanded', 'true');
  // The popup closes by Escape, a click outside or Close: the button says so again.
  const watch = new MutationObserver(() => {
    if (!el.isConnected) {
      anchor.setAttribute('aria-expanded', 'false');
      watch.disconnect();
    }
  });
  watch.observe(document.body, { childList: true });
  el.focus();
}

/** The composer's "?" button. */
export function formatHelpButton(): HTMLButtonElement {
  const b = iconButton('question', 'Formatting and keys', () => toggleFormatHelp(b), 'help-button');
  b.setAttribute('aria-expanded', 'false');
  b.setAttribute('aria-haspopup', 'dialog');
  return b;
}
