import type { ConversationView, MessageView, ViewSnapshot } from '../../protocol/view';
import { bdi, h, icon, iconButton, toggleButton } from './dom';
import { renderPinned } from './pinnedPanel';

export interface ChatHeaderHooks {
  /** Back to the conversation list (narrow layout). */
  back(): void;
  setTopic(): void;
  /** Shows a pinned message in context. */
  openPinned(m: MessageView): void;
  unpin(m: MessageView): void;
  /** Mutes (true) or unmutes the conversation shown. */
  mute(on: boolean): void;
}

/** What the header may offer: what the relay would refuse is not (protocol/roles.ts). */
export interface HeaderRights {
  topic: boolean;
  pin: boolean;
}

/**
 * The conversation's header (back button, presence or room icon, title, member count and topic,
 * the pinned messages button) and the pinned messages panel it opens under it.
 */
export class ChatHeader {
  readonly element = h('header', { class: 'chat-header' });
  readonly pinnedHost = h('div', { class: 'pinned-host' });
  private showPinned = false;
  private shown: { c: ConversationView; snap: ViewSnapshot; may: HeaderRights } | undefined;
  /** The pinned messages button now in the header (each render makes a new one). */
  private pinsButtonNow: HTMLElement | undefined;
  /** Kept across renders (changed in place), so the focus stays on it when it is pressed. */
  private readonly muteButton = toggleButton(
    'Mute notifications',
    {
      on: { icon: 'bell-slash', title: 'Muted: no notifications from this conversation (click to unmute)' },
      off: { icon: 'bell', title: 'Mute notifications from this conversation' },
    },
    (on) => this.hooks.mute(on),
    'mute-button',
  );

  constructor(private readonly hooks: ChatHeaderHooks) {
    // Escape on the button or in the panel closes the panel, the focus back on the button.
    const escape = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || !this.showPinned || e.defaultPrevented) return;
      e.preventDefault();
      e.stopPropagation();
      this.togglePinned(true);
    };
    this.element.addEventListener('keydown', escape);
    this.pinnedHost.addEventListener('keydown', escape);
  }

  /** Closes the pinned panel (another conversation was opened); it stays closed until the next render. */
  closePinned(): void {
    this.showPinned = false;
  }

  render(c: ConversationView | undefined, snap: ViewSnapshot | undefined, may: HeaderRights): void {
    if (!c || !snap) {
      this.shown = undefined;
      this.element.replaceChildren(h('span', { class: 'muted', text: 'No conversation selected' }));
      this.pinnedHost.replaceChildren();
      return;
    }
    this.shown = { c, snap, may };
    const back = iconButton('arrow-left', 'Back to conversations', () => this.hooks.back(), 'back-button');
    const peer = c.peer ? snap.members.find((m) => m.id === c.peer) : undefined;
    // The topic is isolated (<bdi>): a right-to-left one cannot reorder the member count.
    const sub =
      c.kind === 'room'
        ? [`${c.archived ? 'archived · ' : ''}${c.members.length} member${c.members.length === 1 ? '' : 's'}`, ...(c.topic ? [' · ', bdi(c.topic)] : [])]
        : [peer?.presence ?? ''];
    const lead =
      c.kind === 'dm'
        ? h('span', { class: `presence ${peer?.presence ?? 'offline'}`, attrs: { 'aria-hidden': 'true' } })
        : icon(c.archived ? 'archive' : 'symbol-numeric');
    const subtitle =
      c.kind === 'room' && !c.archived && may.topic
        ? h(
            'button',
            {
              class: 'subtitle muted link-like',
              attrs: { type: 'button', title: c.topic ? `Topic: ${c.topic} (click to change)` : 'Set a topic' },
              on: { click: () => this.hooks.setTopic() },
            },
            ...sub,
          )
        : h('div', { class: 'subtitle muted' }, ...sub);
    // Moving the bell (replaceChildren takes it out and puts it back) drops the focus it had.
    const bellFocused = document.activeElement === this.muteButton;
    this.element.replaceChildren(
      back,
      lead,
      h('div', { class: 'titles' }, h('h2', { class: 'title' }, bdi(c.kind === 'room' ? c.title.slice(1) : c.title)), subtitle),
      this.muteButton,
      this.pinsButton(snap.pinned.length),
    );
    this.muteButton.set(c.muted === true);
    if (bellFocused) this.muteButton.focus();
    this.renderPinned(snap, may.pin);
  }

  private pinsButton(count: number): HTMLElement {
    return (this.pinsButtonNow = h(
      'button',
      {
        class: `icon-button pins${this.showPinned ? ' active' : ''}`,
        attrs: {
          type: 'button',
          title: count ? `${count} pinned` : 'Pinned messages',
          'aria-label': `Pinned messages: ${count}`,
          'aria-expanded': String(this.showPinned),
        },
        on: { click: () => this.togglePinned() },
      },
      icon('pinned'),
      count ? h('span', { class: 'count', text: String(count) }) : undefined,
    ));
  }

  /** Opens or closes the panel; the button is made anew, so the focus moves to the new one. */
  private togglePinned(refocus = false): void {
    const active = document.activeElement;
    const had = refocus || active === this.pinsButtonNow || this.pinnedHost.contains(active);
    this.showPinned = !this.showPinned;
    if (this.shown) this.render(this.shown.c, this.shown.snap, this.shown.may);
    if (had) this.pinsButtonNow?.focus();
  }

  private renderPinned(snap: ViewSnapshot, mayPin: boolean): void {
    if (!this.showPinned) {
      this.pinnedHost.replaceChildren();
      return;
    }
    const members = new Map(snap.members.map((m) => [m.id, m]));
    const open = (m: MessageView) => {
      if (m.seq === undefined) return;
      this.togglePinned(true);
      this.hooks.openPinned(m);
    };
    this.pinnedHost.replaceChildren(renderPinned(snap.pinned, members, snap.me?.id, open, mayPin ? (m) => this.hooks.unpin(m) : undefined));
  }
}
