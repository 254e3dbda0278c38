import type { Member } from '../../protocol/wire';
import { completeMention, mentionAt, mentionCandidates } from '../logic/mentionQuery';
import { bdi, h, icon, iconButton } from './dom';
import { visibleString } from '../logic/visibleText';
import { acceptFileDrops } from './fileDrop';
import { formatHelpButton } from './formatHelp';

export interface ComposerHooks {
  send(text: string): void;
  saveEdit(target: number, text: string): void;
  /** Absent where files cannot be sent (a thread): no attach button, pasted files are ignored. */
  sendFiles?(files: File[]): void;
  /** Files dragged from VS Code's Explorer or an editor tab: the host reads and sends them. */
  sendUris?(uris: string[]): void;
  typing(): void;
  draftChanged(text: string): void;
  /** The user's last own text message, for Up-arrow editing. */
  lastOwn(): { seq: number; text: string } | undefined;
  members(): Member[];
  me(): string | undefined;
  /** The most characters the relay takes in one message (from its welcome). */
  maxChars(): number;
}

/** From this share of the limit on, the composer shows how many characters are left. */
const COUNT_FROM = 0.9;

/**
 * Multi-line composer: Enter sends, Shift+Enter breaks the line, @ completes member names,
 * Up on an empty composer edits your last message, pasted images and dropped files are sent.
 */
export class Composer {
  readonly element: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly popup: HTMLElement;
  private readonly editBanner: HTMLElement;
  private readonly fileInput: HTMLInputElement;
  private candidates: Member[] = [];
  private selected = 0;
  private editing: number | undefined;
  private lastTyping = 0;
  private draftBeforeEdit = '';
  private readonly limitNote: HTMLElement;

  constructor(private readonly hooks: ComposerHooks) {
    this.input = h('textarea', { class: 'input', attrs: { rows: '1', placeholder: 'Message', 'aria-label': 'Message', 'aria-autocomplete': 'list' } });
    this.popup = h('div', { class: 'mention-popup', attrs: { role: 'listbox', 'aria-label': 'Members' } });
    this.popup.hidden = true;
    this.editBanner = h('div', { class: 'edit-banner' }, icon('edit'), h('span', { text: 'Editing message — Enter saves, Escape cancels' }));
    this.editBanner.hidden = true;
    this.fileInput = h('input', { attrs: { type: 'file', multiple: '', 'aria-hidden': 'true', tabindex: '-1' }, class: 'hidden-file' });
    this.fileInput.addEventListener('change', () => {
      const files = [...(this.fileInput.files ?? [])];
      this.fileInput.value = '';
      if (files.length) this.hooks.sendFiles?.(files);
    });
    const attach = hooks.sendFiles ? iconButton('attach', 'Send a file', () => this.fileInput.click()) : undefined;
    const help = formatHelpButton();
    const send = iconButton('send', 'Send (Enter)', () => this.submit(), 'send-button');
    this.limitNote = h('div', { class: 'limit-note', attrs: { id: `limit-${Math.random().toString(36).slice(2)}`, 'aria-live': 'polite' } });
    this.limitNote.hidden = true;
    this.element = h(
      'div',
      { class: 'composer' },
      this.popup,
      this.editBanner,
      h('div', { class: 'composer-row' }, attach, this.input, help, send),
      this.limitNote,
      this.fileInput,
    );
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('input', () => this.onInput());
    this.input.addEventListener('click', () => this.updatePopup());
    this.input.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length && this.hooks.sendFiles) {
        e.preventDefault();
        this.hooks.sendFiles(files);
      }
    });
    acceptFileDrops(this.element, hooks);
  }

  setDraft(text: string): void {
    this.cancelEdit();
    this.input.value = text;
    this.autosize();
    this.updateLimit(false);
  }

  setPlaceholder(text: string): void {
    this.input.placeholder = visibleString(text);
  }

  focus(): void {
    this.input.focus();
  }

  /** Whether the user is in the composer (a draft arriving then must not replace what they type). */
  hasFocus(): boolean {
    return document.activeElement === this.input;
  }

  startEdit(seq: number, text: string): void {
    if (this.editing === undefined) this.draftBeforeEdit = this.input.value;
    this.editing = seq;
    this.input.value = text;
    this.editBanner.hidden = false;
    this.autosize();
    this.input.focus();
    this.input.setSelectionRange(text.length, text.length);
  }

  private cancelEdit(): void {
    if (this.editing === undefined) return;
    this.editing = undefined;
    this.editBanner.hidden = true;
    this.input.value = this.draftBeforeEdit;
    this.autosize();
  }

  private submit(): void {
    const text = this.input.value.trim();
    // The relay would refuse it (and a Retry could never succeed): say so here, before sending.
    if (text.length > this.hooks.maxChars()) {
      this.updateLimit(true);
      return;
    }
    if (this.editing !== undefined) {
      const target = this.editing;
      this.editing = undefined;
      this.editBanner.hidden = true;
      if (text) this.hooks.saveEdit(target, text);
      this.input.value = this.draftBeforeEdit;
      this.draftBeforeEdit = '';
      this.hooks.draftChanged(this.input.value);
      this.autosize();
      return;
    }
    if (!text) return;
    this.hooks.send(text);
    this.input.value = '';
    this.hooks.draftChanged('');
    this.autosize();
    this.closePopup();
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.popup.hidden && this.candidates.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = this.candidates.length;
        this.selected = (this.selected + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
        this.renderPopup();
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        this.pick(this.candidates[this.selected]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        this.closePopup();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
      return;
    }
    if (e.key === 'Escape' && this.editing !== undefined) {
      e.preventDefault();
      this.cancelEdit();
      return;
    }
    if (e.key === 'ArrowUp' && this.input.value === '' && this.editing === undefined) {
      const last = this.hooks.lastOwn();
      if (last) {
        e.preventDefault();
        this.startEdit(last.seq, last.text);
      }
    }
  }

  private onInput(): void {
    this.autosize();
    this.updateLimit(false);
    if (this.editing === undefined) this.hooks.draftChanged(this.input.value);
    const now = Date.now();
    if (this.input.value && now - this.lastTyping > 3000) {
      this.lastTyping = now;
      this.hooks.typing();
    }
    this.updatePopup();
  }

  private updatePopup(): void {
    const at = mentionAt(this.input.value, this.input.selectionStart ?? 0);
    if (!at) return this.closePopup();
    this.candidates = mentionCandidates(this.hooks.members(), at.query, this.hooks.me());
    this.selected = 0;
    if (!this.candidates.length) return this.closePopup();
    this.popup.hidden = false;
    this.renderPopup();
  }

  private renderPopup(): void {
    this.popup.replaceChildren(
      ...this.candidates.map((m, i) => {
        const item = h(
          'div',
          { class: `mention-item${i === this.selected ? ' selected' : ''}`, attrs: { role: 'option', 'aria-selected': String(i === this.selected) } },
          h('span', { class: `presence ${m.presence}`, attrs: { 'aria-label': m.presence } }),
          bdi(m.name),
        );
        item.addEventListener('mousedown', (e) => {
          e.preventDefault();
          this.pick(m);
        });
        return item;
      }),
    );
  }

  private pick(m: Member): void {
    const caret = this.input.selectionStart ?? 0;
    const at = mentionAt(this.input.value, caret);
    if (!at) return this.closePopup();
    const done = completeMention(this.input.value, at.start, caret, m.name);
    this.input.value = done.text;
    this.input.setSelectionRange(done.caret, done.caret);
    this.hooks.draftChanged(this.input.value);
    this.closePopup();
  }

  private closePopup(): void {
    this.popup.hidden = true;
    this.candidates = [];
  }

  /** Shows the characters left near the limit; over it, why it cannot be sent and what can be. */
  private updateLimit(tried: boolean): void {
    const max = this.hooks.maxChars();
    const n = this.input.value.trim().length;
    const over = n > max;
    this.input.toggleAttribute('aria-invalid', over);
    if (over) this.input.setAttribute('aria-describedby', this.limitNote.id);
    else this.input.removeAttribute('aria-describedby');
    if (n < max * COUNT_FROM) {
      this.limitNote.hidden = true;
      return;
    }
    const count = `${n.toLocaleString()} / ${max.toLocaleString()} characters`;
    this.limitNote.hidden = false;
    this.limitNote.className = `limit-note${over ? ' over' : ''}`;
    if (!over) {
      this.limitNote.replaceChildren(h('span', { text: count }));
      return;
    }
    const parts: (HTMLElement | undefined)[] = [
      h(
        'span',
        { class: 'limit-text' },
        icon('warning'),
        h('span', { text: `${tried ? 'Not sent: ' : ''}${count}. One message holds up to ${max.toLocaleString()}.` }),
      ),
    ];
    if (this.hooks.sendFiles && this.editing === undefined) {
      parts.push(
        h('button', {
          class: 'secondary small',
          text: 'Send as a file',
          attrs: { type: 'button', title: 'Send the text as message.md instead (up to the relay’s file size limit)' },
          on: { click: () => this.sendAsFile() },
        }),
      );
    } else parts.push(h('span', { text: 'Shorten it to send it.' }));
    this.limitNote.replaceChildren(...parts.filter((p): p is HTMLElement => p !== undefined));
  }

  private sendAsFile(): void {
    const text = this.input.value;
    if (!text.trim() || !this.hooks.sendFiles) return;
    this.hooks.sendFiles([new File([text], 'message.md', { type: 'text/markdown' })]);
    this.input.value = '';
    this.hooks.draftChanged('');
    this.autosize();
    this.updateLimit(false);
    this.input.focus();
  }

  private autosize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 200)}px`;
  }
}
