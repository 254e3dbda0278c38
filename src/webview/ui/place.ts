import type { ViewPlace } from '../../protocol/view';
import { onPageLeave, post, saveUiState, type UiState } from './vscodeApi';

type Spot = { key: string; offset: number };

/**
 * Where the view is: the list or the conversation on screen (a narrow view), and how far up the
 * open conversation is scrolled. Kept in the view's state and posted to the host, which writes it
 * to a file (host/view/viewPlace.ts): VS Code writes a webview's state only now and then (in a
 * browser, not at all when the page unloads), so after a reload the host's copy may be the newer
 * one. Posted shortly after a change, and at once when the page goes away.
 */
export class Place {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ui: UiState) {
    onPageLeave(() => this.flush());
  }

  get screen(): 'list' | 'chat' {
    return this.ui.screen;
  }

  /** Where the conversation that opens first is to be scrolled to (kept from before the view was made anew). */
  get scroll(): { conv: string; key: string; offset: number } | undefined {
    return this.ui.scroll;
  }

  setScreen(screen: 'list' | 'chat'): void {
    if (this.ui.screen === screen) return;
    this.ui.screen = screen;
    this.changed();
  }

  /** The user scrolled conversation `conv` to `spot` (undefined: to its bottom, following new messages). */
  setScroll(conv: string, spot: Spot | undefined): void {
    const old = this.ui.scroll;
    if (!spot && !old) return;
    if (spot && old && old.conv === conv && old.key === spot.key && Math.abs(old.offset - spot.offset) < 1) return;
    if (spot) this.ui.scroll = { conv, key: spot.key, offset: spot.offset };
    else delete this.ui.scroll;
    this.changed();
  }

  /** Takes the host's copy when it is newer than this view's (and nothing of this view's is still to be posted); returns whether it did. */
  merge(host: ViewPlace | undefined): boolean {
    if (!host || host.at <= (this.ui.placeAt ?? 0) || this.timer) return false;
    this.ui.screen = host.screen;
    if (host.scroll) this.ui.scroll = { ...host.scroll };
    else delete this.ui.scroll;
    this.ui.placeAt = host.at;
    saveUiState(this.ui);
    return true;
  }

  private changed(): void {
    this.ui.placeAt = Date.now();
    saveUiState(this.ui);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), 150);
  }

  private flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const scroll = this.ui.scroll;
    post({ type: 'place', place: { screen: this.ui.screen, ...(scroll ? { scroll } : {}), at: this.ui.placeAt ?? Date.now() } });
  }
}
