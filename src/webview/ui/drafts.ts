import { onPageLeave, post, saveUiState, type UiState } from './vscodeApi';

/**
 * The composers' drafts: kept in the view's state (setState) and posted to the host, which
 * writes them to a file. VS Code saves a webview's state only now and then, so a reload right
 * after typing could lose the draft; the host's copy is there after any reload. Each draft
 * carries the time it changed, and the newer copy wins.
 */
export class Drafts {
  private readonly pending = new Map<string, { text: string; at: number }>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ui: UiState) {
    // Posted at once when the page goes away or loses focus (a reload, a closed view).
    onPageLeave(() => this.flush());
  }

  get(key: string): string {
    return this.ui.drafts[key] ?? '';
  }

  set(key: string, text: string): void {
    const at = Date.now();
    if (text) this.ui.drafts[key] = text;
    else delete this.ui.drafts[key];
    this.ui.draftTimes[key] = at;
    saveUiState(this.ui);
    this.pending.set(key, { text, at });
    if (!this.timer) this.timer = setTimeout(() => this.flush(), 150);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [key, d] of this.pending) post({ type: 'draft', key, text: d.text, at: d.at });
    this.pending.clear();
  }

  /** Takes the host's copies that are newer than this view's; returns the keys that changed. */
  merge(host: Record<string, { text: string; at: number }>): string[] {
    const changed: string[] = [];
    for (const [key, d] of Object.entries(host)) {
      if (d.at <= (this.ui.draftTimes[key] ?? 0) || this.pending.has(key)) continue;
      if ((this.ui.drafts[key] ?? '') !== d.text) changed.push(key);
      if (d.text) this.ui.drafts[key] = d.text;
      else delete this.ui.drafts[key];
      this.ui.draftTimes[key] = d.at;
    }
    if (changed.length) saveUiState(this.ui);
    return changed;
  }
}
